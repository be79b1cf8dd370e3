package io.wirefly.server.internal;

import io.wirefly.core.internal.protocol.InboundBudget;
import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one connection's handler calls in order: inline on the event loop when no executor is configured, or on the
 * user's executor with at most one task of this connection running at a time, so a handler sees its events in
 * order even on a thread pool and one slow connection never blocks the loop.
 *
 * <p>Bounded: when {@link #MAX_QUEUED} calls wait, or messages of a whole {@code maxMessageSize} in all,
 * {@link #backlogged()} turns true and the session stops reading from the socket (back-pressure reaches the peer
 * through TCP); when the queue has drained to {@link #RESUME_AT} calls and a quarter of those bytes, the
 * {@code onDrained} callback tells the session to read again. Nothing is dropped. The messages that wait are held in
 * the server's inbound budget ({@link InboundBudget#hold}) until their call has run, so that everything received and
 * not yet handled, on every connection, stays within {@code maxInboundBuffer}: without that, a slow executor (one
 * GPIO thread, say) let a few peers queue 64 messages of 1 MiB each per connection and fill a small heap.
 *
 * <p>Robust: a call that throws anything is logged and the next one runs; if the executor rejects the task (it was
 * shut down), the calls run on the calling thread instead, so {@code onClose} is never lost.
 *
 * <pre>{@code
 * Dispatcher d = new Dispatcher(pool, () -> loop.execute(session::resumeReads), budget, maxMessageSize);
 * d.dispatch(() -> handler.onText(ws, text), text.length());
 * if (d.backlogged()) { stopReading(); }
 * }</pre>
 */
final class Dispatcher {
    /** Queued calls at which reading pauses. */
    static final int MAX_QUEUED = 64;
    /** Queued calls at which a paused reader resumes. */
    static final int RESUME_AT = 16;
    /** Calls run per executor task before it yields its thread to other connections. */
    private static final int BATCH = 64;
    private static final System.Logger LOG = System.getLogger(Dispatcher.class.getName());
    /** Runs handler calls inline on the loop; it has no state, so every connection without an executor shares it. */
    static final Dispatcher INLINE = new Dispatcher(null, null, InboundBudget.UNLIMITED, Long.MAX_VALUE);

    private final Executor executor;
    private final Runnable onDrained;
    private final ConcurrentLinkedQueue<Runnable> queue;
    private final AtomicBoolean scheduled;
    private final AtomicInteger queued;
    /** Set while the session is paused on this dispatcher's backlog and waits for {@code onDrained}. */
    private final AtomicBoolean readerWaiting;
    /** Where waiting messages are held: the server's inbound budget (its shared part, never taken back). */
    private final InboundBudget budget;
    /** The bytes of waiting messages at which reading pauses. */
    private final long maxQueuedBytes;
    /** The bytes of the messages that wait, as counted by {@link #dispatch(Runnable, long)}. */
    private final AtomicLong queuedBytes;

    /**
     * @param executor the user's executor, or null to run inline
     * @param onDrained called (on the executor's thread) when a backlog has drained to {@link #RESUME_AT}
     */
    Dispatcher(Executor executor, Runnable onDrained) {
        this(executor, onDrained, InboundBudget.UNLIMITED, Long.MAX_VALUE);
    }

    /**
     * @param executor the user's executor, or null to run inline
     * @param onDrained called (on the executor's thread) when a backlog has drained to {@link #RESUME_AT} calls and a
     *     quarter of {@code maxQueuedBytes}
     * @param budget where the messages that wait are held until their call has run
     * @param maxQueuedBytes the bytes of waiting messages at which reading pauses (the largest message)
     */
    Dispatcher(Executor executor, Runnable onDrained, InboundBudget budget, long maxQueuedBytes) {
        this.executor = executor;
        this.onDrained = onDrained;
        this.budget = budget.lasting();
        this.maxQueuedBytes = maxQueuedBytes;
        this.queuedBytes = executor == null ? null : new AtomicLong();
        this.queue = executor == null ? null : new ConcurrentLinkedQueue<>();
        this.scheduled = executor == null ? null : new AtomicBoolean();
        this.queued = executor == null ? null : new AtomicInteger();
        this.readerWaiting = executor == null ? null : new AtomicBoolean();
    }

    /** @return true if handler calls run on the event loop itself */
    boolean isInline() {
        return executor == null;
    }

    /**
     * @return true while so many calls wait that the connection should stop reading; when it returns true,
     *     {@code onDrained} will be called once the queue is down to {@link #RESUME_AT}
     */
    boolean backlogged() {
        if (executor == null || !full()) {
            return false;
        }
        readerWaiting.set(true);
        // Checked again after the flag is set: a drain that finished in between saw no waiting reader.
        if (full()) {
            return true;
        }
        readerWaiting.set(false);
        return false;
    }

    private boolean full() {
        return queued.get() >= MAX_QUEUED || queuedBytes.get() >= maxQueuedBytes;
    }

    private boolean drained() {
        return queued.get() <= RESUME_AT && queuedBytes.get() <= maxQueuedBytes / 4;
    }

    /** @return the bytes of the messages that wait (0 when inline) */
    long queuedBytes() {
        return executor == null ? 0 : queuedBytes.get();
    }

    /** @return how many calls wait (0 when inline) */
    int queued() {
        return executor == null ? 0 : queued.get();
    }

    /**
     * A call that hands the handler a message of {@code bytes}: while it waits, those bytes are held in the budget
     * and count toward {@link #backlogged()}; both are given back once it has run.
     *
     * @param call a handler call
     * @param bytes the size of the message it carries
     */
    void dispatch(Runnable call, long bytes) {
        if (executor == null || bytes <= 0) {
            dispatch(call);
            return;
        }
        budget.hold(bytes);
        queuedBytes.addAndGet(bytes);
        dispatch(() -> {
            try {
                call.run();
            } finally {
                queuedBytes.addAndGet(-bytes);
                budget.release(bytes);
            }
        });
    }

    /**
     * @param call a handler call
     */
    void dispatch(Runnable call) {
        if (executor == null) {
            run(call);
            return;
        }
        queued.incrementAndGet();
        queue.add(call);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                LOG.log(Level.WARNING, "the handler executor rejected a task; running this connection's handler"
                        + " calls on the calling thread", e);
                drain();
            }
        }
    }

    private void drain() {
        try {
            Runnable call;
            for (int i = 0; i < BATCH && (call = queue.poll()) != null; i++) {
                queued.decrementAndGet();
                run(call);
                if (drained() && readerWaiting.compareAndSet(true, false)) {
                    run(onDrained);
                }
            }
        } finally {
            scheduled.set(false);
        }
        if (!queue.isEmpty()) {
            schedule();
        }
    }

    private static void run(Runnable call) {
        try {
            call.run();
        } catch (Throwable t) {
            try {
                LOG.log(Level.WARNING, "handler call failed", t);
            } catch (Throwable ignored) {
                // nothing more can be done; the next call must still run
            }
        }
    }
}
