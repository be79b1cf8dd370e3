package io.wirefly.server.internal;

import io.wirefly.core.ClosedException;
import io.wirefly.core.CloseCode;
import io.wirefly.core.HandshakeException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.internal.deflate.DeflateParams;
import io.wirefly.core.internal.frame.MaskKeys;
import io.wirefly.core.internal.handshake.HandshakeParser;
import io.wirefly.core.internal.protocol.OutboundKind;
import io.wirefly.core.internal.protocol.OutboundSink;
import io.wirefly.core.internal.protocol.Protocol;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One connection's life on its event loop, from the first byte of the handshake to the close of the socket. It is
 * loop-confined: every method runs on the loop thread, so it has no locks and no volatile state of its own (its
 * {@link SessionHandle} is what other threads touch).
 *
 * <p>Its shape, one owner per concern:
 * <ul>
 *   <li>the {@link Phase}, which only moves forward: {@code HANDSHAKE → OPEN → CLOSING → LINGERING → CLOSED};
 *   <li>the {@link Protocol} (ws-core), fed with {@code receive} and drained of frames with {@code drainOutbound};
 *   <li>the {@link OutboundBuffer}, which owns the frames waiting for the socket and their completions;
 *   <li>the {@link SessionTimers}, which own every deadline;
 *   <li>the {@link HandlerCalls}, which own the calls into the handler (inline, or through a {@link Dispatcher}).
 * </ul>
 *
 * <p>What stays here is the phase and the transitions between the others, which must be read together to see that
 * every path ends in the one {@code terminate}; the asynchronous handshake decision and the messages that wait for a
 * message sent in parts are phases of the same machine. {@code SessionTest} drives each transition with a manual
 * clock and an in-memory wire.
 *
 * <p>Every entry (readiness, a task from the handle, a timer) is one unit of work that ends in {@link #afterIo()}:
 * drain the engine, write, apply the write limits, advance the phase, set the interest ops. Calls made while a unit
 * is running (a handler that sends from {@code onText}) only queue; nothing re-enters the socket code. There is one
 * exit, {@link #terminate(Throwable)}, which closes the socket, cancels the timers, fails what is still queued,
 * reports the close and releases the registration, exactly once.
 */
final class Session implements OutboundSink, EventLoop.ChannelHandler, SessionTimers.Events {
    private static final System.Logger LOG = System.getLogger(Session.class.getName());
    /** One thread-safe key source for every client connection; a server never masks. */
    private static final MaskKeys KEYS = MaskKeys.secure();
    /**
     * Frames one turn of the loop decodes for this session at most. A peer that packs a read with tiny frames (a
     * ping flood, a flood of one-byte messages: 64 KiB holds ten thousand) would otherwise hold the loop for
     * milliseconds while every other connection on it waits; beyond this share, the rest of the read waits for
     * the next turn and reading stops until it is decoded.
     */
    static final int FRAMES_PER_TURN = 64;
    /**
     * Decompressed bytes one turn produces for this session, about: 64 KiB of deflate data can inflate to a thousand
     * times that, so one read of a "zip bomb" would otherwise inflate all the way to maxMessageSize at once. 64 KiB
     * (it was 256 KiB) keeps a turn short when many connections inflate at once: with 32 bombs on two loops the
     * healthy client's median during the attack fell from 0.5-0.9 ms to 0.2 ms (benchmarks/abuse.sh).
     */
    static final int INFLATED_PER_TURN = 64 * 1024;
    /** Bytes read and discarded while lingering after the close, beyond which the socket is closed at once. */
    static final long LINGER_DISCARD_LIMIT = 1 << 20;

    /** Where a session is in its life; it only moves forward. */
    enum Phase {
        /** Connecting, or reading / writing the opening handshake. */
        HANDSHAKE,
        /** The WebSocket is open. */
        OPEN,
        /** The closing handshake has started, or the engine is closed and its last frames are being written. */
        CLOSING,
        /** Our side is finished and half-closed; input is read and discarded until the peer's FIN. */
        LINGERING,
        /** The socket is closed and everything is released. */
        CLOSED
    }

    /** The role-specific part of the opening handshake. */
    interface Handshake {
        /** @param session the session whose socket is now connected */
        void onConnected(Session session);

        /**
         * @param session the session
         * @param in handshake bytes; what follows the head must be left in the buffer
         * @throws HandshakeException if the head is malformed
         */
        void onBytes(Session session, ByteBuffer in);

        /**
         * The head was malformed: answer it (server) or give up (client).
         *
         * @param session the session
         * @param cause the error
         */
        void onMalformed(Session session, HandshakeException cause);

        /**
         * The session ended before the handshake completed (timeout, reset, EOF, loop stopped).
         *
         * @param cause why, never null
         */
        void onAborted(Throwable cause);

        /** The handshake is over: the connection opened, or it ended (answered, aborted or refused). Called once. */
        default void onEnded() {
        }
    }

    private final Scheduler loop;
    private final Wire wire;
    /** The server's (or client's) settings, then the route's once the connection is open. */
    private Settings settings;
    private final Role role;
    private final SessionHandle handle;
    /**
     * What waits to be written; {@link OutboundBuffer#NONE} from the end of the upgrade until the first send, so that
     * a connection that stays idle holds no queue. Frames go in through {@link #queue()} only. Other threads read it
     * (racy, for a size).
     */
    private OutboundBuffer out = new OutboundBuffer();
    /** Set when the connection opens: the queue that wrote the upgrade is let go once it is empty. */
    private boolean dropQueueWhenEmpty;
    private final SessionTimers timers;
    private Handshake handshake;
    private Protocol protocol;
    /** The calls into the handler; made when the connection opens, null before. */
    private HandlerCalls calls;
    private Phase phase = Phase.HANDSHAKE;
    /** Nesting depth of units of work; afterIo runs when the outermost one ends. */
    private int depth;
    private boolean readsPaused;
    /** True while reading waits for the group's broadcast backlog to shrink ({@link FanOutBacklog#holdBack}). */
    private boolean fanOutWaiting;
    /**
     * True from the wake-up until this connection next takes input (a read, or a share of its kept input): it gets
     * that one turn whatever the backlog is by then.
     * Without it, the connections woken first (the flooders, which wait again at once) refilled the backlog before
     * the others' wake-ups ran, and those waited round after round.
     */
    private boolean fanOutWoken;
    /** An asynchronous handshake filter has not decided yet: nothing is read. */
    private boolean awaitingDecision;
    /** Data sends that wait for the last part of a message being sent in parts; null when none. */
    private java.util.ArrayDeque<Runnable> afterPartial;
    private boolean connecting;
    private int sentCloseCode = -1;
    /** What this connection counts as toward maxConnections, from its open until its socket is closed. */
    private int weight = 1;
    /** This session's share of the server-wide {@link OutboundTotal}, as last reported. */
    private long reportedOutbound;
    /** Whether the peer took queued bytes since the last report to the {@link OutboundTotal}. */
    private boolean peerTook;
    /** Whether the peer has taken everything queued for it at least once: it reads (see {@link OutboundTotal}). */
    private boolean peerReads;
    /** Input read in an earlier turn and not decoded yet (see {@link #FRAMES_PER_TURN}); null until the first. */
    private InputBacklog input;
    /** Bytes discarded while lingering, counted up to just past {@link #LINGER_DISCARD_LIMIT}. */
    private int lingerDiscarded;
    /**
     * Whether this unit queued bytes lent from the loop's read buffer without copying them ({@link #queuesLent}):
     * the unit's write then copies whatever of them the socket did not take.
     */
    private boolean lentQueued;
    /** Forgets this session's handle in its server's (or client's) registry, once; shared, not made per session. */
    private Consumer<SessionHandle> release = h -> { };

    Session(Scheduler loop, Wire wire, Settings settings, Role role, SessionHandle.Info info, Handshake handshake) {
        this.loop = loop;
        this.wire = wire;
        this.settings = settings;
        this.role = role;
        this.handshake = handshake;
        this.timers = new SessionTimers(this);
        this.handle = new SessionHandle(this, info);
    }

    SessionHandle handle() {
        return handle;
    }

    @Override
    public Scheduler loop() {
        return loop;
    }

    Phase phase() {
        return phase;
    }

    Role role() {
        return role;
    }

    /** @return true if this session holds an outbound queue of its own (tests: an idle connection holds none) */
    boolean holdsQueue() {
        return out != OutboundBuffer.NONE;
    }

    @Override
    public Settings settings() {
        return settings;
    }

    /**
     * Starts the session once its channel is registered. Loop thread.
     *
     * @param connected false while a client's connect is still in progress
     * @param release called once with the handle when the session is gone
     */
    void start(boolean connected, Consumer<SessionHandle> release) {
        this.release = release;
        depth++;
        try {
            timers.startHandshake();
            connecting = !connected;
            if (connected) {
                handshake.onConnected(this);
            }
        } finally {
            endUnit();
        }
    }

    // ---- Called by the Handshake implementations -----------------------------------------------------------------

    HandshakeParser newParser(boolean requests) {
        return requests ? HandshakeParser.forRequests(settings.config()) : HandshakeParser.forResponses(settings.config());
    }

    /** Queues raw bytes (a handshake head); written at the end of the current unit. */
    void writeRaw(ByteBuffer bytes) {
        queue().addData(bytes, null);
    }

    /** Answers the handshake over HTTP and closes once the answer is written. */
    void respondAndClose(int status, ByteBuffer response) {
        if (phase != Phase.HANDSHAKE) {
            return;
        }
        settings.metrics().rejected(status);
        queue().addData(response, null);
        phase = Phase.CLOSING;
        timers.stopHandshake();
        timers.startClose();
    }

    /**
     * From any thread: closes this connection on its loop if it still holds its handshake slot (the server needs
     * the slot for a newer connection). That is a handshake in progress, and also a request already answered over
     * HTTP (a page, a 404, a 400) whose answer is still being written or whose peer has not closed yet: the slot is
     * kept until the socket closes, so that answered connections stay bounded too. Without this, peers that sent a
     * request and then neither read nor closed kept every slot until the close timeout: 600 of them locked new
     * clients of a {@code -Xmx64m} server out for 10 s.
     *
     * @param why the reason, for the log
     */
    void abandonHandshake(String why) {
        loop.execute(() -> {
            if (handshake != null && phase != Phase.CLOSED) {
                LOG.log(System.Logger.Level.DEBUG, "closing a handshake in progress: " + why);
                settings.metrics().handshakeEvicted();
                terminate(new IOException(why));
            }
        });
    }

    /** The close reason of {@link #messageEvicted}. */
    static final String EVICTED =
            "message in progress dropped for newer ones: the server's maxInboundBuffer is used up";

    /**
     * From any thread: the inbound budget took back what this connection had reserved for the message it is
     * receiving, the oldest in progress, to make room for a newer one. Fails the connection on its loop with 1013
     * (try again later).
     */
    void messageEvicted() {
        loop.execute(() -> {
            if (phase != Phase.OPEN || protocol.state() == ReadyState.CLOSED) {
                return;
            }
            LOG.log(Level.DEBUG, "inbound budget full; dropping the oldest message in progress, from "
                    + handle.remoteAddress());
            depth++;
            try {
                failWith(CloseCode.TRY_AGAIN_LATER, EVICTED);
            } finally {
                endUnit();
            }
        });
    }

    /** @return the connection's TLS session, or null for a plain one (or before its TLS handshake is done) */
    javax.net.ssl.SSLSession tlsSession() {
        return wire.tlsSession();
    }

    /**
     * An asynchronous handshake decision is pending: read nothing more until {@link #decided}, and keep the bytes
     * that followed the request head (a client may send frames before the 101) for after it.
     *
     * @param rest the input after the head; consumed
     */
    void awaitDecision(ByteBuffer rest) {
        awaitingDecision = true;
        if (rest.hasRemaining()) {
            input().keep(ByteBuffer.allocate(rest.remaining()).put(rest).flip());
        }
    }

    /**
     * Runs the handshake's outcome on the loop, from any thread, as one unit of work; nothing if the session
     * ended meanwhile (the handshake timeout, a reset).
     *
     * @param outcome accepts (opens) or answers the request
     */
    void decided(Runnable outcome) {
        loop.execute(() -> {
            if (phase != Phase.HANDSHAKE || !awaitingDecision) {
                return;
            }
            awaitingDecision = false;
            depth++;
            try {
                outcome.run();
                if (protocol == null && input != null) {
                    input.drop();   // refused: what the client sent after its request is not ours to read
                }
            } finally {
                endUnit();
            }
        });
    }

    /** The handshake succeeded: start the protocol and tell the handler. */
    void open(WebSocketHandler handler, io.wirefly.core.UpgradeRequest request, DeflateParams deflate) {
        open(handler, request, deflate, null);
    }

    /**
     * @param routeSettings the route's own settings, or null to keep the server's
     */
    void open(WebSocketHandler handler, io.wirefly.core.UpgradeRequest request, DeflateParams deflate,
            Settings routeSettings) {
        if (routeSettings != null) {
            settings = routeSettings;
        }
        timers.stopHandshake();
        Handshake done = handshake;
        this.handshake = null;
        if (done != null) {
            done.onEnded();
        }
        Dispatcher dispatcher = settings.executor() == null ? Dispatcher.INLINE
                : new Dispatcher(settings.executor(), () -> loop.execute(this::resumeCheck), settings.inboundBudget(),
                        settings.config().maxMessageSize());
        this.calls = new HandlerCalls(this, handler, dispatcher);
        this.protocol = new Protocol(role, settings.config(), deflate, KEYS, calls, settings.inboundBudget(),
                loop.segments());
        protocol.streamBinary(Handlers.wantsParts(handler));
        protocol.lendBinary(calls.lends());
        protocol.streamText(Handlers.wantsTextParts(handler));
        this.phase = Phase.OPEN;
        dropQueueWhenEmpty = true;
        handle.opened(request);
        weight = request instanceof RequestView view ? view.weight() : 1;
        settings.metrics().opened(weight);
        timers.startIdle();
        calls.opened();
    }

    // ---- Readiness: one unit of work each ------------------------------------------------------------------------

    @Override
    public void onReady(SelectionKey key) {
        int ready = key.readyOps();
        onReady((ready & SelectionKey.OP_CONNECT) != 0, (ready & SelectionKey.OP_WRITE) != 0,
                (ready & SelectionKey.OP_READ) != 0);
    }

    /**
     * One readiness event (tests call it with a fake {@link Wire}).
     *
     * @param connectable a pending connect can be finished
     * @param writable the wire takes bytes
     * @param readable the wire has bytes (or EOF)
     */
    void onReady(boolean connectable, boolean writable, boolean readable) {
        depth++;
        try {
            if (connecting && connectable) {
                finishConnect();
            }
            if (phase != Phase.CLOSED && writable) {
                flush();
            }
            if (phase != Phase.CLOSED && readable) {
                read();
            }
        } finally {
            endUnit();
        }
    }

    @Override
    public void onFailure(Throwable cause) {
        terminate(cause);
    }

    private void finishConnect() {
        try {
            if (!wire.finishConnect()) {
                return;
            }
        } catch (IOException e) {
            terminate(e);
            return;
        }
        connecting = false;
        handshake.onConnected(this);
    }

    private void read() {
        fanOutWoken = false;
        ByteBuffer buffer = loop.readBuffer();
        buffer.clear();
        int n;
        try {
            n = wire.read(buffer);
        } catch (IOException e) {
            terminate(e);
            return;
        }
        if (n < 0) {
            onEof();
            return;
        }
        if (n == 0) {
            return;
        }
        if (phase == Phase.LINGERING) {
            // Our side is finished: discard what the peer still sends, up to a limit. A peer that goes on sending
            // after our close does not read it either, so closing at once (a reset) loses it nothing, and it can no
            // longer make us read and discard at memory speed until the close timeout.
            // (After a rejected handshake the peer may still be sending its request, an oversized head say: it
            // should get to read our error status, so the limit applies once the WebSocket was open.)
            lingerDiscarded = (int) Math.min(LINGER_DISCARD_LIMIT + 1, (long) lingerDiscarded + n);
            if (protocol != null && lingerDiscarded > LINGER_DISCARD_LIMIT) {
                terminate(null);
            }
            return;
        }
        settings.metrics().bytesIn.add(n);
        timers.onRead();
        buffer.flip();
        if (phase == Phase.HANDSHAKE) {
            try {
                handshake.onBytes(this, buffer);
            } catch (HandshakeException e) {
                handshake.onMalformed(this, e);
                return;
            }
        }
        if (protocol != null && buffer.hasRemaining()) {
            protocol.receive(buffer, FRAMES_PER_TURN, INFLATED_PER_TURN);
            if (buffer.hasRemaining() && phase != Phase.CLOSED) {
                // The turn's share is used up: keep the rest (the loop's buffer is shared) and read no more until
                // it is decoded, one share per turn (afterIo queues it). The copy goes into a spare of the loop's
                // pool: under a flood of tiny frames, a new array per read was most of what the server allocated
                // (67 MB of 107 MB in the abuse suite's "200k fragments", and young collections of 8-11 ms).
                input().keep(loop.scratch().take(buffer.remaining()).put(buffer).flip());
            }
        }
    }

    private InputBacklog input() {
        if (input == null) {
            input = new InputBacklog(this::decodeBacklog, this::keptInputEvicted);
        }
        return input;
    }

    /** Decodes the next share of the input kept from an earlier turn. */
    private void decodeBacklog() {
        input.decoding();
        ByteBuffer kept = input.bytes();
        if (kept == null || phase == Phase.CLOSED) {
            return;
        }
        depth++;
        try {
            if (phase == Phase.LINGERING) {
                input.drop();   // our side is finished: what the peer sent is discarded
            } else if (!readsPaused) {
                fanOutWoken = false;   // this share is the turn a wake-up promised
                protocol.receive(kept, FRAMES_PER_TURN, INFLATED_PER_TURN);
                if (!kept.hasRemaining() && input.bytes() == kept) {
                    input.drop();
                    loop.scratch().give(kept);   // nothing refers to it now (the decoder copies what it keeps)
                }
            }
        } finally {
            endUnit();
        }
    }

    private void onEof() {
        if (phase == Phase.LINGERING || protocol == null) {
            terminate(phase == Phase.LINGERING || phase == Phase.CLOSING ? null
                    : new IOException("connection closed during the handshake"));
            return;
        }
        terminate(null);   // the protocol reports 1006 unless the closing handshake completed
    }

    // ---- Timers --------------------------------------------------------------------------------------------------

    @Override
    public void onHandshakeTimeout() {
        if (phase == Phase.HANDSHAKE) {
            terminate(new HandshakeException(408, "handshake not completed within "
                    + settings.handshakeTimeoutNanos() / 1_000_000 + " ms"));
        }
    }

    @Override
    public void onPingDue(long payload) {
        if (phase != Phase.OPEN || protocol.state() != ReadyState.OPEN) {
            return;
        }
        depth++;
        try {
            protocol.sendPing(ByteBuffer.allocate(Long.BYTES).putLong(0, payload));
        } finally {
            endUnit();
        }
    }

    @Override
    public void onPongTimeout() {
        if (phase != Phase.OPEN) {
            return;
        }
        LOG.log(Level.DEBUG, "no pong within the deadline; closing " + handle.remoteAddress());
        ClosedException e = new ClosedException("no pong within " + settings.pongTimeoutNanos() / 1_000_000 + " ms");
        terminate(e);
    }

    @Override
    public void onCloseTimeout() {
        terminate(null);
    }

    // ---- The end of every unit of work ---------------------------------------------------------------------------

    private void endUnit() {
        if (--depth == 0) {
            try {
                afterIo();
            } catch (RuntimeException e) {
                terminate(e);
            }
        }
    }

    /**
     * Drains the engine into the buffer, writes, applies the limits, advances the phase and sets the interest ops.
     * Runs once at the end of each outermost unit of work.
     */
    private void afterIo() {
        for (int round = 0; round < 2 && phase != Phase.CLOSED; round++) {
            if (protocol != null && protocol.hasOutbound()) {
                protocol.drainOutbound(this);   // into accept(...) below
            }
            flush();
            if (lentQueued) {
                lentQueued = false;
                out.copyLentBodies();   // the next read on this loop overwrites the lent bytes
            }
            if (dropQueueWhenEmpty && out.isEmpty()) {
                dropQueueWhenEmpty = false;   // once: a busy connection keeps its queue
                out = OutboundBuffer.NONE;
            }
            if (phase == Phase.CLOSED) {
                return;
            }
            if (out.accounted() + handle.pendingBytes() > settings.maxWriteBuffer()) {
                failOverflow();   // queues a close that drops the backlog; the second round writes it
            } else if (reportOutbound()) {
                // Past the server's ceiling: a close frame would wait behind what the peer has not taken (a frame
                // begun cannot be dropped), so the connection goes at once, and its queue with it.
                terminate(new ClosedException(STALLED));
                return;
            } else {
                break;
            }
        }
        if (phase == Phase.CLOSED) {
            return;
        }
        if (protocol != null && protocol.state() != ReadyState.OPEN && phase == Phase.OPEN) {
            phase = Phase.CLOSING;
        }
        if (phase == Phase.CLOSING && out.isEmpty() && (protocol == null || protocol.state() == ReadyState.CLOSED)) {
            linger();
            if (phase == Phase.CLOSED) {
                return;
            }
        }
        if (reportOutbound()) {   // (lingering empties the queue, so this reports a drop, never a rise)
            terminate(new ClosedException(STALLED));
            return;
        }
        if (connecting) {
            return;   // the interest stays OP_CONNECT until the connect completes
        }
        boolean read = switch (phase) {
            case HANDSHAKE -> !awaitingDecision;
            case OPEN, CLOSING -> !pauseReads();
            case LINGERING -> true;
            case CLOSED -> false;
        };
        if (read && input != null && input.bytes() != null) {
            read = false;   // older input first: its next share is decoded in the loop's next turn
            input.decodeNextTurn(loop);
        }
        if (input != null && !input.count(settings.inboundBudget(), phase == Phase.OPEN || phase == Phase.CLOSING)) {
            keptInputEvicted();
        }
        wire.interest(read, !out.isEmpty() && phase != Phase.LINGERING);
    }

    /** The close reason of {@link #keptInputEvicted}. */
    static final String KEPT_INPUT_EVICTED =
            "input kept while the peer reads nothing dropped: the server's maxInboundBuffer is used up";

    /**
     * From any thread: the input this connection keeps for a later turn has no room in the inbound budget, or gave
     * its room to newer needs. Fails the connection on its loop with 1013 (try again later).
     */
    private void keptInputEvicted() {
        loop.execute(() -> {
            if (phase != Phase.OPEN) {
                return;
            }
            LOG.log(Level.DEBUG, "inbound budget full; dropping the input kept for " + handle.remoteAddress());
            ByteBuffer dropped = input.drop();
            if (dropped != null) {
                loop.scratch().give(dropped);
            }
            depth++;
            try {
                failWith(CloseCode.TRY_AGAIN_LATER, KEPT_INPUT_EVICTED);
            } finally {
                endUnit();
            }
        });
    }

    /**
     * @return true if reading must pause: too much queued for the peer, the handler is behind, or the server's
     *     connections together queue more than their limit and this peer has not taken what it already has
     */
    private boolean pauseReads() {
        long queued = out.accounted() + handle.pendingBytes();
        boolean backlogged = calls != null && calls.backlogged();   // null: a refused handshake being answered
        boolean crowded = out.accounted() > 0 && settings.outboundTotal().exceeded();
        boolean fanningOut = calls != null && heldBackByFanOut();
        if (!readsPaused && (queued > settings.highWaterMark() || backlogged || crowded || fanningOut)) {
            readsPaused = true;
            settings.metrics().paused();
        } else if (readsPaused && queued < settings.lowWaterMark() && !backlogged && !crowded && !fanningOut) {
            readsPaused = false;
        }
        return readsPaused;
    }

    /**
     * @return true while the loops have more broadcast writes to make than their bound: what this connection would
     *     read could make its handler broadcast more, so it waits (and is woken once they are made)
     */
    private boolean heldBackByFanOut() {
        if (fanOutWoken) {
            return false;
        }
        if (!fanOutWaiting && loop.fanOut().overLimit()
                && loop.fanOut().holdBack(() -> loop.execute(this::fanOutMade))) {
            fanOutWaiting = true;
        }
        return fanOutWaiting;
    }

    private void fanOutMade() {
        fanOutWaiting = false;
        fanOutWoken = true;
        resumeCheck();
    }

    /**
     * Tells the server-wide total how this session's queue changed since the last report.
     *
     * @return true if this session must fail to keep the total under its ceiling
     */
    private boolean reportOutbound() {
        long now = phase == Phase.CLOSED ? 0 : out.accounted();
        boolean took = peerTook;
        peerTook = false;
        if (now == reportedOutbound) {
            return false;
        }
        long before = reportedOutbound;
        reportedOutbound = now;
        boolean closeNow = settings.outboundTotal().report(this, before, now, now == 0 ? 0 : out.own(), took,
                peerReads);
        if (now == 0 && phase != Phase.CLOSED) {
            peerReads = true;   // its queue went empty: the peer took all of it
        }
        return closeNow;
    }

    /** The handler's backlog drained: read again if nothing else holds reading back. */
    private void resumeCheck() {
        if (phase == Phase.CLOSED) {
            return;
        }
        depth++;
        endUnit();
    }

    private void flush() {
        if (connecting) {
            return;   // nothing goes out before the connect completes (a TLS layer would send its hello)
        }
        if (out.isEmpty()) {
            try {
                wire.flushPending();
            } catch (IOException e) {
                terminate(e);
            }
            return;
        }
        long before = out.bytes();
        try {
            out.writeTo(wire);
        } catch (IOException e) {
            terminate(e);
            return;
        }
        long taken = before - out.bytes();
        if (taken > 0) {
            peerTook = true;
            settings.metrics().bytesOut.add(taken);
        }
    }

    /** Another thread tried to queue past the hard limit: fail the connection with 1008. */
    void overflow() {
        failOnLoop(null);
    }

    /** Another thread found this connection {@linkplain #behindWhileCrowded behind while crowded}: fail it. */
    void crowdedOut() {
        failOnLoop(CROWDED);
    }

    /**
     * From any thread: the server's connections together queue more than the {@link OutboundTotal}'s ceiling, and
     * this connection's peer has taken nothing for longest. Closes it on its loop without a close frame, which would
     * wait behind what the peer does not take, and drops its queue; its handler sees the reason in {@code onError}.
     */
    void stalledOut() {
        loop.execute(() -> terminate(new ClosedException(STALLED)));
    }

    /** @param why the close reason, or null for maxWriteBuffer's */
    private void failOnLoop(String why) {
        if (phase == Phase.CLOSED) {
            return;
        }
        depth++;
        try {
            if (why == null) {
                failOverflow();
            } else {
                failOverflow(why);
            }
        } finally {
            endUnit();
        }
    }

    private void failOverflow() {
        failOverflow("write queue exceeded maxWriteBuffer (" + settings.maxWriteBuffer() + " bytes)");
    }

    /** @param why the close reason (at most 123 bytes) */
    private void failOverflow(String why) {
        if (protocol != null && protocol.state() != ReadyState.CLOSED) {
            failWith(CloseCode.POLICY_VIOLATION, why);
        } else {
            // Nothing polite is left to send: the peer does not read what it already has.
            terminate(new ClosedException(why + " while closing"));
        }
    }

    /** Fails the open protocol for a reason of this side's own: the close frame goes out with {@code code}. */
    private void failWith(CloseCode code, String why) {
        sentCloseCode = code.code();
        protocol.fail(code, why);
    }

    /** The close reason of {@link #behindWhileCrowded}. */
    static final String CROWDED = "more than highWaterMark unread while the server's maxOutboundBuffer is used up";
    /** Why {@link #stalledOut} and a report past the {@link OutboundTotal}'s ceilings close a connection. */
    static final String STALLED = "closed with output unread: the server's connections queue more than "
            + "maxOutboundBuffer allows";

    /**
     * A message that this connection's own reads did not cause (a broadcast, a send from another thread or from
     * another connection's handler on the same loop) cannot be held back by pausing its reads. So when the server's
     * connections together queue more than {@code maxOutboundBuffer}, a peer that already has more than
     * {@code highWaterMark} unread is failed with 1008 instead of queuing more: otherwise memory would be bounded
     * only by {@code maxWriteBuffer} times the number of slow peers. Peers that keep up go on.
     *
     * @param pending bytes counted as pending for this connection but not queued yet
     * @return true if this peer is behind while the server's output budget is used up
     */
    boolean behindWhileCrowded(long pending) {
        return out.accounted() + pending > settings.highWaterMark() && settings.outboundTotal().exceeded();
    }


    /**
     * Everything is written and this side is done. A server closes the TCP connection first (RFC 6455 §7.1.1), but
     * closing while unread input sits in the socket would make the kernel send a reset that can destroy the frames
     * just sent: so half-close (FIN after the queued bytes), then read and discard until the peer closes too, or the
     * close timeout. A client waits for the server's FIN the same way, without half-closing first.
     */
    private void linger() {
        phase = Phase.LINGERING;
        timers.startClose();
        if (role == Role.SERVER || protocol == null) {
            try {
                wire.shutdownOutput();
            } catch (IOException e) {
                terminate(null);
            }
        }
    }

    // ---- The one exit --------------------------------------------------------------------------------------------

    /**
     * Ends the session: closes the socket, cancels every timer, fails what is still queued, reports the close
     * (1006 unless the closing handshake completed) and releases the registration. Idempotent.
     *
     * @param cause why, or null for an orderly end
     */
    void terminate(Throwable cause) {
        if (phase == Phase.CLOSED) {
            return;
        }
        Phase was = phase;
        phase = Phase.CLOSED;
        if (input != null) {
            input.release();
        }
        wire.close();
        if (protocol != null) {
            settings.metrics().released(weight);
        }
        timers.cancelAll();
        out.clear("connection closed");
        reportOutbound();
        try {
            if (protocol == null) {
                if (handshake != null && was == Phase.HANDSHAKE) {
                    handshake.onAborted(cause != null ? cause : new IOException("connection closed"));
                }
            } else {
                if (cause != null && protocol.state() != ReadyState.CLOSED) {
                    calls.failed(cause);
                }
                protocol.receiveEof();   // onClosed(1006) unless the closing handshake completed
            }
        } finally {
            Handshake done = handshake;
            handshake = null;
            if (done != null) {
                done.onEnded();
            }
            handle.closed();
            handle.ended(CloseCode.ABNORMAL.code(), "");   // nothing if the protocol already reported its end
            Consumer<SessionHandle> r = release;
            release = h -> { };
            r.accept(handle);
        }
    }

    // ---- Sending, on the loop ------------------------------------------------------------------------------------

    /** A send from the handle; runs on the loop. */
    interface Send {
        void on(Protocol protocol, Object tag);
    }

    /**
     * Sends through the engine. Inside a unit of work (a handler called inline) the frame only queues; otherwise this
     * is a unit of its own.
     */
    void send(Send send, CompletableFuture<Void> done) {
        send(send, done, true);
    }

    /**
     * @param data whether it is a data message: those wait while a message sent in parts is under way (control
     *     frames may go between its frames)
     */
    void send(Send send, CompletableFuture<Void> done, boolean data) {
        if (phase != Phase.OPEN || protocol == null || protocol.state() != ReadyState.OPEN) {
            done.completeExceptionally(new ClosedException("cannot send: the connection is " + handle.readyState()));
            return;
        }
        if (data && depth == 0 && behindWhileCrowded(0)) {
            // Outside this connection's own unit of work: another connection's handler on this loop, or another
            // thread, sends it. Pausing this connection's reads would not hold that back.
            failOnLoop(CROWDED);
            done.completeExceptionally(new ClosedException("this connection has " + CROWDED));
            return;
        }
        if (data && protocol.partialOut()) {
            waiting().add(() -> send(send, done, true));
            return;
        }
        depth++;
        try {
            send.on(protocol, done);
            settings.metrics().messagesOut.increment();
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        } finally {
            endUnit();
        }
    }

    /**
     * @param size a binary message's bytes
     * @return whether {@link #send} on the loop would keep a reference to them after it returns, rather than
     *     encode them at once: it waits behind a message being sent in parts, or is large enough to be written
     *     from the caller's buffer
     */
    boolean sendKeeps(int size) {
        return protocol == null || protocol.partialOut() || protocol.sendKeepsPayload(size);
    }

    /**
     * Whether bytes lent from this loop's read buffer may be sent without a copy: true when the frame would go out
     * as its header and the sender's bytes, and nothing is waiting to be written ahead of it. The unit's write, at
     * its end and before the loop reads again, then writes them from where they were read, and copies only what the
     * socket did not take. Otherwise (a queue that would keep them past the unit, a message sent in parts) the
     * caller copies them.
     *
     * @param data a buffer lent to a handler: a read-only view of the read buffer (direct), or of a kept backlog
     * @return true if the caller may send {@code data} as it is; this session has then noted that it must copy the
     *     rest
     */
    boolean queuesLent(ByteBuffer data) {
        if (!data.isDirect() || phase != Phase.OPEN || protocol == null || protocol.partialOut()
                || !protocol.sendKeepsPayload(data.remaining()) || !out.isEmpty()) {
            return false;
        }
        lentQueued = true;
        return true;
    }

    /**
     * Queues an already encoded, unmasked frame shared with other connections (a broadcast).
     *
     * @param frame a read-only view of the frame
     */
    void sendShared(ByteBuffer frame) {
        if (phase != Phase.OPEN || protocol.state() != ReadyState.OPEN) {
            return;
        }
        if (protocol.partialOut()) {
            waiting().add(() -> sendShared(frame));
            return;
        }
        depth++;
        try {
            if (behindWhileCrowded(handle.pendingBytes())) {
                failOverflow(CROWDED);
                return;
            }
            settings.metrics().messagesOut.increment();
            queue().addShared(frame);
        } finally {
            endUnit();
        }
    }

    /**
     * Sends one part of a message (binary or text, as {@code send} does it); after the last, the messages that
     * waited for it go, in order.
     */
    void sendPart(Send send, boolean last, CompletableFuture<Void> done) {
        if (phase != Phase.OPEN || protocol == null || protocol.state() != ReadyState.OPEN) {
            done.completeExceptionally(new ClosedException("cannot send: the connection is " + handle.readyState()));
            return;
        }
        depth++;
        try {
            send.on(protocol, done);
            if (last) {
                settings.metrics().messagesOut.increment();
                java.util.ArrayDeque<Runnable> w = afterPartial;
                afterPartial = null;
                while (w != null && !w.isEmpty() && !protocol.partialOut()) {
                    w.poll().run();
                }
                if (w != null && !w.isEmpty()) {
                    // a waiting send began another message in parts: the rest waits for its end
                    waiting().addAll(w);
                }
            }
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        } finally {
            endUnit();
        }
    }

    private java.util.ArrayDeque<Runnable> waiting() {
        if (afterPartial == null) {
            afterPartial = new java.util.ArrayDeque<>();
        }
        return afterPartial;
    }

    /** Starts the closing handshake (or closes a session still in its handshake). */
    void close(int code, String reason) {
        if (phase == Phase.HANDSHAKE) {
            terminate(new ClosedException("closed during the handshake"));
            return;
        }
        if (phase != Phase.OPEN || protocol.state() != ReadyState.OPEN) {
            return;
        }
        depth++;
        try {
            sentCloseCode = code;
            handle.closing();
            protocol.close(code, reason);
            timers.startClose();
        } finally {
            endUnit();
        }
    }

    /** @return the bytes queued for the socket (what {@code bufferedAmount()} reports besides pending sends) */
    long bufferedBytes() {
        return out.bytes();
    }

    /** @return the bytes the outbound queue costs, frame overhead included */
    long accountedBytes() {
        return out.accounted();
    }

    /** A frame the protocol drained (afterIo): into the write buffer. The session is the sink, not a field of it. */
    @Override
    public void accept(ByteBuffer frame, OutboundKind kind, Object tag) {
        queueFrame(frame, null, kind, tag);
    }

    @Override
    public void accept(ByteBuffer header, ByteBuffer payload, OutboundKind kind, Object tag) {
        queueFrame(header, payload, kind, tag);   // one gather write later, the payload not copied
    }

    @SuppressWarnings("unchecked")
    private void queueFrame(ByteBuffer frame, ByteBuffer body, OutboundKind kind, Object tag) {
        queue().add(frame, body, kind, (CompletableFuture<Void>) tag);
    }

    /** @return this session's own queue, made now if it had none */
    private OutboundBuffer queue() {
        OutboundBuffer q = out;
        if (q == OutboundBuffer.NONE) {
            out = q = new OutboundBuffer();
        }
        return q;
    }

    // ---- What the protocol's events mean for the connection (HandlerCalls tells the handler) ---------------------

    /** A data message arrived (or the last part of one). */
    void messageIn() {
        settings.metrics().messagesIn.increment();
    }

    /** @param payload a pong's payload, a view valid during the call: it may answer the keep-alive ping */
    void pongReceived(ByteBuffer payload) {
        long rtt = timers.onPong(payload);
        if (rtt >= 0) {
            settings.metrics().pingRoundTrip(rtt);
        }
    }

    /** @param code the close code this side sends for a violation the protocol found */
    void closingWith(int code) {
        sentCloseCode = code;
    }

    /** The protocol reached CLOSED: count the codes, and wait for the socket to close (or close it). */
    void protocolClosed(int code, String reason) {
        handle.closed();
        if (sentCloseCode < 0) {
            // The peer started the close (or vanished); we echoed its code.
            settings.metrics().closeReceived(code);
            if (code != CloseCode.ABNORMAL.code() && code != CloseCode.NO_STATUS.code()) {
                settings.metrics().closeSent(code);
            }
        } else {
            settings.metrics().closeSent(sentCloseCode);
            if (code != sentCloseCode || code == CloseCode.ABNORMAL.code()) {
                settings.metrics().closeReceived(code);
            }
        }
        settings.metrics().closed(code);
        timers.stopIdle();
        if (phase != Phase.CLOSED) {
            timers.startClose();
            if (phase == Phase.OPEN) {
                phase = Phase.CLOSING;
            }
        }
        handle.ended(code, reason);
    }

    @Override
    public String toString() {
        return "Session[" + role + " " + handle.remoteAddress() + handle.path() + " " + phase + "]";
    }
}
