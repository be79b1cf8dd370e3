package io.wirefly.server.internal;

import io.wirefly.core.internal.protocol.InboundBudget;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;

/**
 * TLS between a {@link SocketWire} and a session: the session reads and writes plaintext through it as through any
 * {@link Wire}, and never learns that a handshake, records or alerts exist. Loop-confined, like the session.
 *
 * <p>The engine's handshake runs inside the session's own calls: {@link #read} reads and unwraps, wrapping the
 * handshake messages the engine asks for; {@link #write} returns 0 until the handshake is done; the session's
 * handshake timeout therefore covers the TLS handshake too (a client that stalls in it is closed like a slowloris).
 * Delegated tasks (key exchange, certificate checks) run on {@code tasks}, off the loop, and the session is resumed
 * on the loop when they are done. Renegotiation (TLS 1.2) is refused; TLS 1.3 post-handshake messages are fine.
 *
 * <p>Memory follows traffic: the three buffers (ciphertext in, plaintext in, ciphertext out, about 16 KiB each) are
 * taken from the loop's {@link ScratchPool} when a record is in flight and given back as soon as they are empty, so
 * an idle connection holds none and a busy one allocates nothing per record. At most
 * one wrap's worth of ciphertext waits in this wire: {@link #write} takes no more plaintext until it is on the
 * socket, so back-pressure stays in the session's queue where it is counted. What the wire still keeps when a turn
 * of its session ends (part of a record, plaintext the session has not taken, ciphertext the socket has not taken)
 * is counted in the server's inbound budget, once the TLS handshake is done (until then, {@code maxHandshakes}
 * bounds it). Without that, 2,000 wss connections that each sent 12 KB of a 16 KB record and stopped ran a
 * {@code -Xmx64m} server out of heap, each keeping a 33 KiB buffer. When the budget is full, a wire that has kept
 * its buffers for a second or more gives way to a newer need, and a wire whose buffers do not fit fails its
 * connection at its next turn.
 *
 * <p>{@link #shutdownOutput()} sends {@code close_notify}, then FIN once it is written.
 *
 * <p>Why one class of ~600 lines: the engine's handshake status ties reading, writing, tasks and closing together
 * (an unwrap can require a wrap, a wrap a task); split apart, each part would need the others' state. About a third
 * is Javadoc.
 *
 * <pre>{@code
 * SSLEngine engine = context.createSSLEngine();
 * engine.setUseClientMode(false);
 * TlsWire wire = new TlsWire(new SocketWire(channel), engine, loop, tasks);
 * Session session = new Session(loop, wire, ...);
 * wire.onResume(() -> session.onReady(false, true, true));
 * }</pre>
 */
final class TlsWire implements Wire {
    private static final System.Logger LOG = System.getLogger(TlsWire.class.getName());
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private final Wire net;
    private final SSLEngine engine;
    private final Scheduler loop;
    private final ScratchPool pool;
    private final Executor tasks;
    private Runnable resume = () -> { };
    /** The server's inbound budget, where {@link #countKept} counts the buffers kept between turns. */
    private final InboundBudget budget;
    /** What this wire keeps between turns, as counted in {@link #budget}; null until it first keeps a buffer. */
    private KeptMemory kept;
    /** The budget took back what this wire kept, or had no room for it: the connection fails at its next turn. */
    private volatile boolean refused;

    /** Ciphertext read and not unwrapped yet, in read mode; null when empty. */
    private ByteBuffer netIn;
    /** Plaintext unwrapped and not read by the session yet, in read mode; null when empty. */
    private ByteBuffer appIn;
    /** Ciphertext wrapped and not written yet, in read mode; null when empty. */
    private ByteBuffer netOut;

