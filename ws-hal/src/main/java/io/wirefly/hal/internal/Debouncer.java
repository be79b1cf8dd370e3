package io.wirefly.hal.internal;

import io.wirefly.hal.PinConfig;
import io.wirefly.hal.PinEvent;
import io.wirefly.hal.PinListener;
import io.wirefly.hal.Subscription;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns the raw edges of one input into debounced {@link PinEvent}s: a new level is reported only after it has
 * stayed the same for the pin's debounce time; a bounce back to the reported level within that time reports nothing.
 * A zero debounce reports every change at once.
 *
 * <p>Each edge bumps a generation and schedules a check after the debounce time; a check whose generation is no
 * longer current does nothing, so no timer is ever cancelled. The event's timestamp is the edge that started the
 * stable period. Thread-safe: edges come from any thread, checks from the timer.
 *
 * <pre>{@code
 * Debouncer debouncer = new Debouncer(pin, false, timer, notifier, open);
 * debouncer.onChange(e -> System.out.println(e.active() ? "pressed" : "released"));
 * debouncer.edge(true);       // from the driver's callback
 * notifier.drain();           // reported after pin.debounce() without a further edge
 * }</pre>
 */
public final class Debouncer {

    private final PinConfig pin;
    private final Duration debounce;
    private final Timer timer;
    private final Notifier notifier;
    private final OpenState open;
    private final Listeners listeners = new Listeners();

    private boolean raw;          // guarded by this
    private Instant rawSince;     // guarded by this
    private boolean reported;     // guarded by this
    private long generation;      // guarded by this

    /**
     * A debouncer at a known level.
     *
     * @param pin the input's config (name, active-low, debounce)
     * @param initialLevel the level the input has now; it counts as already reported
     * @param timer the clock and the scheduler for checks
     * @param notifier delivers the events in order
     * @param open checks are dropped once the HAL is closed
     */
    public Debouncer(PinConfig pin, boolean initialLevel, Timer timer, Notifier notifier, OpenState open) {
        this.pin = pin;
        this.debounce = pin.debounce();
        this.timer = timer;
        this.notifier = notifier;
        this.open = open;
        this.raw = initialLevel;
        this.reported = initialLevel;
        this.rawSince = timer.now();
    }

    /**
     * Records the level the input has now; the caller then calls {@link Notifier#drain()}. A level equal to the last
     * raw level is no edge and is ignored.
     *
     * @param high the level read or reported by the driver
     */
    public void edge(boolean high) {
        long gen;
        synchronized (this) {
            if (high == raw) {
                return;
            }
            raw = high;
            rawSince = timer.now();
            gen = ++generation;
            if (debounce.isZero()) {
                settle(gen);
                return;
            }
        }
        timer.schedule(debounce, () -> {
            synchronized (this) {
                settle(gen);
            }
            notifier.drain();
        });
    }

    /**
     * The last raw level.
     *
     * @return {@code true} for HIGH
     */
    public synchronized boolean raw() {
        return raw;
    }

    /**
     * The last reported (debounced) level.
     *
     * @return {@code true} for HIGH
     */
    public synchronized boolean reported() {
        return reported;
    }

    /**
     * Registers a listener for debounced changes.
     *
     * @param listener not null
     * @return closing it removes the listener
     */
    public Subscription onChange(PinListener listener) {
        return listeners.add(listener);
    }

    // Called with this monitor held: the enqueue happens in the order of the changes.
    private void settle(long gen) {
        if (gen != generation || raw == reported || open.isClosed()) {
            return;
        }
        reported = raw;
        PinEvent event = new PinEvent(pin.name(), raw, pin.levelFor(true) == raw, rawSince);
        notifier.enqueue(() -> listeners.fire(event));
    }
}
