package io.wirefly.bench.abuse;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client written for abuse: the handshake and frames by hand on a blocking socket, so that it can send
 * what no well-behaved library would (a stalled head, a lie about a length, garbage, a reset) and read back exactly
 * what the server answered.
 *
 * <pre>{@code
 * try (RawPeer p = RawPeer.open(port, false)) {
 *     p.send(RawPeer.frame(RawPeer.TEXT, "hi".getBytes(UTF_8), true));
 *     RawPeer.Frame echo = p.readFrame();
 * }
 * }</pre>
 */
final class RawPeer implements AutoCloseable {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;

    /** What {@link #awaitClose} saw instead of a close frame. */
    static final int EOF = -1;
    static final int TIMEOUT = -2;
    static final int RESET = -3;

    /** One frame from the server (never masked). */
    record Frame(boolean fin, int opcode, byte[] payload) {
        /** @return the close code of a close frame, 1005 if it has none */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    final Socket socket;
    final boolean deflate;
    private final DataInputStream in;

    private RawPeer(Socket socket, boolean deflate) throws IOException {
        this.socket = socket;
        this.deflate = deflate;
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** @return a TCP connection to the server, nothing sent yet */
    static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        s.setSoTimeout(30_000);
        s.setTcpNoDelay(true);
        return s;
    }

    /**
     * Connects and completes the opening handshake.
     *
     * @param offerDeflate offer permessage-deflate (without context takeover, so each message inflates alone)
     */
    static RawPeer open(int port, boolean offerDeflate) throws IOException {
        return open(port, offerDeflate, null);
    }

    /**
     * Connects, over TLS when {@code tls} is given, and completes the opening handshake.
     *
     * @param tls makes the connection {@code wss://} (the TLS handshake done before the upgrade), or null
     */
    static RawPeer open(int port, boolean offerDeflate, javax.net.ssl.SSLSocketFactory tls) throws IOException {
        return open(port, offerDeflate, tls, "");
    }

    /**
     * Connects and completes the opening handshake, with more header fields in the request.
     *
     * @param extraHeaders header lines, each ending in CRLF, put before the blank line; or empty
     */
    static RawPeer open(int port, boolean offerDeflate, javax.net.ssl.SSLSocketFactory tls, String extraHeaders)
            throws IOException {
        Socket s = connect(port);
        try {
            if (tls != null) {
                javax.net.ssl.SSLSocket secure = (javax.net.ssl.SSLSocket) tls.createSocket(s, "localhost", port, true);
                secure.startHandshake();
                s = secure;
            }
            byte[] request = request(port, offerDeflate);
            if (!extraHeaders.isEmpty()) {
                String r = new String(request, StandardCharsets.US_ASCII);
                request = (r.substring(0, r.length() - 2) + extraHeaders + "\r\n").getBytes(StandardCharsets.US_ASCII);
            }
            s.getOutputStream().write(request);
            String head = readHead(s.getInputStream());
            if (!head.startsWith("HTTP/1.1 101")) {
                throw new IOException("not upgraded: " + head.lines().findFirst().orElse(""));
            }
            boolean deflate = head.toLowerCase(java.util.Locale.ROOT).contains("permessage-deflate");
            return new RawPeer(s, deflate);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    static byte[] request(int port, boolean offerDeflate) {
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        return ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce) + "\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + (offerDeflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; "
                        + "server_no_context_takeover\r\n" : "")
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 8192 && !head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("closed during the handshake");
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /**
     * A masked client frame.
     *
     * @param rsv1 set RSV1 (a compressed message)
     */
    static byte[] frame(int opcode, byte[] payload, boolean fin, boolean rsv1) {
        int n = payload.length;
        ByteBuffer b = ByteBuffer.allocate(14 + n);
        b.put((byte) ((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode));
        if (n < 126) {
            b.put((byte) (0x80 | n));
        } else if (n <= 0xFFFF) {
            b.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            b.put((byte) (0x80 | 127)).putLong(n);
        }
        int key = ThreadLocalRandom.current().nextInt();
        b.putInt(key);
        for (int i = 0; i < n; i++) {
            b.put((byte) (payload[i] ^ (key >>> (24 - 8 * (i & 3)))));
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    static byte[] frame(int opcode, byte[] payload, boolean fin) {
        return frame(opcode, payload, fin, false);
    }

    static byte[] close(int code) {
        return frame(CLOSE, new byte[] {(byte) (code >> 8), (byte) code}, true);
    }

    void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
    }

    /** @return the next frame, at most {@code maxPayload} bytes of payload */
    Frame readFrame(int maxPayload) throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        if (len > maxPayload) {
            throw new IOException("frame of " + len + " bytes, more than the " + maxPayload + " expected");
        }
        byte[] payload = new byte[(int) len];
        in.readFully(payload);
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    /** @return the payload of the next whole text or binary message, reassembled; control frames are skipped */
    byte[] readMessage(int maxSize) throws IOException {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            Frame f = readFrame(maxSize);
            if (f.opcode() == CLOSE) {
                throw new IOException("closed by the server with " + f.closeCode());
            }
            if (f.opcode() >= 0x8) {
                continue;
            }
            message.writeBytes(f.payload());
            if (f.fin()) {
                return message.toByteArray();
            }
        }
    }

    /**
     * Reads (and drops) frames until the server's close frame.
     *
     * @param timeoutMillis how long to wait in all
     * @return the close code, or {@link #EOF}, {@link #TIMEOUT} or {@link #RESET}
     */
    int awaitClose(int timeoutMillis) {
        long end = System.nanoTime() + timeoutMillis * 1_000_000L;
        try {
            while (true) {
                long left = (end - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return TIMEOUT;
                }
                socket.setSoTimeout((int) left);
                Frame f = readFrame(Integer.MAX_VALUE);
                if (f.opcode() == CLOSE) {
                    return f.closeCode();
                }
            }
        } catch (SocketTimeoutException e) {
            return TIMEOUT;
        } catch (EOFException e) {
            return EOF;
        } catch (IOException e) {
            return RESET;
        }
    }

    /** Closes with a TCP reset instead of a FIN. */
    void reset() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException ignored) {
            // closing anyway
        }
        close();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
