package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The handshake limit ({@code maxHandshakes}) against real sockets: connections that stall inside their opening
 * handshake are pushed out oldest first once every slot is taken, the newest stay until their own timeout, and an
 * honest client (the JDK's WebSocket client) still gets in at once. The TLS variant is in {@link TlsIT}.
 */
class HandshakeLimitIT {

    /** @return a connection that sent most of a request head (2 KB of it) and then nothing */
    static Socket stall(int port, int index) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Stall: " + index + "\r\nX-Pad: "
                + "a".repeat(2000) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** @return true if the server closed {@code s} (EOF or reset) within {@code millis} */
    static boolean closedWithin(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        try {
            byte[] sink = new byte[4096];
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < end) {
                if (s.getInputStream().read(sink) < 0) {
                    return true;
                }
            }
            return false;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** The JDK's client connects, echoes one text message and closes; fails the test if it cannot. */
    static void honestClientEchoes(HttpClient http, URI uri) throws Exception {
        CompletableFuture<String> echoed = new CompletableFuture<>();
        java.net.http.WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                .buildAsync(uri, new java.net.http.WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                        echoed.complete(data.toString());
                        return null;
                    }
                }).get(5, TimeUnit.SECONDS);
        ws.sendText("still served", true).get(5, TimeUnit.SECONDS);
        assertEquals("still served", echoed.get(5, TimeUnit.SECONDS));
        ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
    }

    @Test
    void stalledHandshakesBeyondTheLimitAreClosedOldestFirstAndAnHonestClientGetsIn() throws Exception {
        java.util.concurrent.atomic.LongAdder evictions = new java.util.concurrent.atomic.LongAdder();
        WebSocketServer server = WebSocketServer.builder().port(0).maxHandshakes(20)
                .handshakeTimeout(Duration.ofSeconds(60))   // no timeout during the test: only the limit acts
                .metricsListener(new MetricsListener() {
                    @Override
                    public void onHandshakeEvicted() {
                        evictions.increment();
                    }
                })
                .route("/", Recorder.echo()).build().start();
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                stalled.add(stall(server.port(), i));
            }
            for (int i = 0; i < 40; i++) {
                assertTrue(closedWithin(stalled.get(i), 10_000), "stalled handshake " + i + " (of the 40 oldest)"
                        + " is closed to make room");
            }
            for (int i = 40; i < 60; i++) {
                assertTrue(!closedWithin(stalled.get(i), 100), "stalled handshake " + i + " (of the 20 newest)"
                        + " keeps its slot");
            }

            honestClientEchoes(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + server.port() + "/"));

            assertTrue(closedWithin(stalled.get(40), 10_000), "the honest client took the oldest stalled one's slot");
            for (int i = 41; i < 60; i++) {
                assertTrue(!closedWithin(stalled.get(i), 100), "stalled handshake " + i + " is still waiting");
            }
            assertEquals(0, server.metrics().openConnections(), "the honest client has closed; no stalled one opened");
            assertEquals(41, server.metrics().handshakesEvicted(), "the 40 oldest, then one for the honest client");
            assertEquals(41, evictions.sum(), "the listener heard each");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    /** @return a connection from {@code source} (a loopback address) that sent part of a request head */
    static Socket stallFrom(String source, int port, int index) throws IOException {
        Socket s = new Socket();
        s.bind(new java.net.InetSocketAddress(source, 0));
        s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5_000);
        s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Stall: " + index + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /**
     * One address (127.0.0.2) floods stalled handshakes while an honest client at another (127.0.0.1) is slow to
     * finish its own. Without a per-address limit the flood would push the honest one out as the oldest, as in the
     * test above; with {@code maxHandshakesPerAddress(8)} the flood evicts only its own, and the honest client
     * completes its upgrade long after 200 stalled connections came and went.
     */
    @Test
    void aFloodFromOneAddressEvictsOnlyItsOwnHandshakesWithAPerAddressLimit() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).maxHandshakes(20).maxHandshakesPerAddress(8)
                .handshakeTimeout(Duration.ofSeconds(60))   // only the limits act during the test
                .route("/", Recorder.echo()).build().start();
        List<Socket> flood = new ArrayList<>();
        try (RawClient honest = new RawClient(server.port())) {
            honest.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");   // half a head
            for (int i = 0; i < 200; i++) {
                flood.add(stallFrom("127.0.0.2", server.port(), i));
            }
            // Every flooding connection has been dealt with before the honest client finishes.
            for (int i = 0; i < 192; i++) {
                assertTrue(closedWithin(flood.get(i), 10_000), "flooding handshake " + i + " (of the 192 oldest)"
                        + " is closed by its own address's newer ones");
            }
            for (int i = 192; i < 200; i++) {
                assertTrue(!closedWithin(flood.get(i), 100), "flooding handshake " + i + " (of its 8 newest) waits");
            }
            assertTrue(!closedWithin(honest.socket, 100), "the slow honest handshake is still in progress");
            honest.write("Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            honest.socket.setSoTimeout(10_000);
            assertTrue(honest.readHead().startsWith("HTTP/1.1 101"), "the slow honest handshake was kept");
            assertEquals(192, server.metrics().handshakesEvicted(), "only the flood's own were evicted");
        } finally {
            for (Socket s : flood) {
                s.close();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * One address (127.0.0.2) holds two open WebSockets and one stalled handshake: with
     * {@code maxConnectionsPerAddress(3)} its fourth connection is closed before a byte is read, while another
     * address (127.0.0.1) still upgrades and echoes; once one of the three is closed, the first address gets in again.
     */
    @Test
    void oneAddressHoldsAtMostMaxConnectionsPerAddressAndOthersStillGetIn() throws Exception {
        java.util.concurrent.atomic.AtomicInteger heard = new java.util.concurrent.atomic.AtomicInteger();
        WebSocketServer server = WebSocketServer.builder().port(0).maxConnectionsPerAddress(3)
                .metricsListener(new MetricsListener() {
                    @Override
                    public void onConnectionRefused() {
                        heard.incrementAndGet();
                    }
                })
                .handshakeTimeout(Duration.ofSeconds(60))   // only the limit acts during the test
                .route("/", Recorder.echo()).build().start();
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket open = stallFrom("127.0.0.2", server.port(), i);
                open.getOutputStream().write(("Upgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                open.setSoTimeout(10_000);
                String status = new String(open.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 101", status, "connection " + i + " from 127.0.0.2 upgrades");
                held.add(open);
            }
            held.add(stallFrom("127.0.0.2", server.port(), 2));   // the third: a handshake in progress counts too
            assertTrue(!closedWithin(held.get(2), 300), "the third connection from 127.0.0.2 is kept");

            Socket fourth = stallFrom("127.0.0.2", server.port(), 3);
            assertTrue(closedWithin(fourth, 10_000), "the fourth connection from 127.0.0.2 is closed");
            fourth.close();
            assertEquals(1, server.metrics().connectionsRefused(), "the refusal is counted");
            assertEquals(1, heard.get(), "and the listener heard of it");
            assertEquals(0, server.metrics().handshakesEvicted(), "and is not an eviction");
            honestClientEchoes(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + server.port() + "/"));

            held.remove(2).close();   // 127.0.0.2 gives one back: its next connection is admitted again
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            boolean admitted = false;
            int refusedAgain = 0;
            while (!admitted && System.nanoTime() < end) {
                Socket again = stallFrom("127.0.0.2", server.port(), 4);
                admitted = !closedWithin(again, 300);
                if (admitted) {
                    held.add(again);
                } else {
                    again.close();
                    refusedAgain++;   // the server had not yet seen the close
                }
            }
            assertTrue(admitted, "127.0.0.2 gets in again once one of its connections is gone");
            long refused = server.metrics().connectionsRefused();
            assertTrue(refused >= 1 + refusedAgain, refused + " refusals counted, " + (1 + refusedAgain) + " seen");
            for (Socket s : held.subList(0, 2)) {
                assertTrue(!closedWithin(s, 100), "the open WebSockets were never touched");
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aNegativeConnectionsPerAddressLimitFailsAtBuildNamingTheValue() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WebSocketServer.builder().maxConnectionsPerAddress(-1).route("/", Recorder.echo()).build());
        assertEquals("maxConnectionsPerAddress must be > 0 (or 0 for no limit), was -1", e.getMessage());
    }

    @Test
    void aNegativePerAddressLimitFailsAtBuildNamingTheValue() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> WebSocketServer.builder().maxHandshakesPerAddress(-1).route("/", Recorder.echo()).build());
        assertTrue(e.getMessage().contains("maxHandshakesPerAddress") && e.getMessage().contains("-1"),
                e.getMessage());
    }

    /**
     * A peer that closes with a close frame but keeps its TCP connection open makes the server wait for its FIN
     * (at most the close timeout). That connection still holds its memory, so it still counts toward
     * {@code maxConnections}: without that, a client could cycle connections through "closed but not gone" past any
     * limit.
     */
    @Test
    void aClosedConnectionThatLingersCountsTowardMaxConnectionsUntilItsSocketCloses() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).maxConnections(1)
                .closeTimeout(Duration.ofMillis(1500)).route("/", Recorder.echo()).build().start();
        try (RawClient lingering = new RawClient(server.port())) {
            assertTrue(lingering.upgrade("/").startsWith("HTTP/1.1 101"));
            lingering.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x03, (byte) 0xE8});   // close 1000
            byte[] answer = lingering.socket.getInputStream().readNBytes(4);
            assertEquals(0x88, answer[0] & 0xFF, "the server answered the close");
            assertEquals(0, server.metrics().openConnections(), "the WebSocket is closed");

            // Its socket is still open (we send no FIN): the limit of one is still taken.
            try (RawClient second = new RawClient(server.port())) {
                assertTrue(second.upgrade("/").startsWith("HTTP/1.1 503"), "a second connection meets the limit");
            }
            // The server has half-closed (its FIN follows its close frame) and waits for ours. After the close
            // timeout it gives up and closes the socket: the limit is free again.
            lingering.socket.setSoTimeout(10_000);
            assertEquals(-1, lingering.socket.getInputStream().read(), "the server's FIN after its close frame");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            boolean admitted = false;
            while (!admitted && System.nanoTime() < end) {
                try (RawClient third = new RawClient(server.port())) {
                    admitted = third.upgrade("/").startsWith("HTTP/1.1 101");
                }
            }
            assertTrue(admitted, "a new connection is admitted once the lingering socket is closed");
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * A connection keeps its request's header fields for its whole life, so one whose client sent 15 KiB of them
     * holds ten times the memory of a short one: it counts as one connection plus one per KiB kept. With
     * {@code maxConnections(20)}, a heavy one (16) and four light ones fill the limit; once the heavy one is gone,
     * sixteen more light ones fit.
     */
    @Test
    void aConnectionThatKeepsLargeHeadersCountsForMoreTowardMaxConnections() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).maxConnections(20)
                .route("/", Recorder.echo()).build().start();
        List<RawClient> light = new ArrayList<>();
        try {
            RawClient heavy = new RawClient(server.port());
            String pad = "a".repeat(3_900);
            heavy.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "X-Pad-1: " + pad + "\r\nX-Pad-2: " + pad + "\r\nX-Pad-3: " + pad + "\r\nX-Pad-4: " + pad
                    + "\r\n\r\n");
            assertTrue(heavy.readHead().startsWith("HTTP/1.1 101"), "the heavy head is within every head limit");
            for (int i = 0; i < 4; i++) {
                RawClient c = new RawClient(server.port());
                light.add(c);
                assertTrue(c.upgrade("/").startsWith("HTTP/1.1 101"), "light connection " + i + " fits");
            }
            try (RawClient over = new RawClient(server.port())) {
                assertTrue(over.upgrade("/").startsWith("HTTP/1.1 503"), "the heavy one counted as 16 of the 20");
            }
            heavy.socket.close();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (light.size() < 20 && System.nanoTime() < end) {
                RawClient c = new RawClient(server.port());
                if (c.upgrade("/").startsWith("HTTP/1.1 101")) {
                    light.add(c);
                } else {
                    c.socket.close();
                    Thread.sleep(20);   // the heavy one's socket is being closed on the server's side
                }
            }
            assertEquals(20, light.size(), "sixteen more light connections took the heavy one's place");
        } finally {
            for (RawClient c : light) {
                c.socket.close();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * @return true if the server closed {@code s} entirely within {@code millis}: after its FIN it still reads (it
     *     lingers) until it closes, and then a write meets a reset
     */
    static boolean resetWithin(Socket s, int millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            try {
                s.getOutputStream().write('x');
            } catch (IOException reset) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /**
     * A request answered over HTTP (426 for a plain GET on a WebSocket route, 400 for a malformed head) keeps its
     * handshake slot until its socket closes, and a peer that reads the answer but never closes would keep it for
     * the whole close timeout (60 s here). With every slot held that way, a new connection pushes the oldest one
     * out, as it would a stalled handshake. Before, it waited for a slot behind them: 600 such peers locked new
     * clients of the {@code -Xmx64m} echo example out for its 10 s close timeout.
     */
    @Test
    void answeredRequestsWhosePeersNeverCloseArePushedOutLikeStalledHandshakes() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).maxHandshakes(4)
                .handshakeTimeout(Duration.ofSeconds(60)).closeTimeout(Duration.ofSeconds(60))
                .route("/", Recorder.echo()).build().start();
        List<Socket> answered = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                answered.add(s);
                s.getOutputStream().write((i % 2 == 0 ? "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        : "NOT HTTP\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.setSoTimeout(5_000);
                String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals(i % 2 == 0 ? "HTTP/1.1 426" : "HTTP/1.1 400", status, "request " + i + " is answered");
            }
            assertEquals(Map.of(426, 2L, 400, 2L), server.metrics().handshakesRejected());

            honestClientEchoes(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + server.port() + "/"));

            assertTrue(resetWithin(answered.get(0), 5_000), "the oldest answered connection made room");
            for (int i = 1; i < 4; i++) {
                assertTrue(!resetWithin(answered.get(i), 100), "answered connection " + i + " still lingers");
            }
            assertEquals(1, server.metrics().handshakesEvicted());
        } finally {
            for (Socket s : answered) {
                s.close();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void handshakesThatFinishGiveTheirSlotBack() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).maxHandshakes(2)
                .route("/", Recorder.echo()).build().start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/");
            for (int i = 0; i < 10; i++) {   // five times the limit, one after the other: none is left waiting
                honestClientEchoes(http, uri);
            }
            try (Socket a = stall(server.port(), 1); Socket b = stall(server.port(), 2)) {
                assertTrue(!closedWithin(a, 300) && !closedWithin(b, 300),
                        "two handshakes in progress fit in two slots: nothing leaked from the ten before");
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }
}
