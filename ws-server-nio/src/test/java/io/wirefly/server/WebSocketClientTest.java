package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The client's builder (every bad setting fails at {@code build()} naming the setting and the value), URI checks
 * in {@code connect}, and {@code close}. Nothing here opens a connection that could succeed.
 */
class WebSocketClientTest {
    private static final WebSocketHandler NOOP = new WebSocketHandler() { };

    private static String failure(UnaryOperator<WebSocketClient.Builder> setting) {
        WebSocketClient.Builder b = setting.apply(WebSocketClient.builder());
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void eventLoopsMustBePositive() {
        assertEquals("eventLoops must be > 0, was 0", failure(b -> b.eventLoops(0)));
        assertEquals("eventLoops must be > 0, was -1", failure(b -> b.eventLoops(-1)));
    }

    @Test
    void timeoutsMustBePositive() {
        assertEquals("connectTimeout must be > 0, was PT0S", failure(b -> b.connectTimeout(Duration.ZERO)));
        assertEquals("connectTimeout must be > 0, was PT-1S", failure(b -> b.connectTimeout(Duration.ofSeconds(-1))));
        assertEquals("connectTimeout must be > 0, was null", failure(b -> b.connectTimeout(null)));
        assertEquals("handshakeTimeout must be > 0, was PT0S", failure(b -> b.handshakeTimeout(Duration.ZERO)));
        assertEquals("handshakeTimeout must be > 0, was null", failure(b -> b.handshakeTimeout(null)));
        assertEquals("closeTimeout must be > 0, was PT-0.001S", failure(b -> b.closeTimeout(Duration.ofMillis(-1))));
        assertEquals("closeTimeout must be > 0, was null", failure(b -> b.closeTimeout(null)));
        assertEquals("pongTimeout must be > 0, was PT0S", failure(b -> b.pongTimeout(Duration.ZERO)));
        assertEquals("pongTimeout must be > 0, was null", failure(b -> b.pongTimeout(null)));
    }

    @Test
    void idleTimeoutMayBeZeroButNotNegativeOrNull() {
        assertEquals("idleTimeout must be >= 0, was PT-1S", failure(b -> b.idleTimeout(Duration.ofSeconds(-1))));
        assertEquals("idleTimeout must be >= 0, was null", failure(b -> b.idleTimeout(null)));
        WebSocketClient.builder().idleTimeout(Duration.ZERO).build().close();
    }

    @Test
    void writeLimitsMustBeOrdered() {
        assertEquals("lowWaterMark must be >= 0, was -1", failure(b -> b.writeWaterMarks(-1, 10)));
        assertEquals("highWaterMark must be > lowWaterMark (10), was 10", failure(b -> b.writeWaterMarks(10, 10)));
        assertEquals("maxWriteBuffer must be >= highWaterMark (1048576), was 1048575",
                failure(b -> b.maxWriteBuffer((1 << 20) - 1)));
        assertEquals("maxWriteBuffer must be >= highWaterMark (100), was 99",
                failure(b -> b.writeWaterMarks(0, 100).maxWriteBuffer(99)));
    }

    @Test
    void configMustNotBeNull() {
        assertEquals("config", assertThrows(NullPointerException.class,
                () -> WebSocketClient.builder().config(null)).getMessage());
    }

    @Test
    void everySettingAtItsEdgeBuilds() {
        WebSocketClient.builder()
                .eventLoops(2)
                .config(WebSocketConfig.builder().deflate(true).build())
                .executor(Runnable::run)
                .connectTimeout(Duration.ofNanos(1))
                .handshakeTimeout(Duration.ofNanos(1))
                .idleTimeout(Duration.ofNanos(1))
                .pongTimeout(Duration.ofNanos(1))
                .closeTimeout(Duration.ofNanos(1))
                .writeWaterMarks(0, 1)
                .maxWriteBuffer(1)
                .metricsListener(new MetricsListener() { })
                .build()
                .close();
    }

    @Test
    void connectAcceptsOnlyWsAndWssUrisWithAHost() {
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            // Not thrown: the future fails, like every other connect failure.
            for (String uri : List.of("https://127.0.0.1/", "http://127.0.0.1/", "/relative", "ws:///nohost",
                    "wss:///nohost", "ws:opaque")) {
                Throwable e = failure(client.connect(URI.create(uri), NOOP));
                assertTrue(e instanceof IllegalArgumentException, uri + ": " + e);
                assertTrue(e.getMessage().endsWith("was " + uri), e.getMessage());
                assertTrue(e.getMessage().startsWith("uri must be ws://"), e.getMessage());
            }
            assertTrue(failure(client.connect(URI.create("ftp://127.0.0.1/"), NOOP, List.of("chat"), Map.of()))
                    instanceof IllegalArgumentException);
        }
    }

    private static Throwable failure(java.util.concurrent.CompletionStage<?> stage) {
        java.util.concurrent.CompletableFuture<?> f = stage.toCompletableFuture();
        assertTrue(f.isCompletedExceptionally(), "failed at once");
        return assertThrows(java.util.concurrent.ExecutionException.class, f::get).getCause();
    }

    @Test
    void connectNeedsAHandler() {
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            assertEquals("handler", assertThrows(NullPointerException.class,
                    () -> client.connect(URI.create("ws://127.0.0.1:1/"), null)).getMessage());
        }
    }

    @Test
    void aNewClientHasZeroCounters() {
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            Metrics m = client.metrics();
            assertEquals(0, m.openConnections());
            assertEquals(0, m.handshakesAccepted());
            assertEquals(Map.of(), m.handshakesRejected());
            assertEquals(0, m.bytesOut());
            assertEquals(-1, m.lastPingRoundTripNanos());
        }
    }

    @Test
    void closeStopsTheClientsThreads() {
        long before = clientThreads();
        WebSocketClient client = WebSocketClient.builder().eventLoops(2).build();
        assertEquals(before + 2, clientThreads(), "build() returns a started client");
        client.close();
        assertEquals(before, clientThreads(), "close() stops its threads");
    }

    /**
     * connect(...) promises a stage that is "completed with the open connection, or failed". After close() the
     * client's loops are gone: connect must either refuse at once or fail the stage, never leave it pending.
     */
    @Test
    void connectAfterCloseFailsInsteadOfHanging() throws Exception {
        WebSocketClient client = WebSocketClient.builder().build();
        client.close();
        CompletionStage<WebSocket> stage;
        try {
            stage = client.connect(URI.create("ws://127.0.0.1:1/"), NOOP);
        } catch (IllegalStateException refused) {
            return;
        }
        CompletableFuture<WebSocket> future = stage.toCompletableFuture();
        try {
            WebSocket ws = future.get(3, TimeUnit.SECONDS);
            ws.close();
            throw new AssertionError("a closed client opened a connection: " + ws);
        } catch (ExecutionException expected) {
            assertTrue(future.isCompletedExceptionally());
        } catch (TimeoutException e) {
            fail("connect on a closed client returned a stage that never completes");
        }
    }

    /** Live loop threads of clients; build() starts them and close() joins them, so no polling is needed. */
    private static long clientThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("wirefly-client"))
                .count();
    }
}