    private boolean handshaken;
    /** Whether the finished handshake chose TLS 1.2, where a new handshake would be a renegotiation. */
    private boolean tls12;
    /**
     * The session's record sizes, read from the engine when the wire starts and again when the handshake finishes
     * or a buffer overflows, rather than for every record: {@code getSession()} takes the engine's lock.
     */
    private int packetSize;
    private int appSize;
    private boolean taskRunning;
    /** Set by {@link #close()}; read by a delegated task waiting in the executor, on another thread. */
    private volatile boolean closed;
    private boolean inboundDone;
    private boolean outputShut;
    private boolean finSent;
    private boolean resumeQueued;
    /** Whole records wait in {@link #netIn}: unwrapping stopped for lack of room, not for lack of bytes. */
    private boolean moreToUnwrap;
    private boolean wantRead = true;
    private boolean wantWrite;
    /** Reused by {@link #write(ByteBuffer)}: a one-frame write allocates no array. */
    private final ByteBuffer[] single = new ByteBuffer[1];

    /**
     * @param net the socket
     * @param engine an engine in server (or client) mode, its handshake not begun
     * @param loop the loop of the session that owns this wire
     * @param tasks where the engine's delegated tasks run
     * @throws SSLException if the engine cannot begin its handshake
     */
    TlsWire(Wire net, SSLEngine engine, Scheduler loop, Executor tasks) throws SSLException {
        this(net, engine, loop, tasks, null, InboundBudget.UNLIMITED);
    }

    /**
     * @param net the socket
     * @param engine an engine in server (or client) mode, its handshake not begun
     * @param loop the loop of the session that owns this wire
     * @param tasks where the engine's delegated tasks run
     * @param alreadyRead ciphertext read from the socket before this wire existed (to look at the ClientHello), in
     *     read mode; null if none
     * @param budget where the buffers kept between the session's turns are counted
     * @throws SSLException if the engine cannot begin its handshake
     */
    TlsWire(Wire net, SSLEngine engine, Scheduler loop, Executor tasks, ByteBuffer alreadyRead, InboundBudget budget)
            throws SSLException {
        this.net = net;
        this.budget = budget;
        this.engine = engine;
        this.loop = loop;
        this.pool = loop.scratch();
        this.tasks = tasks;
        readSizes();
        if (alreadyRead != null && alreadyRead.hasRemaining()) {
            int capacity = Math.max(2 * packetSize, alreadyRead.remaining());
            netIn = ByteBuffer.allocate(capacity).put(alreadyRead).flip();
        }
        engine.beginHandshake();
    }

    private void readSizes() {
        javax.net.ssl.SSLSession session = engine.getSession();
        packetSize = session.getPacketBufferSize();
        appSize = session.getApplicationBufferSize();
    }

    /** @param resume runs one unit of the session's I/O again (after a delegated task, or for buffered plaintext) */
    void onResume(Runnable resume) {
        this.resume = resume;
    }

    @Override
    public javax.net.ssl.SSLSession tlsSession() {
        return handshaken ? engine.getSession() : null;
    }

    /** @return the engine (its session tells the protocol and cipher suite once the handshake is done) */
    SSLEngine engine() {
        return engine;
    }

