package io.wirefly.server.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A client's way through an HTTP proxy (RFC 9110 §9.3.6): on a socket connected to the proxy it first sends
 * {@code CONNECT host:port} (with {@code Proxy-Authorization: Basic} when credentials are set), reads the proxy's
 * answer, and from a 2xx on it passes bytes through untouched; TLS and the WebSocket handshake then run inside the
 * tunnel as if the socket went straight to the server. Until the tunnel is up it takes no bytes and gives none, so
 * the layers above simply wait; any other answer fails the connection with an {@link IOException} that quotes the
 * proxy's status line (a 407, or 401 from some proxies such as tinyproxy, means the credentials were missing or
 * wrong). Loop-confined.
 *
 * <pre>{@code
 * Wire wire = new ProxyWire(new SocketWire(channelToProxy), "example.com", 443, "user", "secret");
 * Wire top = tls.wrapClient(wire, loop, "example.com", 443);   // TLS inside the tunnel
 * }</pre>
 */
final class ProxyWire implements Wire {
    /** The longest proxy answer head read; a proxy that sends more is not one we can use. */
    private static final int MAX_HEAD = 8192;

    private final SocketWire net;
    /** The CONNECT request still to be written; null once it is on the socket. */
    private ByteBuffer request;
    /** The proxy's answer head as it arrives; null once the tunnel is up. */
    private ByteBuffer head = ByteBuffer.allocate(MAX_HEAD);
    /** Bytes of the server that came in the same read as the end of the proxy's head; usually none. */
    private ByteBuffer early;
    private boolean open;

    /**
     * @param net a socket connected (or connecting) to the proxy
     * @param host the server's host name, resolved by the proxy
     * @param port the server's port
     * @param user the proxy user, or null for no credentials
     * @param password the proxy password (with a user)
     */
    ProxyWire(SocketWire net, String host, int port, String user, String password) {
        this.net = net;
        String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        StringBuilder r = new StringBuilder(128).append("CONNECT ").append(authority).append(" HTTP/1.1\r\n")
                .append("Host: ").append(authority).append("\r\n");
        if (user != null) {
            String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
            r.append("Proxy-Authorization: Basic ").append(token).append("\r\n");
        }
        this.request = ByteBuffer.wrap(r.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Writes the CONNECT request and reads the answer as far as the socket allows; opens the tunnel on a 2xx. */
    private void advance() throws IOException {
        if (request != null) {
            net.write(request);
            if (request.hasRemaining()) {
                return;
            }
            request = null;
        }
        int n = net.read(head);
        if (n < 0) {
            throw new IOException("the proxy closed the connection before answering CONNECT");
        }
        int end = endOfHead(head);
        if (end < 0) {
            if (!head.hasRemaining()) {
                throw new IOException("the proxy's answer to CONNECT is longer than " + MAX_HEAD + " bytes");
            }
            return;
        }
        String text = new String(head.array(), 0, end, StandardCharsets.ISO_8859_1);
        String statusLine = text.lines().findFirst().orElse("");
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("2\\d\\d")) {
            throw new IOException("the proxy refused the tunnel: " + statusLine);
        }
        if (head.position() > end) {
            early = ByteBuffer.wrap(java.util.Arrays.copyOfRange(head.array(), end, head.position()));
        }
        head = null;
        open = true;
    }

    /** @return the index just past CR LF CR LF in what was read, or -1 */
    private static int endOfHead(ByteBuffer b) {
        byte[] a = b.array();
        for (int i = 3; i < b.position(); i++) {
            if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                return i + 1;
            }
        }
        return -1;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (!open) {
            advance();
            if (!open) {
                return 0;
            }
        }
        if (early != null) {
            int n = Math.min(dst.remaining(), early.remaining());
            int limit = early.limit();
            early.limit(early.position() + n);
            dst.put(early);
            early.limit(limit);
            if (!early.hasRemaining()) {
                early = null;
            }
            return n;
        }
        return net.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (!open) {
            advance();
            if (!open) {
                return 0;
            }
        }
        return net.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (!open) {
            advance();
            if (!open) {
                return 0;
            }
        }
        return net.write(srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public void flushPending() throws IOException {
        if (!open) {
            advance();
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        return net.finishConnect();
    }

    @Override
    public void shutdownOutput() throws IOException {
        net.shutdownOutput();
    }

    /** Until the tunnel is up the proxy exchange decides: writable while CONNECT is going out, then readable. */
    @Override
    public void interest(boolean read, boolean write) {
        if (open) {
            net.interest(read || early != null, write);
        } else {
            net.interest(request == null, request != null);
        }
    }

    @Override
    public boolean isOpen() {
        return net.isOpen();
    }

    @Override
    public void close() {
        head = null;
        early = null;
        net.close();
    }
}
