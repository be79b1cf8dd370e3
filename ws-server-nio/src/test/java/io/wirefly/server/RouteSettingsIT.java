package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Per-route settings over the server's: a route with larger limits and deflate next to one with the server's small
 * limit, a route whose handler runs on its own executor, and a route whose idle timeout pings a silent peer while
 * the server's (none) leaves it alone.
 */
class RouteSettingsIT {

    @Test
    void eachRouteGetsItsOwnLimitsDeflateExecutorAndTimeouts() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "route-pool"));
        WebSocketHandler whoRuns = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                ws.sendText(text.length() > 100 ? "got " + text.length() : Thread.currentThread().getName());
            }
        };
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .config(WebSocketConfig.builder().maxMessageSize(1000).build()).idleTimeout(Duration.ZERO)
                .route("/small", whoRuns)
                .route("/big", whoRuns, RouteSettings.builder()
                        .config(WebSocketConfig.builder().maxMessageSize(100_000).deflate(true).build()).build())
                .route("/pooled", whoRuns, RouteSettings.builder().executor(pool).build())
                .route("/lively", whoRuns, RouteSettings.builder().idleTimeout(Duration.ofMillis(200))
                        .pongTimeout(Duration.ofSeconds(5)).build())
                .build().start();
        try (WebSocketClient client = WebSocketClient.builder()
                .config(WebSocketConfig.builder().deflate(true).maxMessageSize(200_000).build()).build()) {
            String base = "ws://127.0.0.1:" + server.port();
            Recorder big = new Recorder();
            WebSocket b = client.connect(URI.create(base + "/big"), big).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(b.request().extensions().get(0).startsWith("permessage-deflate"), "deflate on this route");
            b.sendText("x".repeat(50_000));
            assertEquals("got 50000", big.next());

            Recorder small = new Recorder();
            WebSocket s = client.connect(URI.create(base + "/small"), small).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            assertEquals(List.of(), s.request().extensions(), "the server's: no deflate");
            s.sendText("on which thread?");
            assertTrue(((String) small.next()).startsWith("wirefly"), "the server's: inline on its loop");
            s.sendText("x".repeat(50_000));
            assertEquals(1009, small.closeCode(), "the server's 1000-byte limit");

            Recorder pooled = new Recorder();
            WebSocket p = client.connect(URI.create(base + "/pooled"), pooled).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            p.sendText("on which thread?");
            assertEquals("route-pool", pooled.next());

            // A silent raw peer: on /lively the server pings it after 200 ms; on /small nothing comes.
            assertEquals(0x89, firstByteWithin("/lively", server.port(), 3_000), "a ping");
            assertThrows(java.net.SocketTimeoutException.class, () -> firstByteWithin("/small", server.port(), 600));
        } finally {
            server.stop(Duration.ofSeconds(2));
            pool.shutdownNow();
        }
    }

    @Test
    void badRouteSettingsFailAtBuildNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RouteSettings.builder().idleTimeout(Duration.ofSeconds(-1)).build());
        assertTrue(e.getMessage().startsWith("idleTimeout"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> RouteSettings.builder().pongTimeout(Duration.ZERO)
                .build());
        assertTrue(e.getMessage().startsWith("pongTimeout"), e.getMessage());
    }

    /** Upgrades a raw socket on {@code path}, sends nothing more, and returns the first frame byte the server sends. */
    private static int firstByteWithin(String path, int port, int millis) throws Exception {
        try (Socket raw = new Socket("127.0.0.1", port)) {
            raw.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            raw.setSoTimeout(5_000);
            InputStream in = raw.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                head.append((char) in.read());
            }
            raw.setSoTimeout(millis);
            return in.read();
        }
    }
}
