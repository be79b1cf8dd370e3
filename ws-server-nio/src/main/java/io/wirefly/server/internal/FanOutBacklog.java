package io.wirefly.server.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The broadcast deliveries that a group of event loops has been handed and not made yet, and the connections that
 * stopped reading until they are made. One broadcast to N connections is N deliveries, each a write to a socket, so
 * a message that makes its handler broadcast costs the loops N writes: a peer that floods such messages (TOGGLE on
 * the LED board, a line in a crowded chat room) asks for more writes than the loops can make. Without a bound the
 * work waits in the loops' task queues; before this class, a loop then ran thousands of queued broadcasts between
 * two looks at its sockets, and with 2,000 pages open on the LED example, a flood of TOGGLE kept a new page waiting
 * 13 s for its answer.
 *
 * <p>Past {@link #limit} deliveries, open connections stop reading (handshakes go on) until the backlog is down to
 * a quarter of it: what a peer sends then waits in TCP, and the loops, which now run their tasks a few milliseconds
 * at a time, keep answering everyone else in between. A broadcast made on a thread that is not an event loop's
 * (the application's, a handler executor's, the cluster bus reader's) cannot be held back that way: its thread
 * {@linkplain #awaitRoom waits} instead while the backlog is past the limit, up to a second per broadcast. Without
 * that wait, a publisher that outran the loops queued without bound (each waiting broadcast keeps its list of
 * recipients: 40 KB for 10,000), until the heap ran out.
 *
 * <pre>{@code
 * FanOutBacklog backlog = new FanOutBacklog(16_384);
 * backlog.queued(recipients.size());              // where a broadcast is handed to a loop
 * ... backlog.made(recipients.size());            // on the loop, once its writes are queued
 * if (backlog.holdBack(() -> loop.execute(this::readAgain))) { stopReading(); }
 * backlog.awaitRoom(loop::running, FanOutBacklog.MAX_AWAIT_NANOS);   // first, on a thread not a loop's
 * }</pre>
 */
final class FanOutBacklog {
    /** The default bound: about 50 to 100 ms of writes on this machine's loopback, split across the loops. */
    static final long DEFAULT_LIMIT = 16_384;
    /** How long a waiting publisher sleeps between two looks at the backlog. */
    private static final long AWAIT_NANOS = 1_000_000;
    /**
     * The longest one broadcast waits: a thread that holds a lock that a handler on a loop is blocked on would
     * otherwise wait for good, since that loop makes no deliveries. A publisher that the loops cannot keep up with at
     * all then queues one broadcast a second, not one per call.
     */
    static final long MAX_AWAIT_NANOS = 1_000_000_000L;
    /** Never holds anything back: for a scheduler outside a group (unit tests). */
    static final FanOutBacklog NONE = new FanOutBacklog(Long.MAX_VALUE);

    private final long limit;
    private final long resumeAt;
    private final AtomicLong pending = new AtomicLong();
    private final ConcurrentLinkedQueue<Runnable> waiting = new ConcurrentLinkedQueue<>();

    /** @param limit the deliveries past which open connections stop reading */
    FanOutBacklog(long limit) {
        this.limit = limit;
        this.resumeAt = limit / 4;
    }

    /** @param deliveries writes just handed to a loop */
    void queued(int deliveries) {
        pending.addAndGet(deliveries);
    }

    /** @param deliveries writes a loop has now made (queued on their connections) */
    void made(int deliveries) {
        if (pending.addAndGet(-deliveries) <= resumeAt && !waiting.isEmpty()) {
            wakeAll();
        }
    }

    /** @return the deliveries handed over and not made yet */
    long pending() {
        return pending.get();
    }

    /**
     * @return true if the backlog is past its limit: what a caller checks before it makes the callback for
     *     {@link #holdBack}, so that a connection's unit of work allocates nothing while broadcasts keep up
     */
    boolean overLimit() {
        return pending.get() > limit;
    }

    /**
     * Asks whether a connection may read now.
     *
     * @param resume run once (on whichever thread makes the backlog small enough) if this returns true
     * @return true if the backlog is past its limit: the caller must not read until {@code resume} runs
     */
    boolean holdBack(Runnable resume) {
        if (!overLimit()) {
            return false;
        }
        waiting.add(resume);
        if (pending.get() <= resumeAt) {
            wakeAll();   // made small in between, perhaps by the last delivery: nobody may be left waiting
        }
        return true;
    }

    /**
     * Makes the calling thread, which must not be an event loop's, wait while more than {@link #limit} deliveries
     * are pending: back-pressure on a publisher that outruns the loops, which go on writing meanwhile. The wait ends
     * as soon as the backlog is within the limit, after {@code maxNanos}, when the loops stop, or when the thread is
     * interrupted (its interrupt status is kept).
     *
     * @param running whether the loops still make deliveries
     * @param maxNanos the longest wait ({@link #MAX_AWAIT_NANOS})
     */
    void awaitRoom(BooleanSupplier running, long maxNanos) {
        if (!overLimit()) {
            return;
        }
        Thread self = Thread.currentThread();
        long start = System.nanoTime();
        while (overLimit() && running.getAsBoolean() && !self.isInterrupted()
                && System.nanoTime() - start < maxNanos) {
            LockSupport.parkNanos(this, AWAIT_NANOS);
        }
    }

    private void wakeAll() {
        for (Runnable r; (r = waiting.poll()) != null; ) {
            r.run();
        }
    }
}
