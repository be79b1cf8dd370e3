package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Regression tests for the transport findings of the hardening issue: each one failed on the code before the
 * Session split and passes now. Real sockets on loopback; misbehaving peers are {@link RawClient}s.
 */
class HardeningIT {

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(() -> what, condition);
    }

    private static void await(java.util.function.Supplier<String> what, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for: " + what.get());
            }
            Thread.sleep(10);
        }
    }

    private static URI uri(WebSocketServer server, String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    private static String upgradeRequest(String extraHeaders) {
        return "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
    }

    /** A masked frame header (zero key) announcing {@code length} payload bytes. */
    private static byte[] header(int opcode, long length) {
        ByteBuffer b = ByteBuffer.allocate(14);
        b.put((byte) (0x80 | opcode));
        if (length < 126) {
            b.put((byte) (0x80 | length));
        } else if (length < 65536) {
            b.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            b.put((byte) (0x80 | 127)).putLong(length);
        }
        b.putInt(0);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    /** A frame from the server; opcode -1: the connection ended instead. */
    private record Frame(int opcode, byte[] payload) {
    }

    private static Frame nextFrame(RawClient c) throws IOException {
        InputStream in = c.socket.getInputStream();
        int b0 = in.read();
        if (b0 < 0) {
            return new Frame(-1, new byte[0]);
        }
        int b1 = in.read();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = (in.read() << 8) | in.read();
        } else if (len == 127) {
            len = ByteBuffer.wrap(in.readNBytes(8)).getLong();
        }
        return new Frame(b0 & 0x0F, in.readNBytes((int) len));
    }

    /** Reads frames until a close frame arrives; returns its code (or -1 if the connection ended without one). */
    private static int readCloseCode(RawClient c) throws IOException {
        while (true) {
            Frame f = nextFrame(c);
            if (f.opcode() == -1) {
                return -1;
            }
            if (f.opcode() == 8) {
                byte[] payload = f.payload();
                return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            }
        }
    }

    /**
     * Broadcasts are not caused by the recipients' reads, so pausing reads cannot bound them. Four peers that never
     * read and one JDK client that does get 2,000 broadcasts of 16 KiB, one a millisecond, with a server-wide output
     * budget of 512 KiB: once the budget is used up, each peer that is more than highWaterMark behind is failed with
     * 1008, and the reader gets every message. (Without that rule the four queues would grow to about 30 MB each,
     * bounded only by maxWriteBuffer, here 64 MiB.)
     */
    @Test
    void broadcastsToPeersThatDoNotReadStopAtTheServerWideBudget() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).maxOutboundBuffer(512 << 10)
                .writeWaterMarks(16 << 10, 64 << 10).maxWriteBuffer(64 << 20).closeTimeout(Duration.ofSeconds(1))
                .route("/", Recorder.echo()).build().start();
        List<RawClient> sleepers = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawClient c = new RawClient(server.port());
                sleepers.add(c);
                assertTrue(c.upgrade("/").startsWith("HTTP/1.1 101"));
            }
            java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            java.net.http.WebSocket reader = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(uri(server, "/"), new java.net.http.WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onBinary(java.net.http.WebSocket ws,
                                ByteBuffer data, boolean last) {
                            if (last) {
                                got.incrementAndGet();
                            }
                            ws.request(1);
                            return null;
                        }

                        @Override
                        public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code,
                                String reason) {
                            closed.complete(code);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            await("all five connections to be open", () -> server.metrics().openConnections() == 5);

            byte[] message = new byte[16 << 10];
            for (int i = 0; i < 2000; i++) {
                server.broadcast(ByteBuffer.wrap(message));
                Thread.sleep(1);
            }
            await("every message to reach the reader", () -> got.get() == 2000);
            await("the four that never read to be failed", () -> server.metrics().openConnections() == 1);
            assertTrue(server.metrics().closeCodesSent().getOrDefault(1008, 0L) >= 4,
                    "1008 for the peers that fell behind: " + server.metrics().closeCodesSent());
            assertTrue(!closed.isDone(), "the reader kept up and stays open");
            reader.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        } finally {
            for (RawClient c : sleepers) {
                c.close();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * The same bound for a relay on one event loop: a handler sends each message it gets to every connection, so
     * the messages that reach the four peers that never read are caused by another connection's reads, on the
     * same loop. Pausing the sleepers' reads cannot hold them back; the server-wide budget does, as for a
     * broadcast. (Without that rule each sleeper's queue would grow to the 32 MB relayed, bounded only by
     * maxWriteBuffer.)
     */
    @Test
    void aRelayOnTheSameLoopToPeersThatDoNotReadStopsAtTheServerWideBudget() throws Exception {
        java.util.Set<WebSocket> everyone = java.util.concurrent.ConcurrentHashMap.newKeySet();
        WebSocketHandler relay = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket ws) {
                everyone.add(ws);
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                everyone.remove(ws);
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                for (WebSocket each : everyone) {
                    each.sendBinary(data.duplicate());
                }
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).eventLoops(1).maxOutboundBuffer(512 << 10)
                .writeWaterMarks(16 << 10, 64 << 10).maxWriteBuffer(64 << 20).closeTimeout(Duration.ofSeconds(1))
                .route("/", relay).build().start();
        List<RawClient> sleepers = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                RawClient c = new RawClient(server.port());
                sleepers.add(c);
                assertTrue(c.upgrade("/").startsWith("HTTP/1.1 101"));
            }
            java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            java.net.http.WebSocket sender = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(uri(server, "/"), new java.net.http.WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onBinary(java.net.http.WebSocket ws,
                                ByteBuffer data, boolean last) {
                            if (last) {
                                got.incrementAndGet();
                            }
                            ws.request(1);
                            return null;
                        }

                        @Override
                        public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws, int code,
                                String reason) {
                            closed.complete(code);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            await("all five connections to be open", () -> server.metrics().openConnections() == 5);

            byte[] message = new byte[16 << 10];
            for (int i = 0; i < 2000; i++) {
                sender.sendBinary(ByteBuffer.wrap(message), true).get(10, TimeUnit.SECONDS);
                Thread.sleep(1);
            }
            await("every message to come back to the sender", () -> got.get() == 2000);
            await("the four that never read to be failed", () -> server.metrics().openConnections() == 1);
            assertTrue(server.metrics().closeCodesSent().getOrDefault(1008, 0L) >= 4,
                    "1008 for the peers that fell behind: " + server.metrics().closeCodesSent());
            assertTrue(!closed.isDone(), "the sender kept up and stays open");
            sender.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        } finally {
            for (RawClient c : sleepers) {
                c.close();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * Twelve peers send 60 KB messages to an echo and read nothing. Each one's reads pause only once an echo is
     * stuck in its queue, so together they would queue twelve echoes, 720 KB, against a server-wide budget of
     * 256 KiB. Past a quarter above the budget (five echoes) the server closes connections, without a close frame,
     * and a fresh client is still echoed. Without the ceiling all twelve stayed open, paused, holding their echoes.
     */
    @Test
    void peersThatStopReadingAtOnceAreClosedOnceTheServersOutputPassesItsCeiling() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).maxOutboundBuffer(256 << 10)
                .writeWaterMarks(1 << 20, 4 << 20).route("/", Recorder.echo()).build().start();
        int peers = 12;
        byte[] frame = new byte[8 + 60_000];   // masked with a zero key: the payload goes as is
        frame[0] = (byte) 0x82;
        frame[1] = (byte) (0x80 | 126);
        frame[2] = (byte) (60_000 >> 8);
        frame[3] = (byte) 60_000;
        List<RawClient> sockets = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        try {
            for (int i = 0; i < peers; i++) {
                RawClient c = new RawClient(server.port(), 4 << 10);   // a small window: echoes back up soon
                assertTrue(c.upgrade("/").startsWith("HTTP/1.1 101"));
                java.net.Socket s = c.socket;
                sockets.add(c);
                Thread t = new Thread(() -> {
                    try {
                        for (int m = 0; m < 400; m++) {   // at most 24 MB: blocks long before, once reads pause
                            s.getOutputStream().write(frame);
                        }
                    } catch (IOException e) {
                        // closed by the server, or by the test at the end
                    }
                }, "never-reading-" + i);
                t.setDaemon(true);
                t.start();
                senders.add(t);
            }
            await(() -> "some of the peers that read nothing to be closed; open: "
                    + server.metrics().openConnections(), () -> server.metrics().openConnections() <= peers - 4);

            AtomicReference<String> echoed = new AtomicReference<>();
            CountDownLatch got = new CountDownLatch(1);
            java.net.http.WebSocket fresh = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(uri(server, "/"), new java.net.http.WebSocket.Listener() {
                        @Override
                        public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws,
                                CharSequence data, boolean last) {
                            echoed.set(data.toString());
                            got.countDown();
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
            fresh.sendText("still here", true).get(10, TimeUnit.SECONDS);
            assertTrue(got.await(10, TimeUnit.SECONDS), "a fresh client is echoed");
            assertEquals("still here", echoed.get());
            fresh.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        } finally {
            for (RawClient c : sockets) {
                c.close();
            }
            for (Thread t : senders) {
                t.join(5_000);
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * A broadcast frame is one buffer for all its subscribers, so a large broadcast queued to many peers at once is
     * not memory multiplied: twenty readers get five 1 MB broadcasts through a server whose output budget is
     * 256 KiB, and none is closed. (With each queue counting the frame as its own, all twenty were cut, having
     * received 80 of the 100 messages.)
     */
    @Test
    void aLargeBroadcastToManyReadersIsNotCutByTheOutputCeiling() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).maxOutboundBuffer(256 << 10)
                .route("/", Recorder.echo()).build().start();
        int readers = 20;
        int messages = 5;
        java.util.concurrent.atomic.AtomicInteger got = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
        List<java.net.http.WebSocket> clients = new ArrayList<>();
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            for (int i = 0; i < readers; i++) {
                clients.add(http.newWebSocketBuilder().buildAsync(uri(server, "/"),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onBinary(java.net.http.WebSocket ws,
                                    ByteBuffer data, boolean last) {
                                if (last) {
                                    got.incrementAndGet();
                                }
                                ws.request(1);
                                return null;
                            }

                            @Override
                            public void onError(java.net.http.WebSocket ws, Throwable error) {
                                closed.incrementAndGet();
                            }

                            @Override
                            public java.util.concurrent.CompletionStage<?> onClose(java.net.http.WebSocket ws,
                                    int code, String reason) {
                                closed.incrementAndGet();
                                return null;
                            }
                        }).get(10, TimeUnit.SECONDS));
            }
            await("all readers to be open", () -> server.metrics().openConnections() == readers);
            byte[] message = new byte[1_000_000];
            for (int i = 0; i < messages; i++) {
                server.broadcast(ByteBuffer.wrap(message));
            }
            await(() -> "every reader to get every broadcast: " + got.get() + ", closed " + closed.get(),
                    () -> got.get() == readers * messages);
            assertEquals(0, closed.get(), "nobody was closed");
            assertEquals(readers, server.metrics().openConnections());
        } finally {
            for (java.net.http.WebSocket ws : clients) {
                ws.abort();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aClientThatResetsBeforeThe101LeavesNoGhostConnection() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).maxConnections(5).route("/", Recorder.echo())
                .build().start();
        try {
            for (int i = 0; i < 50; i++) {
                RawClient c = new RawClient(server.port());
                c.socket.setSoLinger(true, 0);   // close() sends RST
                c.write(upgradeRequest(""));
                c.close();
            }
            await("every reset connection to be forgotten", () -> server.metrics().openConnections() == 0);
            // Had any stayed counted, the limit of 5 would refuse this handshake with 503.
            try (WebSocketClient client = WebSocketClient.builder().build()) {
                Recorder r = new Recorder();
                WebSocket ws = client.connect(uri(server, "/"), r).toCompletableFuture().get(10, TimeUnit.SECONDS);
                ws.sendText("still serving");
                assertEquals("still serving", r.next());
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void slowHandlersOnAnExecutorPauseReadingAndLoseNothing() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        CountDownLatch gate = new CountDownLatch(1);
        List<String> got = java.util.Collections.synchronizedList(new ArrayList<>());
        WebSocketHandler slow = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                try {
                    gate.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                got.add(text);
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).executor(pool).route("/", slow).build().start();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            WebSocket ws = client.connect(uri(server, "/"), new Recorder()).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            int n = 2_000;
            for (int i = 0; i < n; i++) {
                ws.sendText("m" + i);
            }
            await("reading to pause on the handler backlog", () -> server.metrics().backpressurePauses() > 0);
            long readSoFar = server.metrics().messagesIn();
            assertTrue(readSoFar < n, "read " + readSoFar + " of " + n + " while the handler was blocked");
            gate.countDown();
            await("every message handled", () -> got.size() == n);
            for (int i = 0; i < n; i++) {
                assertEquals("m" + i, got.get(i));
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
            pool.shutdownNow();
        }
    }

    /**
     * Whole messages that wait for a slow executor stay in the inbound budget until their handler has run. Before,
     * they left it when they were complete, so peers of a server whose handlers run on one slow thread (the LED
     * example's GPIO thread) could queue 64 messages of 1 MiB each per connection: by hand, 16 such peers kept a
     * {@code -Xmx64m} LED server in back-to-back full collections. Here four 200 KiB messages wait on a blocked
     * handler and fill most of a 1 MiB budget, so a fifth peer's message does not fit (1013, try again later); once
     * the handler runs, all four are handled and echoed, and the budget has room again.
     */
    @Test
    void messagesWaitingForASlowExecutorStayWithinTheInboundBudget() throws Exception {
        WebSocketConfig config = WebSocketConfig.builder().maxFrameSize(256 << 10).maxMessageSize(256 << 10).build();
        ExecutorService gpio = Executors.newSingleThreadExecutor();
        CountDownLatch gate = new CountDownLatch(1);
        WebSocketHandler slow = new WebSocketHandler() {
            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                try {
                    gate.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                ws.sendBinary(data);
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).config(config).maxInboundBuffer(1 << 20)
                .executor(gpio).route("/", slow).build().start();
        List<RawClient> waiting = new ArrayList<>();
        byte[] message = new byte[200 << 10];
        new java.util.Random(11).nextBytes(message);
        try {
            for (int i = 0; i < 4; i++) {
                RawClient c = new RawClient(server.port());
                waiting.add(c);
                assertTrue(c.upgrade("/").startsWith("HTTP/1.1 101"));
                c.write(header(2, message.length));
                c.write(message);
            }
            await("four whole messages queued for the blocked handler", () -> server.metrics().messagesIn() == 4);
            try (RawClient late = new RawClient(server.port())) {
                assertTrue(late.upgrade("/").startsWith("HTTP/1.1 101"));
                late.write(header(2, message.length));
                late.write(message);
                assertEquals(1013, readCloseCode(late), "no room left in the budget for a fifth message, for now");
            }
            gate.countDown();
            for (RawClient c : waiting) {
                assertArrayEquals(message, nextFrame(c).payload(), "a waiting message is handled, not lost");
            }
            try (RawClient after = new RawClient(server.port())) {
                assertTrue(after.upgrade("/").startsWith("HTTP/1.1 101"));
                after.write(header(2, message.length));
                after.write(message);
                assertArrayEquals(message, nextFrame(after).payload(), "handled messages gave their room back");
            }
        } finally {
            gate.countDown();
            for (RawClient c : waiting) {
                c.close();
            }
            server.stop(Duration.ofSeconds(2));
            gpio.shutdownNow();
        }
    }

    @Test
    void peersThatAnnounceHugeFramesCannotTakeTheServersMemory() throws Exception {
        // 1 MiB messages are allowed, but all connections together may hold only 256 KiB of partial messages.
        WebSocketConfig config = WebSocketConfig.builder().maxFrameSize(1 << 20).maxMessageSize(1 << 20).build();
        WebSocketServer server = WebSocketServer.builder().port(0).config(config).maxInboundBuffer(256 << 10)
                .route("/", Recorder.echo()).build().start();
        List<RawClient> liars = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                RawClient c = new RawClient(server.port());
                liars.add(c);
                assertTrue(c.upgrade("/").startsWith("HTTP/1.1 101"));
                c.write(header(2, 1 << 20));
                c.write(new byte[] {42});   // one byte of the announced megabyte
            }
            // Every liar holds a few hundred bytes, not a megabyte: a fresh client is served at once.
            try (WebSocketClient client = WebSocketClient.builder().build()) {
                Recorder r = new Recorder();
                WebSocket ws = client.connect(uri(server, "/"), r).toCompletableFuture().get(10, TimeUnit.SECONDS);
                ws.sendText("hello");
                assertEquals("hello", r.next());
            }
            // One liar that really sends 300 KiB, more than the whole shared budget: it alone is closed, with 1009.
            RawClient greedy = liars.get(0);
            greedy.write(new byte[300 << 10]);
            assertEquals(1009, readCloseCode(greedy));
            assertEquals(1L, server.metrics().closeCodesSent().getOrDefault(1009, 0L));
            assertEquals(20 - 1, server.metrics().openConnections(), "the other liars are untouched");
        } finally {
            for (RawClient c : liars) {
                c.close();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * Peers that announce a large message and stop partway can fill the inbound budget, but not keep it: once their
     * messages are a second old, a newer message takes the room of the oldest, which is closed with 1013 (try again
     * later). Before, the newer message got 1009 for as long as the liars held on.
     */
    @Test
    void theOldestStalledMessageGivesWayToANewOneWhenTheInboundBudgetIsFull() throws Exception {
        WebSocketConfig config = WebSocketConfig.builder().maxFrameSize(1 << 20).maxMessageSize(1 << 20).build();
        WebSocketServer server = WebSocketServer.builder().port(0).config(config).maxInboundBuffer(256 << 10)
                .route("/", Recorder.echo()).build().start();
        List<RawClient> liars = new ArrayList<>();
        try {
            // Four liars each send 60 KiB of an announced megabyte and each hold 64 KiB: the budget is full.
            for (int i = 0; i < 4; i++) {
                RawClient c = new RawClient(server.port());
                liars.add(c);
                assertTrue(c.upgrade("/").startsWith("HTTP/1.1 101"));
                c.write(header(2, 1 << 20));
                c.write(new byte[60 << 10]);
                Thread.sleep(50);   // so that they start in this order
            }
            Thread.sleep(1_500);   // the messages in progress are old enough to be taken back
            assertEquals(4, server.metrics().openConnections(), "no liar was refused on its way in");

            // A newer 40 KiB message, in two writes so that the server assembles it and needs room for it.
            byte[] message = new byte[40 << 10];
            new java.util.Random(7).nextBytes(message);
            try (RawClient fresh = new RawClient(server.port())) {
                assertTrue(fresh.upgrade("/").startsWith("HTTP/1.1 101"));
                fresh.write(header(2, message.length));
                fresh.write(java.util.Arrays.copyOf(message, 20 << 10));
                Thread.sleep(100);
                fresh.write(java.util.Arrays.copyOfRange(message, 20 << 10, message.length));
                assertArrayEquals(message, nextFrame(fresh).payload(), "the newer message is served");
            }
            assertEquals(1013, readCloseCode(liars.get(0)), "the oldest liar gives way");
            await("the other liars stay", () -> server.metrics().openConnections() == 3);
            assertEquals(1L, server.metrics().closeCodesSent().getOrDefault(1013, 0L));
            assertEquals(0L, server.metrics().closeCodesSent().getOrDefault(1009, 0L));
        } finally {
            for (RawClient c : liars) {
                c.close();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void anUpgradeWithABodyOrAnEmptyHostIs400() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).route("/", Recorder.echo()).build().start();
        try {
            for (String bad : List.of("Content-Length: 5\r\n", "Transfer-Encoding: chunked\r\n")) {
                try (RawClient c = new RawClient(server.port())) {
                    c.write(upgradeRequest(bad));
                    String head = c.readHead();
                    assertTrue(head.startsWith("HTTP/1.1 400"), bad + " -> " + head);
                }
            }
            try (RawClient c = new RawClient(server.port())) {
                c.write(upgradeRequest("").replace("Host: 127.0.0.1", "Host: "));
                assertTrue(c.readHead().startsWith("HTTP/1.1 400"));
            }
            try (RawClient c = new RawClient(server.port())) {
                c.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                String head = c.readHead();
                assertTrue(head.startsWith("HTTP/1.1 426") && head.contains("Upgrade: websocket"), head);
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void closedConnectionsLeaveTheirTopics() throws Exception {
        WebSocketServer[] self = new WebSocketServer[1];
        WebSocketHandler joiner = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket ws) {
                self[0].subscribe(ws, "room-" + ws.remoteAddress().getPort());
                self[0].subscribe(ws, "all");
            }
        };
        self[0] = WebSocketServer.builder().port(0).route("/", joiner).build().start();
        WebSocketServer server = self[0];
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            List<WebSocket> open = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                open.add(client.connect(uri(server, "/"), new Recorder()).toCompletableFuture()
                        .get(10, TimeUnit.SECONDS));
            }
            await("subscriptions", () -> server.publish("all", "x") == 20);
            for (WebSocket ws : open) {
                ws.close();
            }
            await("every connection gone", () -> server.metrics().openConnections() == 0);
            await("every topic emptied and forgotten", () -> server.topicCount() == 0);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void stopCalledFromAHandlerOnTheEventLoopDoesNotHang() throws Exception {
        WebSocketServer[] self = new WebSocketServer[1];
        CompletableFuture<StopReport> report = new CompletableFuture<>();
        WebSocketHandler stopper = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                report.complete(self[0].stop(Duration.ofSeconds(2)));   // runs on the loop thread
            }
        };
        self[0] = WebSocketServer.builder().port(0).eventLoops(1).route("/", stopper).build().start();
        int port = self[0].port();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            Recorder r = new Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + port + "/"), r).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            ws.sendText("stop, please");
            report.get(5, TimeUnit.SECONDS);
            assertEquals(1001, r.closed.get(10, TimeUnit.SECONDS), "the stop went on in the background");
        }
        await("the port to be released", () -> self[0].port() == -1);
    }

    @Test
    void aSlowlorisHandshakeIsClosedAndForgotten() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).handshakeTimeout(Duration.ofMillis(300))
                .route("/", Recorder.echo()).build().start();
        try (RawClient c = new RawClient(server.port())) {
            c.write("GET / HTTP/1.1\r\nHost: 127");
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            rest.write(c.readToEnd());   // the server closes it
            assertEquals(0, rest.size(), "no answer to a stalled head, just the close");
            assertEquals(0, server.metrics().openConnections());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }
}
