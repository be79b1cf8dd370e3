package io.wirefly.hal.internal;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Delivers a HAL's events one at a time, in the order they were enqueued, without a thread of its own.
 *
 * <p>Protocol: a pin enqueues its delivery while it still holds the lock that ordered the change (so queue order is
 * change order), releases the lock, then calls {@link #drain()}. Whichever thread wins the drain flag runs
 * deliveries until the queue is empty; the others return at once and their events are delivered by the winner, in
 * turn. A delivery that switches a pin (re-entrantly, on the same thread) only enqueues: the outer drain loop runs
 * it after the current delivery returns, so every listener sees the same order. After the last {@code drain()} of
 * every thread has returned, the queue is empty.
 *
 * <pre>{@code
 * lock.lock();
 * try {
 *     level = high;
 *     notifier.enqueue(() -> listeners.fire(event));   // queue order = change order
 * } finally {
 *     lock.unlock();
 * }
 * notifier.drain();                                    // outside every lock
 * }</pre>
 */
public final class Notifier {

    private static final System.Logger LOG = System.getLogger(Notifier.class.getName());

    private final Queue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();

    /**
     * Queues a delivery. Call it under the lock that orders the change it reports.
     *
     * @param delivery runs the listeners; a {@code RuntimeException} from it is logged and delivery goes on
     */
    public void enqueue(Runnable delivery) {
        queue.add(delivery);
    }

    /** Runs queued deliveries unless another thread (or an outer frame of this one) is already doing so. */
    public void drain() {
        // Re-check after releasing the flag: an enqueue may have happened between our last poll and the release.
        while (!queue.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                Runnable next;
                while ((next = queue.poll()) != null) {
                    try {
                        next.run();
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "HAL event delivery failed", e);
                    }
                }
            } finally {
                draining.set(false);
            }
        }
    }
}