    // ---- Reading ---------------------------------------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        failIfRefused();
        int n = drainAppIn(dst);
        if (n > 0) {
            queueResumeIfBuffered();
            return n;
        }
        if (taskRunning) {
            return 0;
        }
        try {
            advanceHandshake(engine.getHandshakeStatus());
            if (taskRunning) {
                return 0;
            }
            unwrapBuffered();
            if (appIn == null && !inboundDone && !taskRunning) {
                int r = readSocket();
                if (r < 0) {
                    return onEof();
                }
                if (r > 0) {
                    unwrapBuffered();
                }
            }
        } catch (SSLException e) {
            throw failed(e);
        }
        n = drainAppIn(dst);
        if (n > 0) {
            queueResumeIfBuffered();
            return n;
        }
        return inboundDone ? -1 : 0;
    }

    private int readSocket() throws IOException {
        int packet = packetSize;
        if (netIn == null) {
            netIn = pool.take(2 * packet).flip();
        } else if (netIn.capacity() - netIn.remaining() < packet && netIn.capacity() < 4 * packet) {
            ByteBuffer old = netIn;
            netIn = ByteBuffer.allocate(netIn.capacity() * 2).put(netIn).flip();
            pool.give(old);
        }
        netIn.compact();
        int r;
        try {
            r = net.read(netIn);
        } finally {
            netIn.flip();
        }
        return r;
    }

    /** Unwraps the records that lie whole in {@link #netIn}, as long as {@link #appIn} has room for them. */
    private void unwrapBuffered() throws IOException {
        while (!inboundDone && !taskRunning
                && (netIn != null && netIn.hasRemaining()
                        || engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP_AGAIN)) {
            if (appIn == null) {
                appIn = pool.take(2 * appSize).flip();
            }
            if (appIn.capacity() - appIn.remaining() < appSize) {
                moreToUnwrap = true;   // the session reads first; the rest of netIn waits (queueResumeIfBuffered)
                return;
            }
            moreToUnwrap = false;
            appIn.compact();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn == null ? EMPTY : netIn, appIn);
            } finally {
                appIn.flip();
            }
            releaseEmpty();
            switch (r.getStatus()) {
                case BUFFER_UNDERFLOW -> {
                    return;   // a record is not whole yet
                }
                case BUFFER_OVERFLOW -> {
                    // The session buffer size grew (a larger fragment length): make room and try again.
                    readSizes();
                    appIn = ByteBuffer.allocate(appIn.remaining() + 2 * appSize).put(appIn).flip();
                }
                case CLOSED -> inboundDone = true;   // close_notify from the peer
                case OK -> { }
            }
            HandshakeStatus hs = r.getHandshakeStatus();
            // (A TLS 1.2 close_notify also leaves the engine wanting to wrap: its own close_notify, not a handshake.)
            if (tls12 && r.getStatus() != SSLEngineResult.Status.CLOSED
                    && hs != HandshakeStatus.NOT_HANDSHAKING && hs != HandshakeStatus.FINISHED) {
                throw new SSLException("TLS renegotiation refused");
            }
            advanceHandshake(hs);
            if (r.getStatus() == SSLEngineResult.Status.OK && r.bytesConsumed() == 0 && r.bytesProduced() == 0
                    && engine.getHandshakeStatus() != HandshakeStatus.NEED_UNWRAP_AGAIN) {
                return;   // nothing moved: wait for more input
            }
        }
    }

    private int drainAppIn(ByteBuffer dst) {
        if (appIn == null || !appIn.hasRemaining()) {
            return 0;
        }
        int n = Math.min(dst.remaining(), appIn.remaining());
        int limit = appIn.limit();
        appIn.limit(appIn.position() + n);
        dst.put(appIn);
        appIn.limit(limit);
        releaseEmpty();
        return n;
    }

    private int onEof() {
        inboundDone = true;
        if (handshaken) {
            try {
                engine.closeInbound();
            } catch (SSLException e) {
                // no close_notify before FIN: the WebSocket closing handshake says whether anything was lost
                LOG.log(Level.DEBUG, "TLS input ended without close_notify");
            }
        }
        return appIn != null && appIn.hasRemaining() ? 0 : -1;
    }

    /** Plaintext is buffered here and the selector will not say so: ask the loop to run the session again. */
    private void queueResumeIfBuffered() {
        boolean buffered = appIn != null && appIn.hasRemaining() || moreToUnwrap && netIn != null;
        if (wantRead && buffered && !resumeQueued) {
            resumeQueued = true;
            loop.executeNextTurn(() -> {
                resumeQueued = false;
                resume.run();
            });
        }
    }

    // ---- The handshake -------------------------------------------------------------------------------------------

    /** Does what the engine asks for that needs no input: wrap handshake messages, start delegated tasks. */
    private void advanceHandshake(HandshakeStatus hs) throws IOException {
        while (true) {
            switch (hs) {
                case FINISHED -> {
                    handshaken = true;
                    readSizes();
                    tls12 = "TLSv1.2".equals(engine.getSession().getProtocol());
                    hs = engine.getHandshakeStatus();
                    if (hs == HandshakeStatus.FINISHED || hs == HandshakeStatus.NOT_HANDSHAKING) {
                        return;
                    }
                }
                case NEED_TASK -> {
                    startTasks();
                    return;
                }
                case NEED_WRAP -> {
                    if (!flushNetOut()) {
                        return;   // the socket is full: go on when it is writable
                    }
                    hs = wrap(EMPTY_ARRAY, 0, 0).getHandshakeStatus();
                    if (!flushNetOut()) {
                        return;
                    }
                }
                default -> {
                    return;   // NEED_UNWRAP: the read path goes on; NOT_HANDSHAKING: nothing to do
                }
            }
        }
    }

    private static final ByteBuffer[] EMPTY_ARRAY = {EMPTY};

    private void startTasks() {
        taskRunning = true;
        net.interest(false, false);
        tasks.execute(() -> {
            try {
                // A connection closed while its task waited (evicted, timed out, reset) skips the work: under a
                // flood of ClientHellos each task is a key exchange and a signature nobody will read.
                for (Runnable task; !closed && (task = engine.getDelegatedTask()) != null; ) {
                    task.run();
                }
            } finally {
                loop.execute(() -> {
                    taskRunning = false;
                    resume.run();
                });
            }
        });
    }

    // ---- Writing ---------------------------------------------------------------------------------------------------

    @Override
    public int write(ByteBuffer src) throws IOException {
        single[0] = src;
        try {
            return (int) write(single, 0, 1);
        } finally {
            single[0] = null;
        }
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        if (outputShut) {
            throw new IOException("output is shut down");
        }
        failIfRefused();
        try {
            if (!flushNetOut() || taskRunning) {
                return 0;
            }
            if (!handshaken) {
                advanceHandshake(engine.getHandshakeStatus());
                return 0;
            }
            long consumed = 0;
            while (remaining(srcs, offset, length) > 0) {
                SSLEngineResult r = wrap(srcs, offset, length);
                consumed += r.bytesConsumed();
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new IOException("TLS output is closed");
                }
                advanceHandshake(r.getHandshakeStatus());
                if (!flushNetOut() || taskRunning || r.bytesConsumed() == 0) {
                    break;
                }
            }
            return consumed;
        } catch (SSLException e) {
            throw failed(e);
        }
    }

    private static long remaining(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += srcs[i].remaining();
        }
        return n;
    }

    /** Wraps into {@link #netOut}, which must be empty; leaves it in read mode. */
    private SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length) throws SSLException {
        int packet = packetSize;
        ByteBuffer out = netOut != null && netOut.capacity() >= packet ? netOut.clear() : pool.take(packet);
        SSLEngineResult r;
        while (true) {
            r = engine.wrap(srcs, offset, length, out);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                break;
            }
            readSizes();
            out = ByteBuffer.allocate(Math.max(packetSize, out.capacity() * 2));
        }
        netOut = out.flip();
        releaseEmpty();
        return r;
    }

    /** @return true if no ciphertext waits any more (and FIN followed close_notify if the output is shut) */
    private boolean flushNetOut() throws IOException {
        if (netOut != null && netOut.hasRemaining()) {
            net.write(netOut);
            if (netOut.hasRemaining()) {
                return false;
            }
        }
        if (netOut != null) {
            pool.give(netOut);
            netOut = null;
        }
        if (outputShut && !finSent && engine.isOutboundDone()) {
            finSent = true;
            net.shutdownOutput();
        }
        return true;
    }

    /** Writes what waits here (ciphertext, a handshake message the engine wants to send). */
    @Override
    public void flushPending() throws IOException {
        try {
            if (flushNetOut() && !taskRunning && engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
                advanceHandshake(HandshakeStatus.NEED_WRAP);
            }
            if (outputShut && !finSent) {
                closeNotify();
            }
        } catch (SSLException e) {
            throw failed(e);
        }
    }

    /** Sends close_notify, then FIN once it is written; reading goes on. */
    @Override
    public void shutdownOutput() throws IOException {
        if (outputShut) {
            return;
        }
        outputShut = true;
        engine.closeOutbound();
        closeNotify();
    }

    private void closeNotify() throws IOException {
        while (flushNetOut() && !finSent) {
            if (engine.isOutboundDone()) {
                flushNetOut();
                return;
            }
            SSLEngineResult r = wrap(EMPTY_ARRAY, 0, 0);
            if (r.bytesProduced() == 0 && !engine.isOutboundDone()) {
                return;   // the engine waits for something else (a task): try again later
            }
        }
    }

    // ---- Interest, state, close ------------------------------------------------------------------------------------

    @Override
    public void interest(boolean read, boolean write) {
        countKept();   // the session's turn ends here
        wantRead = read;
        wantWrite = write;
        if (taskRunning) {
            net.interest(false, false);   // nothing to do until the task is done
            return;
        }
        boolean pendingOut = netOut != null && netOut.hasRemaining()
                || engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP
                || outputShut && !finSent;
        boolean needIn = engine.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP;
        net.interest(read || needIn, write || pendingOut);
        if (read) {
            queueResumeIfBuffered();
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        return net.finishConnect();
    }

    @Override
    public boolean isOpen() {
        return net.isOpen();
    }

    @Override
    public void close() {
        closed = true;
        netIn = null;
        appIn = null;
        netOut = null;
        if (kept != null) {
            kept.releaseAll();
        }
        engine.closeOutbound();
        net.close();
    }

    // ---- Memory kept between turns ----------------------------------------------------------------------------------

    /**
     * Counts in the budget the buffers this wire keeps now that its session's turn ends, or gives back what it no
     * longer keeps. A busy connection keeps nothing between turns (every buffer is given back empty), so this costs
     * nothing on the way of a record.
     */
    private void countKept() {
        if (!handshaken || closed || refused) {
            return;
        }
        long now = capacity(netIn) + capacity(appIn) + capacity(netOut);
        if (kept == null) {
            if (now == 0) {
                return;
            }
            kept = new KeptMemory(budget, this::takenBack);
        }
        if (!kept.count(now)) {
            takenBack();
        }
    }

    private static long capacity(ByteBuffer b) {
        return b == null ? 0 : b.capacity();
    }

    /** From any thread: what this wire kept was taken back, or refused; its connection fails at its next turn. */
    private void takenBack() {
        refused = true;
        loop.execute(() -> resume.run());
    }

    private void failIfRefused() throws IOException {
        if (refused) {
            throw new IOException("the TLS buffers this connection kept between reads did not fit in the server's "
                    + "inbound budget (maxInboundBuffer), or newer traffic needed the room");
        }
    }

    /** Gives back the buffers that hold nothing, so an idle connection holds none. */
    private void releaseEmpty() {
        if (netIn != null && !netIn.hasRemaining()) {
            pool.give(netIn);
            netIn = null;
        }
        if (appIn != null && !appIn.hasRemaining()) {
            pool.give(appIn);
            appIn = null;
        }
        if (netOut != null && !netOut.hasRemaining()) {
            pool.give(netOut);
            netOut = null;
        }
    }

    /** The engine failed (bad record, alert, handshake failure): try to send its alert, then report the reason. */
    private SSLException failed(SSLException e) {
        LOG.log(Level.DEBUG, "TLS failed: " + e.getMessage());
        try {
            engine.closeOutbound();
            if (flushNetOut()) {
                wrap(EMPTY_ARRAY, 0, 0);
                flushNetOut();
            }
        } catch (IOException | RuntimeException ignored) {
            // the connection is failing anyway
        }
        return e;
    }
}
