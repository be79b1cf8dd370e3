package io.wirefly.server.internal;

import io.wirefly.core.internal.frame.WireFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One selector thread: it owns a set of channels, runs tasks that other threads hand it, and fires timers. Nothing
 * that runs here may block. Other threads talk to it only through {@link #execute}, which is lock-free and wakes the
 * selector only when it may be sleeping.
 *
 * <p>The thread does not die: every unit of work (one ready channel, one task, one timer) runs inside its own
 * {@code catch (Throwable)}. A channel whose handler throws, even {@link OutOfMemoryError}, is failed alone; a task
 * or timer that throws is logged and the loop goes on.
 *
 * <p>There is no "selector rebuild". It worked around JDK-6403933 / JDK-6670302 (epoll returning at once forever
 * with nothing selected), fixed in JDK 6u4 / 7 and never seen since on the JDK 17 baseline; the counter that guarded
 * it was tripped by ordinary wake-ups (cancelled timers, racing {@code wakeup()}s) and the rebuild left every
 * connection holding a stale {@link SelectionKey}.
 */
public final class EventLoop implements Runnable, Scheduler {
    private static final System.Logger LOG = System.getLogger(EventLoop.class.getName());
    /**
     * One read's most: a whole frame of a 64 KiB message with its longest header (the size bulk data is usually cut
     * into), so that such a frame arriving at once is decoded and lent where it was read. At 64 KiB even, each one
     * took two reads and was copied twice: assembled in a segment, then again by the JDK to write it from the heap.
     */
    private static final int READ_BUFFER_SIZE = 64 * 1024 + WireFormat.MAX_HEADER_SIZE;
    /** Tasks run per iteration at most, so a flood of tasks cannot starve I/O. */
    private static final int TASK_BATCH = 4096;
    /**
     * How long one iteration runs queued tasks, about, before it looks at its sockets again. A task may be a
     * broadcast's writes to thousands of connections: 4,096 of those took seconds, while every socket of the loop
     * waited. The fan-out backlog, not this bound, keeps the queue from growing past what the loops can write.
     */
    private static final long TASK_NANOS = 2_000_000;
    /** How long one turn runs queued shares of input before it looks at its selector again. */
    private static final long NEXT_TURN_NANOS = 1_000_000;
    /** How often the loop lets go of the spare buffers that nothing drew on since the time before. */
    static final long TRIM_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** New connections to set up ({@link #executeArrival}); each iteration runs them before {@link #tasks}. */
    private final ConcurrentLinkedQueue<Runnable> arrivals = new ConcurrentLinkedQueue<>();
    /** Work for the next turn ({@link #executeNextTurn}); loop thread only. */
    private final ArrayDeque<Runnable> nextTurn = new ArrayDeque<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final TimerHeap timers = new TimerHeap();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    private final ScratchPool scratch = new ScratchPool();
    /** Up to 4 MiB of 64 KiB message segments, shared by this loop's sessions (see SegmentPool). */
    private final io.wirefly.core.internal.protocol.SegmentPool segments =
            new io.wirefly.core.internal.protocol.SegmentPool(64);
    private final Consumer<SelectionKey> onKey = this::processKey;
    private final Runnable trim = this::trimPools;
    private final long trimNanos;
    private final FanOutBacklog fanOut;
    /** True while a trim of the pools is scheduled: only while they hold spares, so an idle loop sleeps. */
    private boolean trimScheduled;
    private final Selector selector;
    private final Thread thread;
    private volatile boolean running = true;

    /** @param name the thread's name */
    public EventLoop(String name) {
        this(name, TRIM_NANOS, FanOutBacklog.NONE);
    }

    /**
     * @param name the thread's name
     * @param trimNanos how often the pools let go of the spares nothing needed (tests shorten it)
     */
    EventLoop(String name, long trimNanos) {
        this(name, trimNanos, FanOutBacklog.NONE);
    }

    /**
     * @param name the thread's name
     * @param trimNanos how often the pools let go of the spares nothing needed (tests shorten it)
     * @param fanOut the broadcast backlog shared by this loop's group
     */
    EventLoop(String name, long trimNanos, FanOutBacklog fanOut) {
        this.trimNanos = trimNanos;
        this.fanOut = fanOut;
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector", e);
        }
        this.thread = new LoopThread(this, name);
        this.thread.setDaemon(true);
    }

    /** Starts the loop's thread. */
    public void start() {
        thread.start();
    }

    @Override
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** @return true if the caller runs on an event loop, of any group: such a thread must never wait */
    static boolean onAnyLoop() {
        return Thread.currentThread() instanceof LoopThread;
    }

    @Override
    public boolean running() {
        return running;
    }

    /** The thread of a loop, told apart from every other by its class ({@link #onAnyLoop}). */
    private static final class LoopThread extends Thread {
        LoopThread(Runnable loop, String name) {
            super(loop, name);
        }
    }

    @Override
    public FanOutBacklog fanOut() {
        return fanOut;
    }

    @Override
    public ScratchPool scratch() {
        return scratch;
    }

    @Override
    public io.wirefly.core.internal.protocol.SegmentPool segments() {
        return segments;
    }

    /**
     * Runs a task on the loop thread, soon and in submission order. Safe from any thread. Tasks still queued when
     * the loop stops are run before it closes its channels.
     *
     * @param task the task; it must not block
     */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /**
     * Sets up a new connection on the loop thread: like {@link #execute}, but ahead of the tasks already queued, so
     * that a loop busy with a backlog of broadcasts does not keep a new client waiting behind it. Safe from any
     * thread.
     *
     * @param task registers the connection and starts its session; it must not block
     */
    public void executeArrival(Runnable task) {
        arrivals.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    @Override
    public void executeNextTurn(Runnable task) {
        nextTurn.add(task);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    /**
     * Schedules a task on the loop thread. Must be called on the loop thread.
     *
     * @param delayNanos the delay
     * @param task the task
     * @return a handle that cancels it
     */
    @Override
    public TimerHeap.Timer schedule(long delayNanos, Runnable task) {
        return timers.add(System.nanoTime() + delayNanos, task);
    }

    /** @return how many timers wait; loop thread only (tests and diagnostics) */
    int pendingTimers() {
        return timers.size();
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

    @Override
    public ByteBuffer readBuffer() {
        return readBuffer;
    }

    /** Asks the loop to stop after the current iteration; it runs the tasks still queued, then closes its channels. */
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
        if (!inLoop()) {
            thread.join(millis);
        }
    }

    @Override
    public void run() {
        while (true) {
            try {
                loop();
                return;
            } catch (Throwable escaped) {
                // Every unit of work has its own catch; this one is for what escapes even those, such as an
                // OutOfMemoryError thrown while a catch block builds its message. The loop goes on after a pause
                // that allocates nothing, so that a failure that repeats cannot spin.
                pauseQuietly();
            }
        }
    }

    /** Sleeps 10 ms, ignoring an interrupt: what {@link #run} does when an error escaped a turn. */
    static void pauseQuietly() {
        try {
            Thread.sleep(10);
        } catch (Throwable ignored) {
            // go on at once
        }
    }

    private void loop() {
        while (running) {
            try {
                long timeout = nextTimeoutMillis();
                // The action form of select hands each ready key over directly: no selected-key set to iterate.
                if (timeout < 0) {
                    selector.selectNow(onKey);
                } else {
                    selector.select(onKey, timeout);
                }
                wakeupPending.set(false);
                runArrivals();
                runTasks(TASK_BATCH, TASK_NANOS);
                runTimers();
                runNextTurn();
                if (!trimScheduled && (segments.spares() > 0 || scratch.spares() > 0)) {
                    trimScheduled = true;
                    schedule(trimNanos, trim);
                }
            } catch (Throwable t) {
                // select() itself failed (an I/O error of the selector): log, and try again.
                log("event loop iteration failed", t);
            }
        }
        runArrivals();
        runTasks(Integer.MAX_VALUE, Long.MAX_VALUE);
        closeAll();
    }

    private long nextTimeoutMillis() {
        if (!tasks.isEmpty() || !nextTurn.isEmpty() || !arrivals.isEmpty()) {
            return -1;
        }
        TimerHeap.Timer next = timers.peek();
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
            fail(handler, e);
        } catch (Throwable t) {
            // Whatever the handler threw (a bug, an OutOfMemoryError while it grew a buffer), only its channel fails.
            log("channel handler failed", t);
            fail(handler, t);
        }
    }

    private static void fail(ChannelHandler handler, Throwable cause) {
        try {
            handler.onFailure(cause);
        } catch (Throwable again) {
            log("channel handler failed while failing", again);
        }
    }

    private void runArrivals() {
        for (Runnable task; (task = arrivals.poll()) != null; ) {
            try {
                task.run();
            } catch (Throwable t) {
                log("setting up a connection failed", t);
            }
        }
    }

    /** Runs queued tasks in order: at most {@code max}, and none started after {@code nanos} (the first always). */
    private void runTasks(int max, long nanos) {
        Runnable task;
        long start = System.nanoTime();
        for (int i = 0; i < max && (task = tasks.poll()) != null; i++) {
            try {
                task.run();
            } catch (Throwable t) {
                log("task failed", t);
            }
            if (System.nanoTime() - start > nanos) {   // after every task: one may be thousands of writes
                break;   // the rest stay first in line; the sockets get their turn in between
            }
        }
    }

    /**
     * Runs the work queued for this turn (the next share of flooded connections' input; what it queues again waits
     * for the next one), for at most
     * {@link #NEXT_TURN_NANOS}: what is left stays first in line for the next turn, and the loop goes back to its
     * selector in between, so that a connection with one message to read does not wait for every share of every
     * flood (all of them, while the JIT has not compiled the decoder yet, took 10 to 20 ms).
     */
    private void runNextTurn() {
        long start = System.nanoTime();
        for (int n = nextTurn.size(); n > 0; n--) {
            try {
                nextTurn.poll().run();
            } catch (Throwable t) {
                log("task failed", t);
            }
            if (n > 1 && System.nanoTime() - start > NEXT_TURN_NANOS) {
                break;   // the rest stay at the head of the queue, before what this turn's tasks queued
            }
        }
    }

    private void runTimers() {
        long now = System.nanoTime();
        TimerHeap.Timer t;
        while ((t = timers.pollDue(now)) != null) {
            try {
                t.task.run();
            } catch (Throwable e) {
                log("timer failed", e);
            }
        }
    }

    /** Lets go of the pools' unused spares; again later while any are left. */
    private void trimPools() {
        segments.trim();
        scratch.trim();
        trimScheduled = segments.spares() > 0 || scratch.spares() > 0;
        if (trimScheduled) {
            schedule(trimNanos, trim);
        }
    }

    /** @return the spares both pools hold; loop thread only (tests) */
    int pooledSpares() {
        return segments.spares() + scratch.spares();
    }

    private void closeAll() {
        List<SelectionKey> keys;
        try {
            keys = new ArrayList<>(selector.keys());
        } catch (Throwable t) {
            keys = List.of();
        }
        for (SelectionKey key : keys) {
            fail((ChannelHandler) key.attachment(), new IOException("event loop stopped"));
        }
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing selector", e);
        }
    }

    private static void log(String what, Throwable t) {
        try {
            LOG.log(Level.WARNING, what, t);
        } catch (Throwable ignored) {
            // logging can fail too (out of memory); the loop must go on regardless
        }
    }

    /** Reacts to a channel's readiness on the loop thread. */
    public interface ChannelHandler {
        /**
         * @param key the ready key
         */
        void onReady(SelectionKey key);

        /**
         * The channel failed, its handler threw, or the loop stopped: release everything.
         *
         * @param cause what happened
         */
        void onFailure(Throwable cause);
    }
}
