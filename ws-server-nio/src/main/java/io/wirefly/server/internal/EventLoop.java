package io.wirefly.server.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One selector thread: it owns a set of channels, runs tasks that other threads hand it, and fires timers. Nothing
 * that runs here may block. Other threads talk to it only through {@link #execute}, which is lock-free and wakes the
 * selector only when it may be sleeping.
 */
public final class EventLoop implements Runnable {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    /** Empty wake-ups in a row, with nothing to do, after which the selector is presumed broken and rebuilt. */
    private static final int SPIN_THRESHOLD = 512;
    private static final int READ_BUFFER_SIZE = 64 * 1024;

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    private final Consumer<SelectionKey> onKey = this::processKey;
    private final Thread thread;
    private Selector selector;
    private volatile boolean running = true;
    private long timerSequence;

    /** @param name the thread's name */
    public EventLoop(String name) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        this.thread = new Thread(this, name);
        this.thread.setDaemon(true);
    }

    /** Starts the loop's thread. */
    public void start() {
        thread.start();
    }

    /** @return true if the caller runs on this loop's thread */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /**
     * Runs a task on the loop thread, soon and in submission order. Safe from any thread.
     *
     * @param task the task; it must not block
     */
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /**
     * Schedules a task on the loop thread. Must be called on the loop thread.
     *
     * @param delayNanos the delay
     * @param task the task
     * @return a handle that cancels it
     */
    public Timer schedule(long delayNanos, Runnable task) {
        Timer t = new Timer(System.nanoTime() + delayNanos, timerSequence++, task);
        timers.add(t);
        return t;
    }

    /**
     * Registers a channel with this loop's selector. Must be called on the loop thread.
     *
     * @param channel a non-blocking channel
     * @param ops the interest set
     * @param handler the handler of its readiness events
     * @return the key
     * @throws IOException if the channel is closed
     */
    public SelectionKey register(SelectableChannel channel, int ops, ChannelHandler handler) throws IOException {
        return channel.register(selector, ops, handler);
    }

    /** @return the loop's shared read buffer: only valid on the loop thread, inside one read */
    ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** Asks the loop to stop after the current iteration and closes its selector. */
    public void shutdown() {
        running = false;
        selector.wakeup();
    }

    /**
     * Waits for the loop's thread to end.
     *
     * @param millis the longest wait
     * @throws InterruptedException if interrupted
     */
    public void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    @Override
    public void run() {
        int emptyWakeups = 0;
        while (running) {
            try {
                long timeout = nextTimeoutMillis();
                // The action form of select hands each ready key over directly: no selected-key set to iterate.
                int ready = timeout < 0 ? selector.selectNow(onKey) : selector.select(onKey, timeout);
                wakeupPending.set(false);
                if (ready > 0) {
                    emptyWakeups = 0;
                }
                boolean worked = runTasks() | runTimers();
                if (ready == 0 && !worked && timeout != 0) {
                    // The epoll bug of some JDKs and kernels: select() returns at once forever with nothing ready.
                    if (++emptyWakeups >= SPIN_THRESHOLD) {
                        rebuildSelector();
                        emptyWakeups = 0;
                    }
                } else if (worked) {
                    emptyWakeups = 0;
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "event loop error", e);
            }
        }
        closeAll();
    }

    private long nextTimeoutMillis() {
        if (!tasks.isEmpty()) {
            return -1;
        }
        Timer next = timers.peek();
        if (next == null) {
            return 0;   // select() without a timeout
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(next.deadline - System.nanoTime() + 999_999);
        return millis <= 0 ? -1 : millis;
    }

    private void processKey(SelectionKey key) {
        ChannelHandler handler = (ChannelHandler) key.attachment();
        try {
            if (key.isValid()) {
                handler.onReady(key);
            }
        } catch (CancelledKeyException e) {
            handler.onFailure(e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "channel handler failed", e);
            handler.onFailure(e);
        }
    }

    private boolean runTasks() {
        boolean worked = false;
        Runnable task;
        // Bound the batch so a flood of tasks cannot starve I/O.
        for (int i = 0; i < 4096 && (task = tasks.poll()) != null; i++) {
            worked = true;
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "task failed", e);
            }
        }
        return worked;
    }

    private boolean runTimers() {
        boolean worked = false;
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null && t.deadline - now <= 0) {
            timers.poll();
            if (!t.cancelled) {
                worked = true;
                try {
                    t.task.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "timer failed", e);
                }
            }
        }
        return worked;
    }

    private void rebuildSelector() throws IOException {
        LOG.log(Level.WARNING, "selector returned empty " + SPIN_THRESHOLD + " times in a row; rebuilding it");
        Selector fresh = Selector.open();
        for (SelectionKey key : selector.keys()) {
            if (key.isValid()) {
                int ops = key.interestOps();
                Object attachment = key.attachment();
                key.cancel();
                key.channel().register(fresh, ops, attachment);
            }
        }
        selector.close();
        selector = fresh;
    }

    private void closeAll() {
        for (SelectionKey key : selector.keys()) {
            ((ChannelHandler) key.attachment()).onFailure(new IOException("event loop stopped"));
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing selector", e);
        }
    }

    /** A scheduled task; {@link #cancel()} is loop-thread only. */
    public static final class Timer implements Comparable<Timer> {
        private final long deadline;
        private final long sequence;
        private final Runnable task;
        private boolean cancelled;

        Timer(long deadline, long sequence, Runnable task) {
            this.deadline = deadline;
            this.sequence = sequence;
            this.task = task;
        }

        /** Cancels the timer; it will not run. */
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(deadline - o.deadline, 0);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(sequence);
        }
    }

    /** Reacts to a channel's readiness on the loop thread. */
    public interface ChannelHandler {
        /**
         * @param key the ready key
         */
        void onReady(SelectionKey key);

        /**
         * The channel failed or the loop stopped: release everything.
         *
         * @param cause what happened
         */
        void onFailure(Exception cause);
    }
}
