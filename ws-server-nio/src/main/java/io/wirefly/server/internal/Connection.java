package io.wirefly.server.internal;

import io.wirefly.core.ClosedException;
import io.wirefly.core.CloseCode;
import io.wirefly.core.HandshakeException;
import io.wirefly.core.ProtocolException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.internal.deflate.DeflateParams;
import io.wirefly.core.internal.frame.MaskKeys;
import io.wirefly.core.internal.handshake.HandshakeParser;
import io.wirefly.core.internal.protocol.OutboundKind;
import io.wirefly.core.internal.protocol.Protocol;
import io.wirefly.core.internal.protocol.ProtocolListener;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One WebSocket connection on an event loop, server or client side: the handshake, then a {@link Protocol} between
 * the socket and the user's handler, with a {@link WriteQueue}, back-pressure and the connection's timers. Every
 * field is touched only on the loop thread, except the few that the {@link WebSocket} methods read from any thread.
 */
public final class Connection implements WebSocket, ProtocolListener, EventLoop.ChannelHandler {
    private static final System.Logger LOG = System.getLogger(Connection.class.getName());
    /** One thread-safe key source for every client connection; a server never masks. */
    private static final MaskKeys KEYS = MaskKeys.secure();
    /** Runs handler calls inline on the loop; it has no state, so every connection without an executor shares it. */
    private static final Dispatcher INLINE = new Dispatcher(null);
    private static final VarHandle PENDING_BYTES;

