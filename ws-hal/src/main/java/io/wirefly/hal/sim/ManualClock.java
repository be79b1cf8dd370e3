package io.wirefly.hal.sim;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * Virtual time for a {@link SimulatedHal}: event timestamps come from it and debounce deadlines wait for
 * {@link #advance(Duration)}, so tests never sleep.
 *
 * <p>Thread-safe. Tasks that fall due run on the thread that calls {@code advance}, in deadline order (ties in
 * scheduling order), with the clock set to their deadline while they run; listeners of debounced inputs are
 * therefore called on that thread, before {@code advance} returns (unless another thread is delivering).
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * SimulatedHal hal = SimulatedHal.open(config, clock);
 * hal.input("button").press();
 * clock.advance(Duration.ofMillis(20));   // the press is reported now, stamped with the press time
 * }</pre>
 */
public final class ManualClock {

    /** A scheduled task; {@code seq} keeps ties in scheduling order. */
    private record Task(Instant due, long seq, Runnable action) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> {
        int c = a.due.compareTo(b.due);
        return c != 0 ? c : Long.compare(a.seq, b.seq);
    });
    private Instant now;   // guarded by this
    private long seq;      // guarded by this

    /** A clock at 2026-01-01T00:00:00Z. */
    public ManualClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /**
     * A clock at a given instant.
     *
     * @param start the initial time
     */
    public ManualClock(Instant start) {
        this.now = Objects.requireNonNull(start, "start");
    }

    /**
     * The current virtual time.
     *
     * @return now
     */
    public synchronized Instant now() {
        return now;
    }

    /**
     * Moves time forward, running every task that falls due on the way.
     *
     * @param duration not negative
     * @throws IllegalArgumentException when {@code duration} is negative
     */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("duration must be >= 0, was " + duration);
        }
        Instant target;
        synchronized (this) {
            target = now.plus(duration);
        }
        while (true) {
            Task next;
            synchronized (this) {
                Task head = tasks.peek();
                if (head == null || head.due.isAfter(target)) {
                    if (now.isBefore(target)) {
                        now = target;
                    }
                    return;
                }
                next = tasks.poll();
                if (now.isBefore(next.due)) {
                    now = next.due;
                }
            }
            next.action.run();
        }
    }

    /**
     * How many tasks wait for a future {@link #advance(Duration)}.
     *
     * @return the count
     */
    public synchronized int pendingTasks() {
        return tasks.size();
    }

    /** Schedules a task {@code delay} after now; package-private: only the simulated board schedules. */
    synchronized void schedule(Duration delay, Runnable action) {
        tasks.add(new Task(now.plus(delay), seq++, action));
    }
}
