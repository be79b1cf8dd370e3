package io.wirefly.hal.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The HAL's notion of time: event timestamps and debounce deadlines. The simulated board plugs in a manual clock
 * so that tests advance time instead of sleeping; real boards use {@link #system(String)}.
 *
 * <pre>{@code
 * Timer timer = Timer.system("wirefly-hal-timer");
 * timer.schedule(Duration.ofMillis(20), () -> System.out.println("at " + timer.now()));
 * timer.close();
 * }</pre>
 */
public interface Timer extends AutoCloseable {

    /**
     * The current time.
     *
     * @return now, by this timer's clock
     */
    Instant now();

    /**
     * Runs a task once after a delay, on the timer's thread (or, for a manual clock, on the thread that advances it).
     * After {@link #close()} tasks are dropped.
     *
     * @param delay not negative
     * @param task runs once
     */
    void schedule(Duration delay, Runnable task);

    /** Stops the timer's thread, if it has one; pending tasks are dropped. Idempotent. */
    @Override
    void close();

    /**
     * Wall-clock time with one lazily started daemon thread.
     *
     * @param threadName the name of that thread
     * @return a timer the HAL closes
     */
    static Timer system(String threadName) {
        return new SystemTimer(threadName);
    }

    /**
     * A timer made of two functions; {@link #close()} does nothing.
     *
     * @param now the clock
     * @param schedule schedules a task after a delay
     * @return the timer
     */
    static Timer of(Supplier<Instant> now, BiConsumer<Duration, Runnable> schedule) {
        return new Timer() {
            @Override
            public Instant now() {
                return now.get();
            }

            @Override
            public void schedule(Duration delay, Runnable task) {
                schedule.accept(delay, task);
            }

            @Override
            public void close() {
            }
        };
    }
}
