package io.wirefly.server.internal;

import io.wirefly.core.CloseInfo;
import io.wirefly.core.ClosedException;
import io.wirefly.core.CloseCode;
import io.wirefly.core.ReadyState;
import io.wirefly.core.UpgradeRequest;
import io.wirefly.core.WebSocket;
import io.wirefly.core.internal.protocol.Protocol;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The user's {@link WebSocket}: thread-safe, it validates arguments on the caller's thread and forwards every action
 * to its {@link Session} on the event loop (directly when called on that loop). It holds the few values other
 * threads read (ready state, path, subprotocol) and the bytes submitted from other threads that the loop has not
 * taken yet, which count toward the write limits at once: a send from another thread is refused when it would take
 * the bytes queued and in hand past {@code maxWriteBuffer}. The check and the loop's hand-over are not one atomic
 * step, so a message may still land while the one before it is being handed over, taking the queue past the limit
 * by at most its own size per sending thread; the loop then fails the connection with 1008.
 *
 * <pre>{@code
 * ws.sendText("hi").thenRun(() -> System.out.println("written"));
 * ws.close(1000, "bye");   // readyState() is CLOSING at once
 * }</pre>
 */
public final class SessionHandle implements WebSocket {
    private static final VarHandle PENDING_BYTES;
    private static final VarHandle STATE;
    private static final VarHandle ENDED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PENDING_BYTES = lookup.findVarHandle(SessionHandle.class, "pendingBytes", long.class);
            STATE = lookup.findVarHandle(SessionHandle.class, "state", ReadyState.class);
            ENDED = lookup.findVarHandle(SessionHandle.class, "ended", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * What is known of a connection before its handshake: both addresses (which end we are is the session's).
     *
     * @param remote the peer's address
     * @param local this side's address (null if the socket could not tell)
     */
    record Info(InetSocketAddress remote, InetSocketAddress local) {
    }

    private final Session session;
    // Info's addresses, kept here rather than in an object of their own (every connection has one); its role is the
    // session's, and the path and subprotocol are read from the request (one connection, one field less each).
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    /** The topics this connection joined: made at the first join (most connections never join one). */
    private volatile Set<String> topics;
    private volatile long pendingBytes;
    private volatile ReadyState state = ReadyState.CONNECTING;
    private volatile UpgradeRequest request;
    /** How the connection ended, once it has; written on the loop only. */
    private volatile CloseInfo endedWith;
    /** Completed with {@link #endedWith}; made only when {@link #close} is called, as most connections end unasked. */
    private volatile CompletableFuture<CloseInfo> ended;
    /** The server's topics, or null on a client connection. */
    private volatile Topics serverTopics;

    SessionHandle(Session session, Info info) {
        this.session = session;
        this.remote = info.remote();
        this.local = info.local();
    }

    Scheduler loop() {
        return session.loop();
    }

    Session session() {
        return session;
    }

    /** @return the topics this connection joined, without making the set when it joined none */
    public Set<String> joinedTopics() {
        Set<String> set = topics;
        return set == null ? Set.of() : set;
    }

    /** @return the topics this connection joined (live; the server's registry keeps it in step) */
    public Set<String> topics() {
        Set<String> set = topics;
        if (set == null) {
            synchronized (this) {
                set = topics;
                if (set == null) {
                    set = ConcurrentHashMap.newKeySet();
                    topics = set;
                }
            }
        }
        return set;
    }

    void opened(UpgradeRequest request) {
        this.request = request;
        STATE.compareAndSet(this, ReadyState.CONNECTING, ReadyState.OPEN);
    }

    void closing() {
        STATE.compareAndSet(this, ReadyState.OPEN, ReadyState.CLOSING);
    }

    void closed() {
        state = ReadyState.CLOSED;
    }

    long pendingBytes() {
        return pendingBytes;
    }

    @Override
    public CompletionStage<Void> sendText(CharSequence text) {
        String s = text.toString();
        return submit(s, null);
    }

    @Override
    public CompletionStage<Void> sendBinary(ByteBuffer data) {
        // Bytes lent to onBinaryBorrowed are gone when its call returns: a send that would keep them gets a copy,
        // unless this loop writes them at the end of the unit and copies only what the socket does not take.
        boolean keeps = Lending.active() && (!loop().inLoop()
                || session.sendKeeps(data.remaining()) && !session.queuesLent(data));
        return submit(null, keeps ? Lending.copy(data) : data.duplicate());
    }

    @Override
    public CompletionStage<Void> ping(ByteBuffer payload) {
        if (payload.remaining() > 125) {
            throw new IllegalArgumentException("ping payload must be at most 125 bytes, was " + payload.remaining());
        }
        ByteBuffer view = Lending.active() && !loop().inLoop() ? Lending.copy(payload) : payload.duplicate();
        CompletableFuture<Void> done = new CompletableFuture<>();
        Session.Send send = (protocol, tag) -> protocol.sendPing(view, tag);
        if (loop().inLoop()) {
            session.send(send, done, false);
        } else {
            loop().execute(() -> session.send(send, done, false));
        }
        return done;
    }

    @Override
    public CompletionStage<Void> sendBinaryPart(ByteBuffer part, boolean last) {
        ByteBuffer view = Lending.active() && !loop().inLoop() ? Lending.copy(part) : part.duplicate();
        return submit((protocol, tag) -> protocol.sendBinaryPart(view, last, tag), view.remaining(), true, last);
    }

    @Override
    public CompletionStage<Void> sendTextPart(CharSequence part, boolean last) {
        String text = part.toString();
        return submit((protocol, tag) -> protocol.sendTextPart(text, last, tag), Protocol.utf8Length(text), true,
                last);
    }

    /** {@inheritDoc} It blocks: on this connection's event loop it throws {@link IllegalStateException}. */
    @Override
    public java.io.OutputStream binaryStream() {
        if (loop().inLoop()) {
            throw new IllegalStateException("binaryStream() blocks, and this is the connection's event loop: "
                    + "use sendBinaryPart here, or give the server an executor");
        }
        return WebSocket.super.binaryStream();
    }

    /** Sends text or binary: a whole message. */
    private CompletionStage<Void> submit(String text, ByteBuffer binary) {
        Session.Send send = text != null
                ? (protocol, tag) -> protocol.sendText(text, tag)
                : (protocol, tag) -> protocol.sendBinary(binary, tag);
        return submit(send, text != null ? Protocol.utf8Length(text) : binary.remaining(), false, true);
    }

    /**
     * Sends a message or a part of one. On the loop the session checks the limits after queuing; from another
     * thread the size (in bytes, UTF-8 for text) is counted as pending at once and refused beyond the hard limit.
     *
     * @param size the payload's bytes
     * @param part whether it is a part of a message ({@code last} says which)
     */
    private CompletionStage<Void> submit(Session.Send send, long size, boolean part, boolean last) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (loop().inLoop()) {
            sendNow(send, part, last, done);
            return done;
        }
        long limit = session.settings().maxWriteBuffer();
        // Never grow past the hard limit, even when another thread sends faster than the loop drains.
        if (session.accountedBytes() + pendingBytes + size + OutboundBuffer.FRAME_OVERHEAD > limit) {
            loop().execute(session::overflow);
            done.completeExceptionally(new ClosedException(
                    "write queue exceeded maxWriteBuffer (" + limit + " bytes)"));
            return done;
        }
        if (session.behindWhileCrowded(pendingBytes)) {
            loop().execute(session::crowdedOut);
            done.completeExceptionally(new ClosedException("this connection has " + Session.CROWDED));
            return done;
        }
        PENDING_BYTES.getAndAdd(this, size);
        loop().execute(() -> {
            PENDING_BYTES.getAndAdd(this, -size);
            sendNow(send, part, last, done);
        });
        return done;
    }

    private void sendNow(Session.Send send, boolean part, boolean last, CompletableFuture<Void> done) {
        if (part) {
            session.sendPart(send, last, done);
        } else {
            session.send(send, done);
        }
    }

    /**
     * Queues a shared broadcast frame; loop thread only.
     *
     * @param frame a read-only view of an encoded frame
     */
    void sendShared(ByteBuffer frame) {
        session.sendShared(frame);
    }

    @Override
    public CompletionStage<CloseInfo> close(int code, String reason) {
        if (!CloseCode.isValidOnWire(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent");
        }
        int bytes = reason.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > 123) {
            throw new IllegalArgumentException("close reason must be at most 123 bytes of UTF-8, was " + bytes);
        }
        // Like the browser API: CLOSING at once, whichever thread asked.
        STATE.compareAndSet(this, ReadyState.OPEN, ReadyState.CLOSING);
        if (loop().inLoop()) {
            session.close(code, reason);
        } else {
            loop().execute(() -> session.close(code, reason));
        }
        return endedFuture().copy();
    }

    /**
     * @return the future of how the connection ends, made on the first call; complete if it has ended. (Whichever
     *     of this and {@link #ended} runs second completes it: both fields are volatile.)
     */
    private CompletableFuture<CloseInfo> endedFuture() {
        CompletableFuture<CloseInfo> f = ended;
        if (f == null) {
            CompletableFuture<CloseInfo> made = new CompletableFuture<>();
            f = (CompletableFuture<CloseInfo>) ENDED.compareAndExchange(this, null, made);
            if (f == null) {
                f = made;
            }
        }
        CloseInfo how = endedWith;
        if (how != null) {
            f.complete(how);
        }
        return f;
    }

    /** Records once how the connection ended, and completes the future if one was asked for; loop thread. */
    void ended(int code, String reason) {
        if (endedWith != null) {
            return;
        }
        CloseInfo how = new CloseInfo(code, reason);
        endedWith = how;
        CompletableFuture<CloseInfo> f = ended;
        if (f != null) {
            f.complete(how);
        }
    }

    @Override
    public ReadyState readyState() {
        return state;
    }

    @Override
    public long bufferedAmount() {
        return session.bufferedBytes() + pendingBytes;
    }

    @Override
    public String subprotocol() {
        UpgradeRequest r = request;
        return r == null ? "" : r.subprotocol();
    }

    @Override
    public String path() {
        UpgradeRequest r = request;
        return r == null ? "" : r.path();
    }

    @Override
    public UpgradeRequest request() {
        UpgradeRequest r = request;
        if (r == null) {
            throw new IllegalStateException("the handshake is not done yet");
        }
        return r;
    }

    /** Called when a server takes the connection: its topics become reachable from the handle. */
    public void serverTopics(Topics topics) {
        this.serverTopics = topics;
    }

    private Topics topicsOrFail() {
        Topics t = serverTopics;
        if (t == null) {
            throw new UnsupportedOperationException("topics belong to a server; a client connection has none");
        }
        return t;
    }

    @Override
    public void subscribe(String topic) {
        topicsOrFail().subscribe(this, topic);
    }

    @Override
    public void unsubscribe(String topic) {
        topicsOrFail().unsubscribe(this, topic);
    }

    @Override
    public int publish(String topic, CharSequence text) {
        return topicsOrFail().publish(topic, text);
    }

    @Override
    public int publish(String topic, ByteBuffer data) {
        return topicsOrFail().publish(topic, data);
    }

    /** @return the local address of the socket, or null */
    InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public String toString() {
        return "WebSocket[" + session.role() + " " + remote + path() + " " + state + "]";
    }
}
