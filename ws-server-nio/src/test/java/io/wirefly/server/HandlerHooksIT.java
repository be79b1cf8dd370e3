package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a handler sees and what its mistakes cost, with the JDK's WebSocket client as the peer: an exception thrown by
 * a handler closes that connection with 1011 (onError once, the others keep their echo), and {@code onPing} gets
 * each ping's payload while the peer still gets its pong. Both inline on the loop and on an executor.
 */
class HandlerHooksIT {

    /** The JDK client: records texts, pongs and the close code. */
    static final class JdkPeer implements java.net.http.WebSocket.Listener {
        final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<String> pongs = new LinkedBlockingQueue<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        java.net.http.WebSocket ws;

        static JdkPeer connect(int port, String path) throws Exception {
            JdkPeer p = new JdkPeer();
            p.ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + path), p).get(10, TimeUnit.SECONDS);
            return p;
        }

        @Override
        public CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
            texts.add(data.toString());
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(java.net.http.WebSocket w, ByteBuffer message) {
            pongs.add(StandardCharsets.UTF_8.decode(message).toString());
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(java.net.http.WebSocket w, int code, String reason) {
            closed.complete(code + " " + reason);
            return null;
        }
    }

    @ParameterizedTest(name = "on an executor: {0}")
    @ValueSource(booleans = {false, true})
    void aHandlerThatThrowsClosesItsConnectionWith1011AndNoOther(boolean onExecutor) throws Exception {
        AtomicInteger errors = new AtomicInteger();
        LinkedBlockingQueue<Integer> serverCloses = new LinkedBlockingQueue<>();
        WebSocketHandler fragile = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                if (text.equals("boom")) {
                    throw new IllegalStateException("the handler's own bug");
                }
                ws.sendText(text);
            }

            @Override
            public void onError(WebSocket ws, Throwable error) {
                if (error instanceof IllegalStateException) {
                    errors.incrementAndGet();
                }
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                serverCloses.add(code);
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        WebSocketServer.Builder builder = WebSocketServer.builder().port(0).route("/", fragile);
        if (onExecutor) {
            builder.executor(pool);
        }
        WebSocketServer server = builder.build().start();
        try {
            JdkPeer victim = JdkPeer.connect(server.port(), "/");
            JdkPeer bystander = JdkPeer.connect(server.port(), "/");
            victim.ws.sendText("fine", true).get(5, TimeUnit.SECONDS);
            assertEquals("fine", victim.texts.poll(10, TimeUnit.SECONDS));

            victim.ws.sendText("boom", true).get(5, TimeUnit.SECONDS);
            assertEquals("1011 internal error", victim.closed.get(10, TimeUnit.SECONDS));
            assertEquals(1011, serverCloses.poll(10, TimeUnit.SECONDS), "the handler's onClose sees the code sent");
            assertEquals(1, errors.get(), "onError once");

            bystander.ws.sendText("still here", true).get(5, TimeUnit.SECONDS);
            assertEquals("still here", bystander.texts.poll(10, TimeUnit.SECONDS));
            assertTrue(!bystander.closed.isDone());
        } finally {
            server.stop(Duration.ofSeconds(2));
            pool.shutdownNow();
        }
    }

    @ParameterizedTest(name = "on an executor: {0}")
    @ValueSource(booleans = {false, true})
    void onPingSeesEachPayloadAndThePeerStillGetsItsPong(boolean onExecutor) throws Exception {
        LinkedBlockingQueue<String> pings = new LinkedBlockingQueue<>();
        WebSocketHandler listening = new WebSocketHandler() {
            @Override
            public void onPing(WebSocket ws, ByteBuffer payload) {
                pings.add(StandardCharsets.UTF_8.decode(payload).toString());
            }
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        WebSocketServer.Builder builder = WebSocketServer.builder().port(0).route("/", listening)
                .route("/deaf", Recorder.echo());
        if (onExecutor) {
            builder.executor(pool);
        }
        WebSocketServer server = builder.build().start();
        try {
            JdkPeer peer = JdkPeer.connect(server.port(), "/");
            for (int i = 0; i < 20; i++) {
                peer.ws.sendPing(ByteBuffer.wrap(("ping " + i).getBytes(StandardCharsets.UTF_8)))
                        .get(5, TimeUnit.SECONDS);
            }
            for (int i = 0; i < 20; i++) {
                assertEquals("ping " + i, pings.poll(10, TimeUnit.SECONDS), "every payload copied, in order");
            }
            // RFC 6455 §5.5.3: when pings come faster than their pongs go, answering the latest is enough; so the
            // pongs are an increasing run of the pings that ends with the last one.
            int last = -1;
            while (last < 19) {
                int n = Integer.parseInt(pongOrFail(peer).substring("ping ".length()));
                assertTrue(n > last, "pongs in order: " + n + " after " + last);
                last = n;
            }

            JdkPeer deaf = JdkPeer.connect(server.port(), "/deaf");
            deaf.ws.sendPing(ByteBuffer.wrap("anyone?".getBytes(StandardCharsets.UTF_8))).get(5, TimeUnit.SECONDS);
            assertEquals("anyone?", pongOrFail(deaf), "a handler without onPing: the pong still comes");
        } finally {
            server.stop(Duration.ofSeconds(2));
            pool.shutdownNow();
        }
    }

    @org.junit.jupiter.api.Test
    void topicsAreReachableFromTheHandleAndAClosedConnectionLeavesThem() throws Exception {
        WebSocketHandler room = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket ws) {
                ws.subscribe("room");
            }

            @Override
            public void onText(WebSocket ws, String text) {
                int reached = ws.publish("room", text);
                ws.sendText("reached " + reached);
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).route("/room", room).build().start();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            JdkPeer a = JdkPeer.connect(server.port(), "/room");
            JdkPeer b = JdkPeer.connect(server.port(), "/room");
            Peers.await(Duration.ofSeconds(10), "two members", () -> server.metrics().openConnections() == 2);
            a.ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
            assertEquals("hello", b.texts.poll(10, TimeUnit.SECONDS));
            assertEquals(java.util.Set.of("hello", "reached 2"),
                    java.util.Set.of(a.texts.poll(10, TimeUnit.SECONDS), a.texts.poll(10, TimeUnit.SECONDS)));
            b.ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            b.closed.get(10, TimeUnit.SECONDS);
            Peers.await(Duration.ofSeconds(10), "b gone", () -> server.metrics().openConnections() == 1);
            a.ws.sendText("alone", true).get(5, TimeUnit.SECONDS);
            assertEquals(java.util.Set.of("alone", "reached 1"),
                    java.util.Set.of(a.texts.poll(10, TimeUnit.SECONDS), a.texts.poll(10, TimeUnit.SECONDS)));

            WebSocket ours = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/room"),
                    new Recorder()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                    () -> ours.subscribe("room"), "a client connection has no topics");
            ours.close();
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @org.junit.jupiter.api.Test
    void closeReturnsHowTheConnectionEndedAndAnUnansweredCloseEndsAs1006() throws Exception {
        LinkedBlockingQueue<WebSocket> opened = new LinkedBlockingQueue<>();
        WebSocketHandler keep = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket ws) {
                opened.add(ws);
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).closeTimeout(Duration.ofMillis(500))
                .route("/", keep).build().start();
        try {
            JdkPeer peer = JdkPeer.connect(server.port(), "/");
            WebSocket ws = opened.poll(10, TimeUnit.SECONDS);
            CompletableFuture<io.wirefly.core.CloseInfo> ended = ws.close(4000, "done").toCompletableFuture();
            org.junit.jupiter.api.Assertions.assertNotEquals(io.wirefly.core.ReadyState.OPEN, ws.readyState(),
                    "CLOSING at once, from the test thread");
            assertEquals("4000 done", peer.closed.get(10, TimeUnit.SECONDS));
            io.wirefly.core.CloseInfo info = ended.get(10, TimeUnit.SECONDS);
            assertEquals(4000, info.code(), "the JDK client echoes the code: " + info);
            assertTrue(info.clean());
            assertEquals(info, ws.close().toCompletableFuture().get(1, TimeUnit.SECONDS), "again: the same outcome");

            // Asked only after the peer ended it: the same answer, at once.
            JdkPeer leaving = JdkPeer.connect(server.port(), "/");
            WebSocket left = opened.poll(10, TimeUnit.SECONDS);
            leaving.ws.sendClose(4001, "bye").get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (left.readyState() != io.wirefly.core.ReadyState.CLOSED && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            io.wirefly.core.CloseInfo afterwards = left.close().toCompletableFuture().get(1, TimeUnit.SECONDS);
            assertEquals(4001, afterwards.code(), "the peer's code: " + afterwards);
            assertEquals("bye", afterwards.reason());

            // A peer that never answers: the close timeout ends it, as 1006.
            try (java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) {
                raw.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                WebSocket silent = opened.poll(10, TimeUnit.SECONDS);
                long start = System.nanoTime();
                io.wirefly.core.CloseInfo cut = silent.close(1000, "").toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertEquals(1006, cut.code());
                assertTrue(!cut.clean());
                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(400), "after the close timeout");
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @org.junit.jupiter.api.Test
    void closingTheClientClosesEachConnectionWithAHandshakeAndConnectNeverThrows() throws Exception {
        LinkedBlockingQueue<Integer> serverSaw = new LinkedBlockingQueue<>();
        WebSocketHandler record = new WebSocketHandler() {
            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                serverSaw.add(code);
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).route("/", record).build().start();
        try {
            WebSocketClient client = WebSocketClient.builder().build();
            URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/");
            WebSocket a = client.connect(uri, new Recorder()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            WebSocket b = client.connect(uri, new Recorder()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            client.close();
            assertEquals(1001, serverSaw.poll(10, TimeUnit.SECONDS), "a closing handshake, not a cut (1006)");
            assertEquals(1001, serverSaw.poll(10, TimeUnit.SECONDS));
            assertEquals(io.wirefly.core.ReadyState.CLOSED, a.readyState());
            assertEquals(io.wirefly.core.ReadyState.CLOSED, b.readyState());

            // Every connect failure is the future's: a closed client, a bad scheme, a refused port.
            WebSocketClient other = WebSocketClient.builder().build();
            CompletionStage<WebSocket> badScheme = other.connect(URI.create("http://127.0.0.1/"), new Recorder());
            other.close();
            for (CompletionStage<WebSocket> failed : java.util.List.of(client.connect(uri, new Recorder()),
                    badScheme)) {
                java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                        java.util.concurrent.ExecutionException.class,
                        () -> failed.toCompletableFuture().get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof IllegalStateException
                        || e.getCause() instanceof IllegalArgumentException, e.getCause().toString());
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    private static String pongOrFail(JdkPeer peer) throws InterruptedException {
        String pong = peer.pongs.poll(10, TimeUnit.SECONDS);
        if (pong == null) {
            throw new AssertionError("no pong within 10 s");
        }
        return pong;
    }
}
