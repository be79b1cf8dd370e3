package io.wirefly.bench.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The load generator: one selector, driven by the calling thread, over any number of client connections to one
 * server on 127.0.0.1. Reads go through one shared direct buffer and an incremental frame reader per connection,
 * writes come from pre-built frames, so the steady state allocates nothing.
 *
 * <p>Every loop is bounded: {@link #runUntil} returns at its deadline, {@link #connect} gives up at its
 * deadline, and the caller closes everything with {@link #close()}.
 *
 * <pre>{@code
 * try (ClientEngine engine = new ClientEngine(port, listener)) {
 *     engine.connect("/", 100, 128, deadline);
 *     engine.runUntil(deadline, () -> false);
 * }
 * }</pre>
 */
final class ClientEngine implements AutoCloseable {
    /** Scenario callbacks, called on the engine's thread. */
    interface Listener {
        /** A connection completed its handshake. */
        default void onOpen(ClientConnection c) throws IOException {
        }

        /**
         * A complete data message arrived.
         *
         * @param opcode its opcode (text or binary)
         * @param length its payload size
         * @param prefix its first 8 bytes, big-endian
         */
        void onMessage(ClientConnection c, int opcode, long length, long prefix) throws IOException;
    }

    /** Where {@link #connect} opens connections: the constructor's port, until {@link #target} changes it. */
    private InetSocketAddress address;
    private final javax.net.ssl.SSLContext tls;
    private final Listener listener;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(256 * 1024);
    private final List<ClientConnection> connections = new ArrayList<>();
    private int handshaking;
    private int open;
    private int closed;
    private int finished;
    /** Whether new connections offer permessage-deflate (the deflate scenario). */
    private boolean offerDeflate;
    private static final ByteBuffer CLOSE_1000 = ClientFrames.masked(ClientFrames.CLOSE, new byte[] {0x03, (byte) 0xE8},
            0x0F1E_2D3C);
    private String firstError;

    ClientEngine(int port, Listener listener) throws IOException {
        this(port, null, listener);
    }

    /**
     * @param tls makes every connection wss:// with this client context (trusting the server's certificate), or
     *     null for ws://
     */
    ClientEngine(int port, javax.net.ssl.SSLContext tls, Listener listener) throws IOException {
        this.address = new InetSocketAddress("127.0.0.1", port);
        this.tls = tls;
        this.listener = listener;
        this.selector = Selector.open();
    }

    /**
     * Points later {@link #connect} calls at another server (the cluster benchmark spreads one engine's connections
     * over several nodes); connections already open stay where they are.
     *
     * @param port a server's port on 127.0.0.1
     */
    void target(int port) {
        this.address = new InetSocketAddress("127.0.0.1", port);
    }

    List<ClientConnection> connections() {
        return connections;
    }

    int openCount() {
        return open;
    }

    int closedCount() {
        return closed;
    }

    /** @return connections that ended with a closing handshake the generator started ({@link #closeGracefully}) */
    int finishedCount() {
        return finished;
    }

    /**
     * Starts one more connection to {@code path} on the current target, without waiting (the handshake scenario
     * paces its own connections).
     *
     * @throws IOException if the socket cannot be opened
     */
    void startOne(String path) throws IOException {
        startConnect(request(path));
    }

    /** Makes later connections offer {@code permessage-deflate; client_no_context_takeover}. */
    void offerDeflate() {
        offerDeflate = true;
    }

    private ByteBuffer request(String path) {
        String host = address.getHostString() + ":" + address.getPort();
        return offerDeflate ? ClientFrames.upgradeRequest(host, path,
                "permessage-deflate; client_no_context_takeover") : ClientFrames.upgradeRequest(host, path);
    }

    /** Sends a close frame (1000); the server's close frame, or its end of stream, then ends the connection. */
    void closeGracefully(ClientConnection c) {
        c.closing = true;
        send(c, CLOSE_1000.duplicate());
    }

    String firstError() {
        return firstError;
    }

    /**
     * Opens {@code count} connections to {@code path}, at most {@code maxPending} handshakes at a time, and runs
     * the loop until all are open or the deadline passes.
     *
     * @return the connections opened by this call that are open
     * @throws IOException if the selector fails
     */
    int connect(String path, int count, int maxPending, long deadlineNanos) throws IOException {
        ByteBuffer request = request(path);
        int target = open + count;
        int started = 0;
        while (open < target && System.nanoTime() < deadlineNanos) {
            while (started < count && handshaking < maxPending) {
                startConnect(request.duplicate());
                started++;
            }
            if (started == count && open + handshaking < target) {
                break; // some failed: the rest cannot arrive
            }
            int openBefore = open;
            int closedBefore = closed;
            runUntil(Math.min(deadlineNanos, System.nanoTime() + 50_000_000L),
                    () -> open != openBefore || closed != closedBefore);
        }
        return open - (target - count);
    }

    private void startConnect(ByteBuffer request) throws IOException {
        SocketChannel channel = SocketChannel.open();
        ClientConnection c = new ClientConnection(connections.size(), channel);
        c.deflate = offerDeflate;
        connections.add(c);
        handshaking++;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            boolean connected = channel.connect(address);
            c.key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            c.pendingRequest = request;
            if (tls != null) {
                c.tls = new ClientTls(tls, "localhost", address.getPort());
            }
            if (connected) {
                connected(c);
            }
        } catch (IOException e) {
            fail(c, e);
        }
    }

    private void connected(ClientConnection c) throws IOException {
        c.state = ClientConnection.State.HANDSHAKE;
        c.key.interestOps(SelectionKey.OP_READ);
        if (c.tls != null) {
            c.tls.handshake();   // the ClientHello
            c.flush();
            return;              // the upgrade request follows the TLS handshake
        }
        ByteBuffer request = c.pendingRequest;
        c.pendingRequest = null;
        c.send(request);
    }

    /** @return the negotiated TLS protocol and suite of the first open wss connection, or null */
    String tlsDescription() {
        for (ClientConnection c : connections) {
            if (c.tls != null && c.isOpen()) {
                return c.tls.describe();
            }
        }
        return null;
    }

    /**
     * Runs the event loop until the deadline or until {@code done} is true (checked after each batch of events).
     *
     * @throws IOException if the selector fails
     */
    void runUntil(long deadlineNanos, BooleanSupplier done) throws IOException {
        while (!done.getAsBoolean()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            long millis = Math.max(1, Math.min(100, left / 1_000_000L));
            if (selector.select(millis) == 0) {
                continue;
            }
            Iterator<SelectionKey> it = selector.selectedKeys().iterator();
            while (it.hasNext()) {
                SelectionKey key = it.next();
                it.remove();
                ClientConnection c = (ClientConnection) key.attachment();
                try {
                    handle(key, c);
                } catch (IOException | RuntimeException e) {
                    fail(c, e);
                }
            }
        }
    }

    private void handle(SelectionKey key, ClientConnection c) throws IOException {
        if (!key.isValid()) {
            return;
        }
        if (key.isConnectable()) {
            c.channel.finishConnect();
            connected(c);
            return;
        }
        if (key.isWritable()) {
            c.flush();
        }
        if (key.isReadable()) {
            read(c);
        }
    }

    private void read(ClientConnection c) throws IOException {
        for (int reads = 0; reads < 16; reads++) {
            readBuffer.clear();
            int n = c.channel.read(readBuffer);
            if (n < 0) {
                if (c.closing) {
                    finish(c);
                } else {
                    fail(c, new IOException("server closed the connection"));
                }
                return;
            }
            if (n == 0) {
                return;
            }
            readBuffer.flip();
            ByteBuffer in = readBuffer;
            if (c.tls != null) {
                c.tls.received(readBuffer);
                if (!c.tls.handshakeDone()) {
                    boolean done = c.tls.handshake();
                    if (done) {
                        c.send(c.pendingRequest);
                        c.pendingRequest = null;
                    } else {
                        c.flush();
                        continue;
                    }
                }
                in = c.tls.plaintext();
                c.flush();   // a post-handshake answer, if any
            }
            process(c, in);
            if (c.tls != null) {
                c.tls.consumed();
            }
            if (c.closeReason != null) {
                if (c.closing) {
                    finish(c);
                } else {
                    fail(c, new IOException(c.closeReason));
                }
                return;
            }
            if (n < readBuffer.capacity()) {
                return;
            }
        }
    }

    /** Feeds WebSocket bytes (the upgrade response, then frames) to the connection. */
    private void process(ClientConnection c, ByteBuffer in) throws IOException {
        if (c.state == ClientConnection.State.HANDSHAKE && c.readHandshake(in)) {
            c.state = ClientConnection.State.OPEN;
            handshaking--;
            open++;
            listener.onOpen(c);
        }
        if (c.state == ClientConnection.State.OPEN) {
            c.readFrames(in, listener);
        }
    }

    /**
     * Sends a frame on an open connection (a no-op on a closed one).
     *
     * @param frame a pre-built frame; the caller passes a buffer that only this connection writes, or a fresh
     *     duplicate
     */
    void send(ClientConnection c, ByteBuffer frame) {
        if (c.state != ClientConnection.State.OPEN) {
            return;
        }
        try {
            c.send(frame);
        } catch (IOException e) {
            fail(c, e);
        }
    }

    /** A closing handshake this side started is complete: the connection ends without an error. */
    private void finish(ClientConnection c) {
        if (c.state != ClientConnection.State.OPEN) {
            return;
        }
        finished++;
        end(c);
    }

    private void fail(ClientConnection c, Exception e) {
        if (c.state == ClientConnection.State.CLOSED) {
            return;
        }
        if (firstError == null) {
            firstError = "connection " + c.id + ": " + e;
        }
        end(c);
    }

    private void end(ClientConnection c) {
        if (c.state == ClientConnection.State.OPEN) {
            open--;
        } else {
            handshaking--;
        }
        c.state = ClientConnection.State.CLOSED;
        closed++;
        if (c.key != null) {
            c.key.cancel();
            c.key = null;
        }
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // Closing a socket we give up on: nothing more to do.
        }
    }

    /** Closes every connection (abruptly: the load test does not measure the closing handshake) and the selector. */
    @Override
    public void close() throws IOException {
        for (ClientConnection c : connections) {
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // Best effort at teardown.
            }
        }
        selector.close();
    }
}