    static {
        try {
            PENDING_BYTES = MethodHandles.lookup().findVarHandle(Connection.class, "pendingBytes", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final EventLoop loop;
    private final SocketChannel channel;
    private final Settings settings;
    private final MetricsCollector metrics;
    private final Role role;
    private final InetSocketAddress remote;
    private final WriteQueue out = new WriteQueue();
    /** Bytes submitted by other threads and not yet handed to the protocol; changed through PENDING_BYTES. */
    private volatile long pendingBytes;
    /** The role-specific handshake; dropped once the connection is open, which never needs it again. */
    private Handshake handshake;
    private SelectionKey key;

    private volatile ReadyState state = ReadyState.CONNECTING;
    private volatile String path = "";
    private volatile String subprotocol = "";
    private Protocol protocol;
    private WebSocketHandler handler;
    private Dispatcher dispatcher;
    private CompletableFuture<Void> sending;
    private boolean readsPaused;
    private boolean closeAfterFlush;
    private boolean lingering;
    private boolean channelClosed;
    private boolean closeReported;
    private int sentCloseCode = -1;
    private long lastReadNanos;
    private long pingSentNanos = -1;
    private long pingPayload;
    private EventLoop.Timer handshakeTimer;
    private EventLoop.Timer idleTimer;
    private EventLoop.Timer closeTimer;
    private Runnable onRelease = () -> { };

    /** The role-specific part of the opening handshake. */
    interface Handshake {
        /** @param connection the connection whose socket is now connected */
        void onConnected(Connection connection);

        /**
         * @param connection the connection
         * @param in handshake bytes; what follows the head must be left in the buffer
         * @return true once the connection is open (or being answered and closed)
         */
        boolean onBytes(Connection connection, ByteBuffer in);

        /**
         * @param connection the connection
         * @param cause why the handshake did not complete
         */
        void onFailed(Connection connection, Exception cause);
    }

    Connection(EventLoop loop, SocketChannel channel, Settings settings, Role role, InetSocketAddress remote,
            Handshake handshake) {
        this.loop = loop;
        this.channel = channel;
        this.settings = settings;
        this.metrics = settings.metrics();
        this.role = role;
        this.remote = remote;
        this.handshake = handshake;
    }

    /**
     * Registers the channel with the loop and starts the handshake timer. Loop thread only.
     *
     * @param ops the initial interest set
     * @param release run once when the connection is gone
     */
    void register(int ops, Runnable release) {
        this.onRelease = release;
        try {
            key = loop.register(channel, ops, this);
        } catch (IOException e) {
            onFailure(e);
            return;
        }
        handshakeTimer = loop.schedule(settings.handshakeTimeoutNanos(), this::onHandshakeTimeout);
        if (ops != SelectionKey.OP_CONNECT) {
            handshake.onConnected(this);
        }
    }

    EventLoop loop() {
        return loop;
    }

    // ---- Handshake helpers used by the Handshake implementations -------------------------------------------------

    HandshakeParser newParser(boolean requests) {
        return requests ? HandshakeParser.forRequests(settings.config()) : HandshakeParser.forResponses(settings.config());
    }

    /** Writes raw bytes (a handshake head or an HTTP response). */
    void writeRaw(ByteBuffer bytes) {
        out.addData(bytes, null);
        flush();
    }

    /** Sends an HTTP answer and closes once it is written. */
    void respondAndClose(int status, ByteBuffer response) {
        metrics.rejected(status);
        closeAfterFlush = true;
        key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        writeRaw(response);
    }

    /** The handshake succeeded: start the protocol and tell the handler. */
    void open(WebSocketHandler handler, String path, String subprotocol, DeflateParams deflate) {
        handshakeTimer.cancel();
        this.handler = handler;
        this.path = path;
        this.subprotocol = subprotocol;
        this.dispatcher = settings.executor() == null ? INLINE : new Dispatcher(settings.executor());
        this.handshake = null;   // the caller (the handshake itself) needs nothing more from this connection
        this.protocol = new Protocol(role, settings.config(), deflate, KEYS, this);
        this.state = ReadyState.OPEN;
        this.lastReadNanos = System.nanoTime();
        metrics.opened();
        if (settings.idleTimeoutNanos() > 0) {
            idleTimer = loop.schedule(settings.idleTimeoutNanos(), this::onIdleCheck);
        }
        dispatch(() -> handler.onOpen(this));
    }

    // ---- Readiness -----------------------------------------------------------------------------------------------

    @Override
    public void onReady(SelectionKey key) {
        if (key.isConnectable()) {
            try {
                channel.finishConnect();
            } catch (IOException e) {
                onFailure(e);
                return;
            }
            key.interestOps(SelectionKey.OP_READ);
            handshake.onConnected(this);
        }
        if (key.isValid() && key.isWritable()) {
            flush();
        }
        if (key.isValid() && key.isReadable()) {
            read();
        }
    }

    private void read() {
        ByteBuffer buffer = loop.readBuffer();
        buffer.clear();
        int n;
        try {
            n = channel.read(buffer);
        } catch (IOException e) {
            onFailure(e);
            return;
        }
        if (lingering) {
            // our side is finished: discard what the peer still sends until it closes too (or the timer fires)
            if (n < 0) {
                closeChannel();
            }
            return;
        }
        if (n < 0) {
            onEof();
            return;
        }
        if (n == 0) {
            return;
        }
        metrics.bytesIn.add(n);
        lastReadNanos = System.nanoTime();
        buffer.flip();
        if (protocol == null) {
            try {
                if (!handshake.onBytes(this, buffer) || protocol == null) {
                    return;
                }
            } catch (HandshakeException e) {
                handshake.onFailed(this, e);
                return;
            }
        }
        if (buffer.hasRemaining()) {
            protocol.receive(buffer);
        }
    }

    private void onEof() {
        if (protocol == null) {
            handshake.onFailed(this, new IOException("connection closed during the handshake"));
        }
        closeChannel();
    }

    @Override
    public void onFailure(Exception cause) {
        if (lingering) {
            closeChannel();   // our side had already finished; a reset now loses nothing
            return;
        }
        if (protocol == null && !channelClosed) {
            handshake.onFailed(this, cause);
        } else if (protocol != null && protocol.state() != ReadyState.CLOSED && !(cause instanceof ClosedException)) {
            Exception error = cause;
            dispatch(() -> handler.onError(this, error));
        }
        closeChannel();
    }

    private void onHandshakeTimeout() {
        if (lingering) {
            closeChannel();
            return;
        }
        if (protocol == null && !channelClosed) {
            handshake.onFailed(this, new HandshakeException(408, "handshake not completed within "
                    + settings.handshakeTimeoutNanos() / 1_000_000 + " ms"));
            closeChannel();
        }
    }

    // ---- Writing and back-pressure -------------------------------------------------------------------------------

    private void flush() {
        if (channelClosed) {
            return;
        }
        long before = out.bytes();
        boolean empty;
        try {
            empty = out.writeTo(channel);
        } catch (IOException e) {
            onFailure(e);
            return;
        }
        metrics.bytesOut.add(before - out.bytes());
        if (!key.isValid()) {
            return;
        }
        if (empty) {
            if ((key.interestOps() & SelectionKey.OP_WRITE) != 0) {
                key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
            }
            if (closeAfterFlush) {
                linger();
                return;
            }
        } else if ((key.interestOps() & SelectionKey.OP_WRITE) == 0) {
            key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
        }
        checkWaterMarks();
    }

    private void failOverflow() {
        if (protocol != null && protocol.state() != ReadyState.CLOSED) {
            sentCloseCode = CloseCode.POLICY_VIOLATION.code();
            protocol.fail(CloseCode.POLICY_VIOLATION,
                    "write queue exceeded maxWriteBuffer (" + settings.maxWriteBuffer() + " bytes)");
        }
    }

    private void checkWaterMarks() {
        long queued = out.bytes() + pendingBytes;
        if (queued > settings.maxWriteBuffer()) {
            failOverflow();
            return;
        }
        if (!readsPaused && queued > settings.highWaterMark() && !closeAfterFlush) {
            readsPaused = true;
            metrics.paused();
            key.interestOps(key.interestOps() & ~SelectionKey.OP_READ);
        } else if (readsPaused && queued < settings.lowWaterMark()) {
            readsPaused = false;
            if (!closeAfterFlush) {
                key.interestOps(key.interestOps() | SelectionKey.OP_READ);
            }
        }
    }

    // ---- ProtocolListener ----------------------------------------------------------------------------------------

    @Override
    public void onText(String text) {
        metrics.messagesIn.increment();
        dispatch(() -> handler.onText(this, text));
    }

    @Override
    public void onBinary(ByteBuffer data) {
        metrics.messagesIn.increment();
        dispatch(() -> handler.onBinary(this, data));
    }

    @Override
    public void onPing(ByteBuffer payload) {
        // The pong is already queued; nothing to tell the handler.
    }

    @Override
    public void onPong(ByteBuffer payload) {
        if (pingSentNanos >= 0 && payload.remaining() == Long.BYTES && payload.getLong(payload.position()) == pingPayload) {
            metrics.pingRoundTrip(System.nanoTime() - pingSentNanos);
            pingSentNanos = -1;
        }
        dispatch(() -> handler.onPong(this, payload));
    }

    @Override
    public void onOutbound(ByteBuffer frame, OutboundKind kind) {
        CompletableFuture<Void> done = sending;
        sending = null;
        switch (kind) {
            case CONTROL -> out.addControl(frame, done);
            case DATA, CLOSE -> out.addData(frame, done);
            case CLOSE_ABORT -> {
                out.dropPending("connection failed");
                out.addData(frame, done);
            }
        }
        flush();
    }

    @Override
    public void onProtocolError(ProtocolException error) {
        sentCloseCode = error.closeCode().code();
        dispatch(() -> handler.onError(this, error));
    }

    @Override
    public void onClosed(int code, String reason) {
        state = ReadyState.CLOSED;
        if (sentCloseCode < 0) {
            // The peer started the close (or vanished); we echoed its code.
            metrics.closeReceived(code);
            if (code != CloseCode.ABNORMAL.code() && code != CloseCode.NO_STATUS.code()) {
                metrics.closeSent(code);
            }
        } else {
            metrics.closeSent(sentCloseCode);
            if (code != sentCloseCode || code == CloseCode.ABNORMAL.code()) {
                metrics.closeReceived(code);
            }
        }
        if (idleTimer != null) {
            idleTimer.cancel();
        }
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        reportClose(code, reason);
        if (!channelClosed) {
            // RFC 6455 §7.1.1: the server closes the TCP connection first; a client waits for it, but not forever.
            closeAfterFlush = role == Role.SERVER;
            closeTimer = loop.schedule(settings.closeTimeoutNanos(), this::closeChannel);
            flush();
        }
    }

    private void reportClose(int code, String reason) {
        if (closeReported) {
            return;
        }
        closeReported = true;
        metrics.closed(code);
        dispatch(() -> handler.onClose(this, code, reason));
    }

    /**
     * Everything is written and this side closes first (a server, or an HTTP refusal). Closing the socket while
     * unread input sits in it would make the kernel answer with a TCP reset, which can destroy the frames we just
     * sent before the peer reads them (RFC 6455 §7.1.1 wants the close frame to arrive). So: half-close (FIN after
     * the queued bytes), then read and discard until the peer closes too, or until the close timeout.
     */
    private void linger() {
        if (lingering) {
            return;
        }
        lingering = true;
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            closeChannel();
            return;
        }
        if (closeTimer == null) {
            closeTimer = loop.schedule(settings.closeTimeoutNanos(), this::closeChannel);
        }
        key.interestOps(SelectionKey.OP_READ);
    }

    private void closeChannel() {
        if (channelClosed) {
            return;
        }
        channelClosed = true;
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing channel", e);
        }
        out.clear("connection closed");
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        if (idleTimer != null) {
            idleTimer.cancel();
        }
        if (closeTimer != null) {
            closeTimer.cancel();
        }
        if (protocol != null) {
            protocol.receiveEof();   // reports 1006 unless the closing handshake completed
        }
        state = ReadyState.CLOSED;
        onRelease.run();
    }

    // ---- Timers --------------------------------------------------------------------------------------------------

    private void onIdleCheck() {
        if (protocol == null || protocol.state() != ReadyState.OPEN || channelClosed) {
            return;
        }
        long now = System.nanoTime();
        if (pingSentNanos >= 0) {
            if (now - pingSentNanos >= settings.pongTimeoutNanos()) {
                LOG.log(Level.DEBUG, "no pong within the deadline; closing " + remote);
                dispatch(() -> handler.onError(this, new ClosedException("no pong within "
                        + settings.pongTimeoutNanos() / 1_000_000 + " ms")));
                closeChannel();
                return;
            }
            idleTimer = loop.schedule(pingSentNanos + settings.pongTimeoutNanos() - now, this::onIdleCheck);
            return;
        }
        long silent = now - lastReadNanos;
        if (silent >= settings.idleTimeoutNanos()) {
            pingSentNanos = now;
            pingPayload = now;
            protocol.sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, now));
            idleTimer = loop.schedule(settings.pongTimeoutNanos(), this::onIdleCheck);
        } else {
            idleTimer = loop.schedule(settings.idleTimeoutNanos() - silent, this::onIdleCheck);
        }
    }

    // ---- Handler dispatch ----------------------------------------------------------------------------------------

    private void dispatch(Runnable call) {
        dispatcher.dispatch(() -> {
            try {
                call.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "handler threw", e);
                try {
                    handler.onError(this, e);
                } catch (RuntimeException again) {
                    LOG.log(Level.WARNING, "handler's onError threw", again);
                }
            }
        });
    }

    // ---- WebSocket -----------------------------------------------------------------------------------------------

    @Override
    public CompletionStage<Void> sendText(CharSequence text) {
        String s = text.toString();
        return submit(s.length(), protocol -> protocol.sendText(s));
    }

    @Override
    public CompletionStage<Void> sendBinary(ByteBuffer data) {
        ByteBuffer view = data.duplicate();
        return submit(view.remaining(), protocol -> protocol.sendBinary(view));
    }

    @Override
    public CompletionStage<Void> ping(ByteBuffer payload) {
        if (payload.remaining() > 125) {
            throw new IllegalArgumentException("ping payload must be at most 125 bytes, was " + payload.remaining());
        }
        ByteBuffer view = payload.duplicate();
        return submit(view.remaining(), protocol -> protocol.sendPing(view));
    }

    /**
     * Sends an already encoded, unmasked frame shared with other connections (a broadcast). Loop thread only.
     *
     * @param frame a read-only view of the frame
     */
    void sendShared(ByteBuffer frame) {
        if (protocol == null || protocol.state() != ReadyState.OPEN || channelClosed) {
            return;
        }
        metrics.messagesOut.increment();
        out.addData(frame, null);
        flush();
    }

    private interface Send {
        void on(Protocol protocol);
    }

    private CompletionStage<Void> submit(long size, Send send) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (out.bytes() + pendingBytes + size > settings.maxWriteBuffer()) {
            // Never grow past the hard limit, even when another thread sends faster than the loop drains.
            if (loop.inLoop()) {
                failOverflow();
            } else {
                loop.execute(this::failOverflow);
            }
            done.completeExceptionally(new ClosedException(
                    "write queue exceeded maxWriteBuffer (" + settings.maxWriteBuffer() + " bytes)"));
            return done;
        }
        if (loop.inLoop()) {
            sendOnLoop(send, done);
            return done;
        }
        PENDING_BYTES.getAndAdd(this, size);
        loop.execute(() -> {
            PENDING_BYTES.getAndAdd(this, -size);
            sendOnLoop(send, done);
        });
        return done;
    }

    private void sendOnLoop(Send send, CompletableFuture<Void> done) {
        if (protocol == null || protocol.state() != ReadyState.OPEN || channelClosed) {
            done.completeExceptionally(new ClosedException("cannot send: the connection is " + state));
            return;
        }
        sending = done;
        try {
            send.on(protocol);
            metrics.messagesOut.increment();
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        } finally {
            sending = null;
        }
    }

    @Override
    public void close(int code, String reason) {
        if (!CloseCode.isValidOnWire(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent");
        }
        int bytes = reason.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > 123) {
            throw new IllegalArgumentException("close reason must be at most 123 bytes of UTF-8, was " + bytes);
        }
        if (loop.inLoop()) {
            closeOnLoop(code, reason);
        } else {
            loop.execute(() -> closeOnLoop(code, reason));
        }
    }

    /** Starts the closing handshake on the loop thread; used by {@link #close} and by a server's stop. */
    void closeOnLoop(int code, String reason) {
        if (protocol == null) {
            if (!channelClosed) {
                closeChannel();
            }
            return;
        }
        if (protocol.state() != ReadyState.OPEN) {
            return;
        }
        sentCloseCode = code;
        protocol.close(code, reason);
        state = ReadyState.CLOSING;
        if (protocol.closeExpected()) {
            closeTimer = loop.schedule(settings.closeTimeoutNanos(), this::closeChannel);
        }
    }

    /** Closes the socket at once, without a closing handshake. Loop thread only. */
    void abort() {
        closeChannel();
    }

    @Override
    public ReadyState readyState() {
        return state;
    }

    @Override
    public long bufferedAmount() {
        return out.bytes() + pendingBytes;
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "WebSocket[" + role + " " + remote + path + " " + state + "]";
    }
}
