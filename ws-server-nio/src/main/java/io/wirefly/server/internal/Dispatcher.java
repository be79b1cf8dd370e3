package io.wirefly.server.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs one connection's handler calls in order: inline on the event loop when no executor is configured, or on the
 * user's executor with at most one task of this connection running at a time, so a handler sees its events in
 * order even on a thread pool and one slow connection never blocks the loop.
 */
final class Dispatcher {
    private static final int BATCH = 64;

    private final Executor executor;
    private final ConcurrentLinkedQueue<Runnable> queue;
    private final AtomicBoolean scheduled;

    /** @param executor the user's executor, or null to run inline */
    Dispatcher(Executor executor) {
        this.executor = executor;
        this.queue = executor == null ? null : new ConcurrentLinkedQueue<>();
        this.scheduled = executor == null ? null : new AtomicBoolean();
    }

    /** @return true if handler calls run on the event loop itself */
    boolean isInline() {
        return executor == null;
    }

    /**
     * @param call a handler call; exceptions must be handled by the call itself
     */
    void dispatch(Runnable call) {
        if (executor == null) {
            call.run();
            return;
        }
        queue.add(call);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                queue.clear();
            }
        }
    }

    private void drain() {
        Runnable call;
        for (int i = 0; i < BATCH && (call = queue.poll()) != null; i++) {
            call.run();
        }
        scheduled.set(false);
        if (!queue.isEmpty()) {
            schedule();
        }
    }
}
