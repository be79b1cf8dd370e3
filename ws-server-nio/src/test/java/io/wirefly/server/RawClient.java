package io.wirefly.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A bare TCP client that speaks just enough WebSocket to misbehave on purpose (stall, not read, not pong). */
final class RawClient implements AutoCloseable {
    final Socket socket;

    RawClient(int port) throws IOException {
        this(port, 0);
    }

    /**
     * @param receiveBuffer the socket's receive buffer, set before connecting so that it bounds the TCP window (a
     *     peer that reads nothing then backs up the server soon), or 0 for the system's default
     */
    RawClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(15_000);
    }

    void write(String ascii) throws IOException {
        socket.getOutputStream().write(ascii.getBytes(StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
    }

    void write(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Sends a valid upgrade request and reads the response head. */
    String upgrade(String path) throws IOException {
        write("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        return readHead();
    }

    String readHead() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /** Reads everything until the server closes the connection; returns the bytes. */
    byte[] readToEnd() throws IOException {
        return socket.getInputStream().readAllBytes();
    }

    /** A masked text frame with a zero key (so the payload is sent as is). */
    static byte[] maskedText(String text) {
        byte[] p = text.getBytes(StandardCharsets.UTF_8);
        if (p.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] f = new byte[6 + p.length];
        f[0] = (byte) 0x81;
        f[1] = (byte) (0x80 | p.length);
        System.arraycopy(p, 0, f, 6, p.length);
        return f;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
