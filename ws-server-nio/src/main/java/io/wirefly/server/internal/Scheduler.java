package io.wirefly.server.internal;

/**
 * What a session needs of its event loop besides the selector: the time, timers and running code on the loop. The
 * loop implements it; unit tests drive a session with a manual clock instead.
 *
 * <pre>{@code
 * Scheduler.Cancellable t = scheduler.schedule(TimeUnit.SECONDS.toNanos(10), this::onTimeout);
 * t.cancel();   // forgotten at once
 * }</pre>
 */
interface Scheduler {

    /** @return the current time, in the clock of {@link #schedule} ({@link System#nanoTime()} on a real loop) */
    long nanoTime();

    /**
     * Runs {@code task} on the loop thread after {@code delayNanos}. Loop thread only.
     *
     * @param delayNanos the delay
     * @param task the task
     * @return a handle that cancels it
     */
    Cancellable schedule(long delayNanos, Runnable task);

    /**
     * Runs {@code task} on the loop thread, soon and in order. Any thread.
     *
     * @param task the task
     */
    void execute(Runnable task);

    /**
     * Runs {@code task} on the loop thread in its next turn, after the channels that are ready by then: how a session
     * that used up its share of one turn lets the others go first. Loop thread only.
     *
     * @param task the task
     */
    void executeNextTurn(Runnable task);

    /** @return true on the loop thread */
    boolean inLoop();

    /**
     * @return the loop's spare message segments, for its sessions' engines; loop thread only
     *     ({@code SegmentPool.NONE}: none)
     */
    default io.wirefly.core.internal.protocol.SegmentPool segments() {
        return io.wirefly.core.internal.protocol.SegmentPool.NONE;
    }

    /**
     * @return the loop's spare heap buffers, for its TLS wires' records and its sessions' undecoded input; loop thread
     *     only ({@link ScratchPool#NONE}: none)
     */
    default ScratchPool scratch() {
        return ScratchPool.NONE;
    }

    /**
     * @return the broadcast deliveries this loop's group has not made yet, past which open connections stop reading
     *     ({@link FanOutBacklog#NONE}: no bound)
     */
    default FanOutBacklog fanOut() {
        return FanOutBacklog.NONE;
    }

    /** @return false once the loop has been asked to stop: it makes no more broadcast deliveries after that */
    default boolean running() {
        return true;
    }

    /** @return the loop's read buffer, shared by its sessions: valid on the loop thread, inside one read */
    java.nio.ByteBuffer readBuffer();

    /** A timer that can be cancelled; loop thread only. */
    interface Cancellable {
        /** The timer will not run, and holds no memory any more. */
        void cancel();
    }
}
