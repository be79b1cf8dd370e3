package io.wirefly.hal.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Wall-clock {@link Timer}: one daemon thread, started by the first {@link #schedule(Duration, Runnable)}, so a HAL
 * without debounced inputs starts no thread.
 */
final class SystemTimer implements Timer {

    private final String threadName;
    private ScheduledThreadPoolExecutor executor;  // guarded by this
    private boolean closed;                        // guarded by this

    SystemTimer(String threadName) {
        this.threadName = threadName;
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    @Override
    public void schedule(Duration delay, Runnable task) {
        ScheduledThreadPoolExecutor ex;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (executor == null) {
                executor = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, threadName);
                    t.setDaemon(true);
                    return t;
                });
                executor.setRemoveOnCancelPolicy(true);
            }
            ex = executor;
        }
        try {
            ex.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed concurrently: the task is dropped, as documented
        }
    }

    @Override
    public void close() {
        ScheduledThreadPoolExecutor ex;
        synchronized (this) {
            closed = true;
            ex = executor;
            executor = null;
        }
        if (ex != null) {
            ex.shutdownNow();
        }
    }
}
