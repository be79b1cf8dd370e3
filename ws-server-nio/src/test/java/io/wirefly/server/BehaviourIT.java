package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The transport's promises: no blocking of others, scale, back-pressure, timeouts, graceful stop. */
class BehaviourIT {

    @Test
    void aHandlerBlockingOnTheExecutorDoesNotDelayOtherConnections() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        WebSocketHandler slowThenEcho = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                try {
                    Thread.sleep(1_000);   // a blocking GPIO call or database query
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ws.sendText("slow:" + text);
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).eventLoops(1).executor(pool)
                .route("/slow", slowThenEcho).route("/fast", Recorder.echo()).build().start();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            Recorder slow = new Recorder();
            Recorder fast = new Recorder();
            WebSocket s = client.connect(uri(server, "/slow"), slow).toCompletableFuture().get(10, TimeUnit.SECONDS);
            WebSocket f = client.connect(uri(server, "/fast"), fast).toCompletableFuture().get(10, TimeUnit.SECONDS);
            s.sendText("a");
            for (int i = 0; i < 20; i++) {
                f.sendText("f" + i);
                assertEquals("f" + i, fast.next());
            }
            assertTrue(slow.messages.isEmpty(), "all fast echoes arrived while the slow handler still blocked");
            assertEquals("slow:a", slow.next());
        } finally {
            server.stop(Duration.ofSeconds(2));
            pool.shutdownNow();
        }
    }

    @Test
    void aThousandConcurrentConnectionsEcho() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).route("/", Recorder.echo()).build().start();
        try (WebSocketClient client = WebSocketClient.builder().eventLoops(2).build()) {
            List<CompletableFuture<WebSocket>> connecting = new ArrayList<>();
            List<Recorder> recorders = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                Recorder r = new Recorder();
                recorders.add(r);
                connecting.add(client.connect(uri(server, "/"), r).toCompletableFuture());
            }
            List<WebSocket> sockets = new ArrayList<>();
            for (CompletableFuture<WebSocket> c : connecting) {
                sockets.add(c.get(30, TimeUnit.SECONDS));
            }
            Peers.await(Duration.ofSeconds(10), "1000 open connections", () -> server.metrics().openConnections() == 1000);
            for (int i = 0; i < sockets.size(); i++) {
                sockets.get(i).sendText("hello " + i);
            }
            for (int i = 0; i < sockets.size(); i++) {
                assertEquals("hello " + i, recorders.get(i).next());
            }
        } finally {
            server.stop(Duration.ofSeconds(5));
        }
    }

    @Test
    void aClientThatStopsReadingIsPausedThenClosedWith1008AndTheQueueStaysBounded() throws Exception {
        CompletableFuture<WebSocket> serverSide = new CompletableFuture<>();
        CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        long maxBuffer = 4 << 20;
        WebSocketServer server = WebSocketServer.builder().port(0).writeWaterMarks(64 << 10, 256 << 10)
                .maxWriteBuffer(maxBuffer).closeTimeout(Duration.ofMillis(500))
                .route("/", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        serverSide.complete(ws);
                    }

                    @Override
                    public void onClose(WebSocket ws, int code, String reason) {
                        closeCode.complete(code);
                    }
                }).build().start();
        try (RawClient client = new RawClient(server.port())) {
            client.socket.setReceiveBufferSize(4096);
            assertTrue(client.upgrade("/").startsWith("HTTP/1.1 101"));
            WebSocket ws = serverSide.get(10, TimeUnit.SECONDS);
            ByteBuffer chunk = ByteBuffer.allocate(64 << 10);
            long maxSeen = 0;
            int sent = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!closeCode.isDone() && sent < 2_000 && System.nanoTime() < deadline) {
                ws.sendBinary(chunk.duplicate());
                sent++;
                maxSeen = Math.max(maxSeen, ws.bufferedAmount());
                if (sent % 16 == 0) {
                    Thread.sleep(1);   // let the loop run; the client never reads
                }
            }
            assertEquals(1008, closeCode.get(10, TimeUnit.SECONDS));
            assertTrue(server.metrics().backpressurePauses() >= 1, "reads were paused first");
            assertTrue(maxSeen <= maxBuffer + (2 << 20), "queue stayed bounded: " + maxSeen);
            assertEquals(1L, server.metrics().closeCodesSent().get(1008));
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void theCloseFrameSurvivesUnreadInputFromAPeerThatKeepsSending() throws Exception {
        // The server fails the connection on the frame header (1009) while most of the frame is still unread in
        // its socket. Closing the socket then would answer with a TCP reset, and the peer's kernel could drop the
        // close frame before the peer reads it. The server must send the frame, then FIN, and drain its input.
        WebSocketServer server = WebSocketServer.builder().port(0)
                .config(io.wirefly.core.WebSocketConfig.builder().maxFrameSize(65_536).maxMessageSize(65_536).build())
                .route("/", Recorder.echo()).build().start();
        try {
            for (int attempt = 0; attempt < 10; attempt++) {
                try (RawClient client = new RawClient(server.port())) {
                    assertTrue(client.upgrade("/").startsWith("HTTP/1.1 101"));
                    byte[] frame = new byte[14 + 512 * 1024];
                    frame[0] = (byte) 0x82;          // FIN + binary
                    frame[1] = (byte) (0x80 | 127);  // masked, 64-bit length follows
                    long declared = 1L << 20;        // 1 MiB: above maxFrameSize
                    for (int i = 0; i < 8; i++) {
                        frame[2 + i] = (byte) (declared >>> (56 - 8 * i));
                    }
                    client.write(frame);             // header, zero mask key, 512 KiB of the payload
                    byte[] got = client.readToEnd();
                    assertTrue(got.length >= 4, "attempt " + attempt + ": got " + got.length + " bytes");
                    assertEquals(0x88, got[0] & 0xFF, "a close frame");
                    assertEquals(1009, ((got[2] & 0xFF) << 8) | (got[3] & 0xFF), "close code");
                }
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aStalledHandshakeIsClosedAtTheHandshakeTimeout() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).handshakeTimeout(Duration.ofMillis(300))
                .route("/", Recorder.echo()).build().start();
        try (RawClient slowloris = new RawClient(server.port())) {
            slowloris.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");   // and then nothing
            long start = System.nanoTime();
            assertEquals(0, slowloris.readToEnd().length, "closed without a response");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(ms < 10_000, "closed by the timeout, after " + ms + " ms");
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aPeerThatStopsAnsweringPingsIsClosed() throws Exception {
        Recorder events = new Recorder();
        WebSocketServer server = WebSocketServer.builder().port(0).idleTimeout(Duration.ofMillis(200))
                .pongTimeout(Duration.ofMillis(300)).route("/", new WebSocketHandler() {
                    @Override
                    public void onClose(WebSocket ws, int code, String reason) {
                        events.onClose(ws, code, reason);
                    }
                }).build().start();
        try (RawClient mute = new RawClient(server.port())) {
            assertTrue(mute.upgrade("/").startsWith("HTTP/1.1 101"));
            byte[] received = mute.readToEnd();   // pings arrive, are never answered, then the server hangs up
            assertTrue(received.length >= 2 && (received[0] & 0x0F) == 0x9, "a ping came first");
            assertEquals(1006, events.closeCode());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void stopSends1001ToEveryoneFreesThePortAndAServerRestartsOnIt() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).route("/", Recorder.echo()).build().start();
        int port = server.port();
        List<Recorder> clients = new ArrayList<>();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            for (int i = 0; i < 5; i++) {
                Recorder r = new Recorder();
                clients.add(r);
                client.connect(uri(server, "/"), r).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            StopReport report = server.stop(Duration.ofSeconds(5));
            assertEquals(new StopReport(5, 0), report);
            for (Recorder r : clients) {
                assertEquals(1001, r.closeCode());
            }
            WebSocketServer again = WebSocketServer.builder().port(port).route("/", Recorder.echo()).build().start();
            try {
                Recorder r = new Recorder();
                WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + port + "/"), r)
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                ws.sendText("after restart");
                assertEquals("after restart", r.next());
            } finally {
                again.stop(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void broadcastAndTopicsReachEveryOpenSubscriber() throws Exception {
        AtomicInteger joined = new AtomicInteger();
        WebSocketServer[] holder = new WebSocketServer[1];
        WebSocketServer server = WebSocketServer.builder().port(0).route("/", new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                holder[0].subscribe(ws, text);
                joined.incrementAndGet();
            }
        }).build();
        holder[0] = server;
        server.start();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            List<Recorder> all = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Recorder r = new Recorder();
                all.add(r);
                WebSocket ws = client.connect(uri(server, "/"), r).toCompletableFuture().get(10, TimeUnit.SECONDS);
                ws.sendText(i % 2 == 0 ? "even" : "odd");
            }
            Peers.await(Duration.ofSeconds(10), "6 subscriptions", () -> joined.get() == 6);
            assertEquals(3, server.publish("even", "to the evens"));
            assertEquals(6, server.broadcast("to everyone"));
            for (int i = 0; i < 6; i++) {
                if (i % 2 == 0) {
                    assertEquals("to the evens", all.get(i).next());
                }
                assertEquals("to everyone", all.get(i).next());
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    static URI uri(WebSocketServer server, String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }
}
