package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against servers that misbehave, each a raw socket on loopback written by hand: one that never answers
 * the upgrade, one whose response head never ends, one with a wrong accept key, and ones that break the framing
 * rules after the upgrade. Every case must end with a clear failure or the right close code, within its time, and
 * leave the client able to connect elsewhere.
 */
class HostileServerIT {
    private static final Pattern KEY = Pattern.compile("(?im)^Sec-WebSocket-Key:\\s*(\\S+)\\s*$");

    private final WebSocketClient client = WebSocketClient.builder()
            .connectTimeout(Duration.ofSeconds(2))
            .handshakeTimeout(Duration.ofMillis(600))
            .closeTimeout(Duration.ofSeconds(1))
            .config(WebSocketConfig.builder().maxMessageSize(64 << 10).maxFrameSize(64 << 10).build())
            .build();

    @AfterEach
    void closeClient() {
        client.close();
    }

    /** One connection accepted on loopback and handed to a script on its own thread; the script's result or error. */
    private static final class RawServer implements AutoCloseable {
        final ServerSocket socket;
        final CompletableFuture<Object> outcome = new CompletableFuture<>();

        RawServer(Script script) throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                try (Socket s = socket.accept()) {
                    s.setSoTimeout(10_000);
                    outcome.complete(script.run(s, s.getInputStream(), s.getOutputStream()));
                } catch (Throwable e) {
                    outcome.completeExceptionally(e);
                }
            }, "hostile-server");
            t.setDaemon(true);
            t.start();
        }

        URI uri() {
            return URI.create("ws://127.0.0.1:" + socket.getLocalPort() + "/");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @FunctionalInterface
    private interface Script {
        Object run(Socket socket, InputStream in, OutputStream out) throws Exception;
    }

    /** Reads a request head up to its blank line and returns it. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client closed before its request head ended: " + head);
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : b == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static String accept(String requestHead) throws Exception {
        Matcher m = KEY.matcher(requestHead);
        assertTrue(m.find(), "the request carries a key: " + requestHead);
        byte[] digest = MessageDigest.getInstance("SHA-1").digest(
                (m.group(1) + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.ISO_8859_1));
        return Base64.getEncoder().encodeToString(digest);
    }

    /** Reads the request and answers it with a correct 101. */
    private static void upgrade(InputStream in, OutputStream out) throws Exception {
        String accept = accept(readHead(in));
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads one client frame (which must be masked) and returns its opcode followed by its unmasked payload. */
    private static byte[] readClientFrame(InputStream in) throws IOException {
        int b0 = in.read();
        int b1 = in.read();
        if (b0 < 0 || b1 < 0) {
            throw new IOException("the client closed without a frame");
        }
        assertTrue((b1 & 0x80) != 0, "a client frame is masked");
        long length = b1 & 0x7F;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | in.read();
            }
        }
        byte[] mask = in.readNBytes(4);
        byte[] frame = new byte[1 + (int) length];
        frame[0] = (byte) (b0 & 0x0F);
        byte[] payload = in.readNBytes((int) length);
        for (int i = 0; i < payload.length; i++) {
            frame[1 + i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return frame;
    }

    /** @return the status code of the client's close frame, read after the server's bad frame */
    private static int closeCodeOfClient(InputStream in) throws IOException {
        for (int frames = 0; frames < 16; frames++) {
            byte[] frame = readClientFrame(in);
            if (frame[0] == 0x8) {
                return frame.length >= 3 ? ((frame[1] & 0xFF) << 8) | (frame[2] & 0xFF) : 1005;
            }
        }
        throw new IOException("no close frame among the client's first 16 frames");
    }

    private Throwable failureOf(URI uri) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> client.connect(uri, new Recorder()).toCompletableFuture().get(10, TimeUnit.SECONDS));
        return e.getCause();
    }

    /** The client still works: an echo through a real server on another port. */
    private void clientStillConnects() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).route("/", Recorder.echo()).build().start();
        try {
            Recorder r = new Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"), r)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            ws.sendText("still here");
            assertEquals("still here", r.messages.poll(10, TimeUnit.SECONDS));
            ws.close(1000, "");
            assertEquals(1000, r.closed.get(10, TimeUnit.SECONDS));
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aServerThatNeverAnswersTheUpgradeFailsTheConnectAtTheHandshakeTimeout() throws Exception {
        try (RawServer server = new RawServer((s, in, out) -> {
            readHead(in);
            return in.read();   // the client's end: -1 once it gives up and closes
        })) {
            long start = System.nanoTime();
            Throwable cause = failureOf(server.uri());
            long millis = (System.nanoTime() - start) / 1_000_000;
            HandshakeException h = assertInstanceOf(HandshakeException.class, cause, cause.toString());
            // connect and handshake share one deadline: 2 s + 600 ms
            assertTrue(h.getMessage().contains("2600 ms"), "the message names the timeout: " + h.getMessage());
            assertTrue(millis >= 2_500 && millis < 8_000, "failed after " + millis + " ms");
            assertEquals(-1, server.outcome.get(10, TimeUnit.SECONDS), "the client closed its socket");
        }
        clientStillConnects();
    }

    @Test
    void aResponseHeadThatNeverEndsFailsTheConnectBeforeTheTimeout() throws Exception {
        WebSocketClient patient = WebSocketClient.builder().handshakeTimeout(Duration.ofSeconds(30)).build();
        try (patient; RawServer server = new RawServer((s, in, out) -> {
            readHead(in);
            out.write("HTTP/1.1 101 Switching Protocols\r\n".getBytes(StandardCharsets.ISO_8859_1));
            byte[] line = "X-Filler: 0123456789abcdef0123456789abcdef\r\n".getBytes(StandardCharsets.ISO_8859_1);
            try {
                for (int i = 0; i < 100_000; i++) {   // 4.4 MB at most: far past any head limit
                    out.write(line);
                }
                return "wrote everything";
            } catch (SocketException e) {
                return "closed by the client";
            }
        })) {
            long start = System.nanoTime();
            ExecutionException e = assertThrows(ExecutionException.class, () -> patient
                    .connect(server.uri(), new Recorder()).toCompletableFuture().get(20, TimeUnit.SECONDS));
            long millis = (System.nanoTime() - start) / 1_000_000;
            HandshakeException h = assertInstanceOf(HandshakeException.class, e.getCause(), e.getCause().toString());
            assertTrue(millis < 10_000, "failed after " + millis + " ms, not at the head limit");
            assertTrue(h.getMessage().toLowerCase(java.util.Locale.ROOT).contains("header"), h.getMessage());
            assertEquals("closed by the client", server.outcome.get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWrongAcceptKeyFailsTheConnect() throws Exception {
        try (RawServer server = new RawServer((s, in, out) -> {
            readHead(in);
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            return in.read();
        })) {
            Throwable cause = failureOf(server.uri());
            HandshakeException h = assertInstanceOf(HandshakeException.class, cause, cause.toString());
            assertTrue(h.getMessage().contains("Sec-WebSocket-Accept"), h.getMessage());
            assertEquals(-1, server.outcome.get(10, TimeUnit.SECONDS), "the client closed its socket");
        }
    }

    @Test
    void aPlainHttpAnswerFailsTheConnectWithItsStatus() throws Exception {
        try (RawServer server = new RawServer((s, in, out) -> {
            readHead(in);
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".getBytes(StandardCharsets.ISO_8859_1));
            return in.read();
        })) {
            HandshakeException h = assertInstanceOf(HandshakeException.class, failureOf(server.uri()));
            assertEquals(200, h.httpStatus());
        }
    }

    /** Upgrades, sends {@code frame}, and returns the close code of the client's answer. */
    private int closeCodeAfter(byte[] frame, Recorder handler) throws Exception {
        try (RawServer server = new RawServer((s, in, out) -> {
            upgrade(in, out);
            out.write(frame);
            out.flush();
            return closeCodeOfClient(in);
        })) {
            client.connect(server.uri(), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
            int sent = (Integer) server.outcome.get(10, TimeUnit.SECONDS);
            assertEquals(sent, handler.closed.get(10, TimeUnit.SECONDS), "the handler hears the code it sent");
            return sent;
        }
    }

    @Test
    void aMaskedFrameFromTheServerIsAProtocolError() throws Exception {
        byte[] masked = {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2};
        assertEquals(1002, closeCodeAfter(masked, new Recorder()));
        clientStillConnects();
    }

    @Test
    void aFrameAnnouncingAnExabyteIsTooBigAndNothingIsAllocatedForIt() throws Exception {
        byte[] huge = {(byte) 0x82, 127, 0x0F, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
            (byte) 0xFF, (byte) 0xFF, 1, 2, 3};
        assertEquals(1009, closeCodeAfter(huge, new Recorder()));
    }

    @Test
    void aMessageOverTheLimitInManyFragmentsIsTooBig() throws Exception {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        for (int i = 0; i < 20; i++) {   // 80 KiB in 4 KiB fragments, past the client's 64 KiB
            frames.write(i == 0 ? 0x02 : 0x00);
            frames.write(126);
            frames.write(chunk.length >> 8);
            frames.write(chunk.length & 0xFF);
            frames.write(chunk);
        }
        Recorder handler = new Recorder();
        assertEquals(1009, closeCodeAfter(frames.toByteArray(), handler));
        assertEquals(null, handler.messages.poll(), "nothing was delivered");
    }

    @Test
    void invalidUtf8InATextMessageClosesWith1007() throws Exception {
        byte[] text = {(byte) 0x81, 4, 'o', 'k', (byte) 0xC0, (byte) 0xAF};   // an overlong encoding of '/'
        assertEquals(1007, closeCodeAfter(text, new Recorder()));
    }

    @Test
    void aReservedOpcodeAndAFragmentedPingAreProtocolErrors() throws Exception {
        assertEquals(1002, closeCodeAfter(new byte[] {(byte) 0x83, 0}, new Recorder()));
        assertEquals(1002, closeCodeAfter(new byte[] {(byte) 0x09, 1, 'x'}, new Recorder()));
    }

    /**
     * A server that agrees to permessage-deflate and then sends 8 KiB that inflate to 8 MiB of zeros, against a
     * client whose limit is 64 KiB: 1009, and nothing delivered. The limit is on the inflated size, not on the bytes
     * that came over the wire (with a 16 MiB limit this test fails: the message is delivered).
     */
    @Test
    void aCompressedMessageInflatingPastTheLimitIsTooBig() throws Exception {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.BEST_COMPRESSION, true);
        deflater.setInput(new byte[8 << 20]);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] chunk = new byte[16 << 10];
        while (true) {
            int n = deflater.deflate(chunk, 0, chunk.length, java.util.zip.Deflater.SYNC_FLUSH);
            compressed.write(chunk, 0, n);
            if (n < chunk.length) {
                break;
            }
        }
        deflater.end();
        byte[] payload = compressed.toByteArray();
        payload = java.util.Arrays.copyOf(payload, payload.length - 4);   // RFC 7692 7.2.1: 00 00 ff ff removed
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x80 | 0x40 | 0x02);   // FIN, RSV1 (compressed), binary
        frame.write(126);
        frame.write(payload.length >> 8);
        frame.write(payload.length & 0xFF);
        frame.write(payload);

        WebSocketClient deflating = WebSocketClient.builder().handshakeTimeout(Duration.ofSeconds(5))
                .config(WebSocketConfig.builder().deflate(true).maxMessageSize(64 << 10).build()).build();
        Recorder handler = new Recorder();
        try (RawServer server = new RawServer((s, in, out) -> {
            String head = readHead(in);
            assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("permessage-deflate"), head);
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(head) + "\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(frame.toByteArray());
            out.flush();
            return closeCodeOfClient(in);
        })) {
            deflating.connect(server.uri(), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(payload.length < 16 << 10, "the bomb is small: " + payload.length + " B");
            assertEquals(1009, server.outcome.get(10, TimeUnit.SECONDS));
            assertEquals(1009, handler.closed.get(10, TimeUnit.SECONDS));
            assertEquals(null, handler.messages.poll(), "nothing was delivered");
        } finally {
            deflating.close();
        }
    }

    @Test
    void framesAfterTheUpgradeInTheSameSegmentAreDelivered() throws Exception {
        Recorder handler = new Recorder();
        try (RawServer server = new RawServer((s, in, out) -> {
            String accept = accept(readHead(in));
            // the 101 and two frames in one write: the client must not lose what follows the head
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n\u0081\u0002hi\u0082\u0003abc")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return readClientFrame(in);
        })) {
            WebSocket ws = client.connect(server.uri(), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("hi", handler.messages.poll(10, TimeUnit.SECONDS));
            assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII),
                    (byte[]) handler.messages.poll(10, TimeUnit.SECONDS));
            ws.sendText("ok");
            byte[] frame = (byte[]) server.outcome.get(10, TimeUnit.SECONDS);
            assertArrayEquals(new byte[] {1, 'o', 'k'}, frame);
        }
    }

    @Test
    void aServerThatResetsMidMessageEndsTheConnectionWith1006() throws Exception {
        Recorder handler = new Recorder();
        try (RawServer server = new RawServer((s, in, out) -> {
            upgrade(in, out);
            out.write(new byte[] {(byte) 0x82, 126, 0x10, 0});   // announces 4 KiB
            out.write(new byte[100]);
            out.flush();
            s.setSoLinger(true, 0);   // close with RST
            return "reset";
        })) {
            client.connect(server.uri(), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("reset", server.outcome.get(10, TimeUnit.SECONDS));
            assertEquals(1006, handler.closed.get(10, TimeUnit.SECONDS));
            assertEquals(null, handler.messages.poll(), "no part message was delivered");
        }
        clientStillConnects();
    }

    @Test
    void aServerThatNeverReadsMakesTheClientsSendsFailPastItsWriteBufferNotItsMemoryGrow() throws Exception {
        Recorder handler = new Recorder();
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (RawServer server = new RawServer((s, in, out) -> {
            s.setReceiveBufferSize(4096);
            upgrade(in, out);
            release.get(20, TimeUnit.SECONDS);   // reads nothing until the test is done
            return "released";
        })) {
            WebSocket ws = client.connect(server.uri(), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
            java.nio.ByteBuffer message = java.nio.ByteBuffer.allocate(64 << 10);
            java.util.List<CompletableFuture<Void>> sends = new java.util.ArrayList<>();
            for (int i = 0; i < 1_000; i++) {   // 64 MB, four times the client's 16 MiB write buffer
                sends.add(ws.sendBinary(message.duplicate()).toCompletableFuture());
                // at most one message over the limit: the one sent while the one before it was handed to the loop
                assertTrue(ws.bufferedAmount() <= (16 << 20) + (64 << 10) + 28,
                        "queued " + ws.bufferedAmount() + " after " + i);
            }
            // the sends that fit in the sockets' buffers were written; of the rest, the refused ones name the limit
            int refusedAtTheLimit = 0;
            for (CompletableFuture<Void> send : sends) {
                try {
                    send.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    refusedAtTheLimit += e.getCause().getMessage().contains("maxWriteBuffer") ? 1 : 0;
                }
            }
            assertTrue(refusedAtTheLimit >= 1, "no send was refused at maxWriteBuffer");
            assertTrue(sends.get(sends.size() - 1).isCompletedExceptionally(), "the last send failed");
            // the client fails the connection with 1008 and tells its handler why
            assertEquals(1008, handler.closed.get(10, TimeUnit.SECONDS));
            assertTrue(handler.closeReason.contains("maxWriteBuffer"), handler.closeReason);
            release.complete(null);
            assertEquals("released", server.outcome.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aPingFloodFromAServerThatDoesNotReadIsAnsweredWithTheLatestPingOnly() throws Exception {
        int pings = 200_000;   // 25 MB of pings; answering each would queue 26 MB
        Recorder handler = new Recorder();
        CompletableFuture<int[]> seenByServer = new CompletableFuture<>();
        CompletableFuture<Void> release = new CompletableFuture<>();
        try (RawServer server = new RawServer((s, in, out) -> {
            upgrade(in, out);
            // Another thread floods while this one reads nothing for a second. The client may stop reading
            // while its answers back up (the flood then waits in TCP); once this side reads, it goes on.
            Thread writer = new Thread(() -> {
                try {
                    java.io.BufferedOutputStream buffered = new java.io.BufferedOutputStream(out, 1 << 16);
                    byte[] ping = new byte[2 + 125];
                    ping[0] = (byte) 0x89;
                    ping[1] = 125;
                    for (int i = 0; i < pings; i++) {
                        ping[2] = (byte) (i >> 24);
                        ping[3] = (byte) (i >> 16);
                        ping[4] = (byte) (i >> 8);
                        ping[5] = (byte) i;
                        buffered.write(ping);
                    }
                    buffered.write(new byte[] {(byte) 0x81, 4, 'd', 'o', 'n', 'e'});
                    buffered.flush();
                } catch (IOException e) {
                    seenByServer.completeExceptionally(e);
                }
            }, "hostile-flood");
            writer.setDaemon(true);
            writer.start();
            Thread.sleep(1_000);
            int pongs = 0;
            int lastPong = -1;
            for (int frames = 0; frames <= pings; frames++) {   // now read what the client answered
                byte[] frame = readClientFrame(in);
                if (frame[0] == 0xA) {
                    pongs++;
                    lastPong = ((frame[1] & 0xFF) << 24) | ((frame[2] & 0xFF) << 16) | ((frame[3] & 0xFF) << 8)
                            | (frame[4] & 0xFF);
                } else if (frame[0] == 0x1) {
                    seenByServer.complete(new int[] {pongs, lastPong});
                    release.get(10, TimeUnit.SECONDS);   // the connection stays open while the test looks at it
                    return "released";
                }
            }
            throw new IOException("no text frame after the pongs");
        })) {
            // the server's receive buffer is small, so the client's pongs back up while the flood lasts
            server.socket.setReceiveBufferSize(4096);
            WebSocket ws = client.connect(server.uri(), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("done", handler.messages.poll(30, TimeUnit.SECONDS));
            ws.sendText("ok");
            int[] seen = seenByServer.get(30, TimeUnit.SECONDS);
            // while its pongs wait unwritten the client answers only the latest ping (54,000 of 200,000 when
            // this test was written); one pong per ping would be 200,000
            assertTrue(seen[0] >= 1 && seen[0] < pings / 2, seen[0] + " pongs for " + pings + " pings");
            assertEquals(pings - 1, seen[1], "the last pong answers the last ping");
            assertEquals(io.wirefly.core.ReadyState.OPEN, ws.readyState(), "the connection survived the flood");
            release.complete(null);
            assertEquals("released", server.outcome.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aServerThatStallsTheTlsHandshakeFailsTheConnectAtTheTimeout() throws Exception {
        try (RawServer server = new RawServer((s, in, out) -> {
            int first = in.read();   // the ClientHello's first byte; then nothing is answered
            while (in.read() >= 0) {
                // swallow the rest until the client gives up
            }
            return first;
        })) {
            URI wss = URI.create("wss://127.0.0.1:" + server.socket.getLocalPort() + "/");
            long start = System.nanoTime();
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> client.connect(wss, new Recorder()).toCompletableFuture().get(10, TimeUnit.SECONDS));
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(e.getCause().getMessage().contains("2600 ms"), e.getCause().toString());
            assertTrue(millis >= 2_500 && millis < 8_000, "failed after " + millis + " ms");
            assertEquals(0x16, server.outcome.get(10, TimeUnit.SECONDS), "a TLS handshake record was sent");
        }
        clientStillConnects();
    }

    @Test
    void aServerThatGoesSilentAfterTheUpgradeIsDetectedByTheKeepAlivePing() throws Exception {
        Recorder handler = new Recorder();
        WebSocketClient watchful = WebSocketClient.builder()
                .idleTimeout(Duration.ofMillis(300))
                .pongTimeout(Duration.ofMillis(300))
                .closeTimeout(Duration.ofMillis(300))
                .build();
        try (watchful; RawServer server = new RawServer((s, in, out) -> {
            upgrade(in, out);
            byte[] first = readClientFrame(in);   // the keep-alive ping, which is never answered
            while (in.read() >= 0) {
                // whatever else comes, until the client gives up on this connection
            }
            return (int) first[0];
        })) {
            long start = System.nanoTime();
            watchful.connect(server.uri(), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(0x9, server.outcome.get(10, TimeUnit.SECONDS), "the first frame was a ping");
            int code = handler.closed.get(10, TimeUnit.SECONDS);
            long millis = (System.nanoTime() - start) / 1_000_000;
            // the peer is presumed gone: no closing handshake is tried, the connection is cut (1006)
            assertEquals(1006, code);
            assertTrue(millis >= 550 && millis < 5_000, "gave up after " + millis + " ms");
            assertTrue(String.valueOf(handler.error).contains("no pong within 300 ms"), "told why: " + handler.error);
        }
    }

    @Test
    void aSmallerWriteBufferFailsTheConnectionAtItsOwnLimit() throws Exception {
        Recorder handler = new Recorder();
        CompletableFuture<Void> release = new CompletableFuture<>();
        WebSocketClient frugal = WebSocketClient.builder().writeWaterMarks(64 << 10, 256 << 10)
                .maxWriteBuffer(1 << 20).build();
        try (frugal; RawServer server = new RawServer((s, in, out) -> {
            upgrade(in, out);
            release.get(20, TimeUnit.SECONDS);   // reads nothing until the test is done
            return "released";
        })) {
            WebSocket ws = frugal.connect(server.uri(), handler).toCompletableFuture().get(10, TimeUnit.SECONDS);
            java.nio.ByteBuffer message = java.nio.ByteBuffer.allocate(64 << 10);
            CompletableFuture<Void> last = null;
            for (int i = 0; i < 400; i++) {   // 26 MB: what the sockets' buffers hold, and then 1 MiB more
                last = ws.sendBinary(message.duplicate()).toCompletableFuture();
                assertTrue(ws.bufferedAmount() <= (1 << 20) + (64 << 10) + 28,
                        "queued " + ws.bufferedAmount() + " after " + i);
            }
            CompletableFuture<Void> lastSend = last;
            assertThrows(ExecutionException.class, () -> lastSend.get(10, TimeUnit.SECONDS));
            assertEquals(1008, handler.closed.get(10, TimeUnit.SECONDS));
            assertEquals("write queue exceeded maxWriteBuffer (1048576 bytes)", handler.closeReason);
            release.complete(null);
            assertEquals("released", server.outcome.get(10, TimeUnit.SECONDS));
        }
    }
}
