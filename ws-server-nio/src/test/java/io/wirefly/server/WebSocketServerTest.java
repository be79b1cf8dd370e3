package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.ReadyState;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The server's builder (every bad setting fails at {@code build()} with a message naming the setting and the value)
 * and what a built server does with it. Only one test binds a port, an ephemeral one on the loopback address.
 */
class WebSocketServerTest {
    private static final WebSocketHandler NOOP = new WebSocketHandler() { };

    /** The builder with the one thing it needs, a route. */
    private static WebSocketServer.Builder valid() {
        return WebSocketServer.builder().route("/", NOOP);
    }

    private static String failure(UnaryOperator<WebSocketServer.Builder> setting) {
        WebSocketServer.Builder b = setting.apply(valid());
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void theDefaultsBuild() {
        assertNotNull(valid().build());
    }

    @Test
    void changesToTheBuilderAfterBuildDoNotReachTheServer() {
        WebSocketServer.Builder builder = valid().bind(InetAddress.getLoopbackAddress()).port(0);
        WebSocketServer server = builder.build();
        builder.port(70_000).eventLoops(-1).route("/late", NOOP);   // never validated, so never used
        try {
            server.start();
            assertTrue(server.port() > 0 && server.port() <= 65535, "port " + server.port());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void everySettingAtItsEdgeBuilds() {
        assertNotNull(valid()
                .bind(InetAddress.getLoopbackAddress())
                .port(65535)
                .eventLoops(1)
                .executor(Runnable::run)
                .config(WebSocketConfig.builder().deflate(true).build())
                .subprotocols("chat", "v2.chat.example.com", "a_b-c~d!#$%&'*+.^`|")
                .allowedOrigins("https://example.com")
                .handshakeFilter(r -> { })
                .http(r -> null)
                .maxConnections(1)
                .handshakeTimeout(Duration.ofNanos(1))
                .idleTimeout(Duration.ZERO)   // zero disables pings
                .pongTimeout(Duration.ofNanos(1))
                .closeTimeout(Duration.ofNanos(1))
                .writeWaterMarks(0, 1)
                .maxWriteBuffer(1)
                .metricsListener(new MetricsListener() { })
                .build());
        assertNotNull(valid().port(0).build());
    }

    @Test
    void portOutOfRange() {
        assertEquals("port must be 0..65535, was -1", failure(b -> b.port(-1)));
        assertEquals("port must be 0..65535, was 65536", failure(b -> b.port(65536)));
        assertEquals("port must be 0..65535, was " + Integer.MIN_VALUE, failure(b -> b.port(Integer.MIN_VALUE)));
    }

    @Test
    void aServerNeedsARoute() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WebSocketServer.builder().build());
        assertEquals("at least one route is required", e.getMessage());
    }

    @Test
    void routePathsMustStartWithASlash() {
        assertEquals("route path must start with '/', was echo", failure(b -> b.route("echo", NOOP)));
        assertEquals("route path must start with '/', was ", failure(b -> b.route("", NOOP)));
    }

    @Test
    void routeRejectsNullsAtOnce() {
        WebSocketServer.Builder b = WebSocketServer.builder();
        assertEquals("path", assertThrows(NullPointerException.class, () -> b.route(null, NOOP)).getMessage());
        assertEquals("handler", assertThrows(NullPointerException.class, () -> b.route("/", null)).getMessage());
    }

    @Test
    void eventLoopsAndMaxConnectionsMustBePositive() {
        assertEquals("eventLoops must be > 0, was 0", failure(b -> b.eventLoops(0)));
        assertEquals("eventLoops must be > 0, was -3", failure(b -> b.eventLoops(-3)));
        assertEquals("maxConnections must be > 0, was 0", failure(b -> b.maxConnections(0)));
        assertEquals("maxConnections must be > 0, was -1", failure(b -> b.maxConnections(-1)));
        assertEquals("maxHandshakes must be > 0, was 0", failure(b -> b.maxHandshakes(0)));
        assertEquals("maxHandshakes must be > 0, was -1", failure(b -> b.maxHandshakes(-1)));
        assertEquals("maxInboundBuffer must be > 0, was 0", failure(b -> b.maxInboundBuffer(0)));
        assertEquals("maxOutboundBuffer must be > 0, was -1", failure(b -> b.maxOutboundBuffer(-1)));
    }

    @Test
    void theHandshakeLimitFollowsTheHeapTheHeadLimitAndTls() throws Exception {
        long heap = Runtime.getRuntime().maxMemory();
        WebSocketServer.Builder plain = WebSocketServer.builder().route("/", NOOP);
        assertEquals((int) Math.max(16, Math.min(10_000, heap / 8 / (2048 + 16384))), plain.handshakeLimit());
        WebSocketConfig small = WebSocketConfig.builder().maxHandshakeSize(4096).build();
        assertEquals((int) Math.max(16, Math.min(10_000, heap / 8 / (2048 + 4096))),
                WebSocketServer.builder().route("/", NOOP).config(small).handshakeLimit());
        WebSocketServer.Builder secure = WebSocketServer.builder().route("/", NOOP)
                .tls(javax.net.ssl.SSLContext.getDefault());
        assertEquals((int) Math.max(16, Math.min(10_000, heap / 8 / (64 << 10))), secure.handshakeLimit());
        assertTrue(secure.handshakeLimit() < plain.handshakeLimit() || plain.handshakeLimit() == 10_000);
        assertEquals(7, plain.maxHandshakes(7).handshakeLimit(), "a set value wins");
    }

    @Test
    void theConnectionLimitFollowsTheHeapAndTls() throws Exception {
        long heap = Runtime.getRuntime().maxMemory();
        WebSocketServer.Builder plain = WebSocketServer.builder().route("/", NOOP);
        assertEquals((int) Math.max(1024, Math.min(100_000, heap / (6 << 10))), plain.connectionLimit());
        WebSocketServer.Builder secure = WebSocketServer.builder().route("/", NOOP)
                .tls(javax.net.ssl.SSLContext.getDefault());
        // an idle TLS connection holds about 12 KiB, seven times a plain one
        assertEquals((int) Math.max(1024, Math.min(100_000, heap / (32 << 10))), secure.connectionLimit());
        assertTrue(secure.connectionLimit() <= plain.connectionLimit());
        assertEquals(5, secure.maxConnections(5).connectionLimit(), "a set value wins");
        // the figures the Javadoc gives
        assertEquals(10_922, WebSocketServer.Builder.defaultConnections(64 << 20, false));
        assertEquals(2_048, WebSocketServer.Builder.defaultConnections(64 << 20, true));
        assertEquals(1_024, WebSocketServer.Builder.defaultConnections(16 << 20, true), "never below 1,024");
        assertEquals(100_000, WebSocketServer.Builder.defaultConnections(4L << 30, true), "never above 100,000");
        assertEquals(49_152, WebSocketServer.Builder.defaultConnections(1536L << 20, true));
    }

    @Test
    void timeoutsMustBePositive() {
        assertEquals("handshakeTimeout must be > 0, was PT0S", failure(b -> b.handshakeTimeout(Duration.ZERO)));
        assertEquals("handshakeTimeout must be > 0, was PT-1S",
                failure(b -> b.handshakeTimeout(Duration.ofSeconds(-1))));
        assertEquals("handshakeTimeout must be > 0, was null", failure(b -> b.handshakeTimeout(null)));
        assertEquals("pongTimeout must be > 0, was PT0S", failure(b -> b.pongTimeout(Duration.ZERO)));
        assertEquals("pongTimeout must be > 0, was null", failure(b -> b.pongTimeout(null)));
        assertEquals("closeTimeout must be > 0, was PT-0.001S", failure(b -> b.closeTimeout(Duration.ofMillis(-1))));
        assertEquals("closeTimeout must be > 0, was null", failure(b -> b.closeTimeout(null)));
    }

    @Test
    void idleTimeoutMayBeZeroButNotNegative() {
        assertNotNull(valid().idleTimeout(Duration.ZERO).build());
        assertEquals("idleTimeout must be >= 0, was PT-1S", failure(b -> b.idleTimeout(Duration.ofSeconds(-1))));
    }

    @Test
    void aNullIdleTimeoutIsNamedLikeTheOtherTimeouts() {
        // build() promises an IllegalArgumentException naming the setting; the other three timeouts and the
        // client's idleTimeout say "was null".
        assertEquals("idleTimeout must be >= 0, was null", failure(b -> b.idleTimeout(null)));
    }

    @Test
    void writeWaterMarksMustBeOrdered() {
        assertEquals("lowWaterMark must be >= 0, was -1", failure(b -> b.writeWaterMarks(-1, 10)));
        assertEquals("highWaterMark must be > lowWaterMark (10), was 10", failure(b -> b.writeWaterMarks(10, 10)));
        assertEquals("highWaterMark must be > lowWaterMark (10), was 5", failure(b -> b.writeWaterMarks(10, 5)));
        assertNotNull(valid().writeWaterMarks(10, 11).build());
    }

    @Test
    void maxWriteBufferMustHoldTheHighWaterMark() {
        // The default high-water mark is 1 MiB.
        assertEquals("maxWriteBuffer must be >= highWaterMark (1048576), was 1048575",
                failure(b -> b.maxWriteBuffer((1 << 20) - 1)));
        assertNotNull(valid().maxWriteBuffer(1 << 20).build());
        assertEquals("maxWriteBuffer must be >= highWaterMark (33554432), was 16777216",
                failure(b -> b.writeWaterMarks(0, 32 << 20)));
        assertNotNull(valid().writeWaterMarks(0, 32 << 20).maxWriteBuffer(32 << 20).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "chat v2", "a,b", "a;b", "\"chat\"", "ch\tat", "caf\u00e9", "del\u007f"})
    void aSubprotocolThatIsNotATokenIsRejected(String name) {
        assertEquals("subprotocol must be an HTTP token, was '" + name + "'", failure(b -> b.subprotocols(name)));
    }

    /**
     * RFC 6455 §4.1: each subprotocol value "MUST be a non-empty string with characters in the range U+0021 to
     * U+007E not including separator characters as defined in [RFC2616]"; the RFC 2616 separators are
     * {@code ( ) < > @ , ; : \ " / [ ] ? = { }} plus SP and HT.
     */
    @Test
    void aSubprotocolWithAnRfc2616SeparatorIsRejected() {
        List<String> accepted = new ArrayList<>();
        for (char separator : "()<>@:\\/[]?={}".toCharArray()) {
            String name = "a" + separator + "b";
            try {
                valid().subprotocols(name).build();
                accepted.add(name);
            } catch (IllegalArgumentException e) {
                assertEquals("subprotocol must be an HTTP token, was '" + name + "'", e.getMessage());
            }
        }
        assertEquals(List.of(), accepted, "subprotocols with separators that build() accepted");
    }

    @Test
    void configMustNotBeNull() {
        assertEquals("config", assertThrows(NullPointerException.class,
                () -> WebSocketServer.builder().config(null)).getMessage());
    }

    @Test
    void aServerThatWasNotStartedHasNoPortNoConnectionsAndStopsAtOnce() {
        WebSocketServer server = valid().build();
        assertEquals(-1, server.port());
        Metrics m = server.metrics();
        assertEquals(0, m.openConnections());
        assertEquals(0, m.handshakesAccepted());
        assertEquals(-1, m.lastPingRoundTripNanos());
        assertEquals(0, server.broadcast("x"));
        assertEquals(0, server.broadcast(ByteBuffer.allocate(3)));
        assertEquals(0, server.publish("news", "x"));
        assertEquals(0, server.publish("news", ByteBuffer.allocate(3)));
        assertEquals(new StopReport(0, 0), server.stop(Duration.ofSeconds(1)));
        assertEquals(-1, server.port());
    }

    @Test
    void broadcastDoesNotConsumeTheCallersBuffer() {
        WebSocketServer server = valid().build();
        ByteBuffer data = ByteBuffer.wrap(new byte[] {1, 2, 3, 4});
        data.position(1);
        server.broadcast(data);
        server.publish("t", data);
        assertEquals(1, data.position());
        assertEquals(4, data.limit());
    }

    @Test
    void onlyConnectionsOfThisServerCanSubscribe() {
        WebSocketServer server = valid().build();
        WebSocket foreign = new ForeignSocket();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> server.subscribe(foreign, "news"));
        assertTrue(e.getMessage().startsWith("not a connection of this server"), e.getMessage());
        assertEquals("topic", assertThrows(NullPointerException.class,
                () -> server.subscribe(foreign, null)).getMessage());
        server.unsubscribe(foreign, "news");   // never subscribed: nothing to do
        assertEquals(0, server.publish("news", "x"));
    }

    /** A WebSocket that no server made. */
    private static final class ForeignSocket implements WebSocket {
        @Override
        public CompletionStage<Void> sendText(CharSequence text) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> sendBinary(ByteBuffer data) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> ping(ByteBuffer payload) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<io.wirefly.core.CloseInfo> close(int code, String reason) {
            return CompletableFuture.completedFuture(new io.wirefly.core.CloseInfo(code, reason));
        }

        @Override
        public ReadyState readyState() {
            return ReadyState.OPEN;
        }

        @Override
        public long bufferedAmount() {
            return 0;
        }

        @Override
        public String subprotocol() {
            return "";
        }

        @Override
        public String path() {
            return "/";
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return InetSocketAddress.createUnresolved("elsewhere", 1);
        }

        @Override
        public io.wirefly.core.UpgradeRequest request() {
            throw new IllegalStateException("no request");
        }
    }
}
