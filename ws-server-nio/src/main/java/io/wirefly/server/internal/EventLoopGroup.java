package io.wirefly.server.internal;

import java.util.concurrent.atomic.AtomicInteger;

/** N event loops, handed out round-robin. */
public final class EventLoopGroup {
    private final EventLoop[] loops;
    private final AtomicInteger next = new AtomicInteger();

    /**
     * @param count how many loops
     * @param name the thread name prefix
     */
    public EventLoopGroup(int count, String name) {
        this(count, name, FanOutBacklog.DEFAULT_LIMIT);
    }

    /**
     * @param count how many loops
     * @param name the thread name prefix
     * @param fanOutLimit broadcast deliveries not made yet past which the loops' open connections stop reading
     */
    EventLoopGroup(int count, String name, long fanOutLimit) {
        FanOutBacklog fanOut = new FanOutBacklog(fanOutLimit);
        loops = new EventLoop[count];
        for (int i = 0; i < count; i++) {
            loops[i] = new EventLoop(name + "-" + i, EventLoop.TRIM_NANOS, fanOut);
        }
    }

    /** Starts every loop. */
    public void start() {
        for (EventLoop loop : loops) {
            loop.start();
        }
    }

    /** @return the next loop, round-robin */
    public EventLoop next() {
        return loops[Math.floorMod(next.getAndIncrement(), loops.length)];
    }

    /** @return true if the caller runs on one of these loops */
    public boolean inAnyLoop() {
        for (EventLoop loop : loops) {
            if (loop.inLoop()) {
                return true;
            }
        }
        return false;
    }

    /** @return the loops */
    public EventLoop[] loops() {
        return loops.clone();
    }

    /**
     * Stops every loop (closing what they still own) and waits for their threads.
     *
     * @param millis the longest wait per loop
     */
    public void shutdown(long millis) {
        for (EventLoop loop : loops) {
            loop.shutdown();
        }
        for (EventLoop loop : loops) {
            try {
                loop.join(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
