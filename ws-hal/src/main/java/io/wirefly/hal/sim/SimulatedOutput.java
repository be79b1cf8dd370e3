package io.wirefly.hal.sim;

import io.wirefly.hal.PinConfig;
import io.wirefly.hal.PinEvent;
import io.wirefly.hal.PinListener;
import io.wirefly.hal.StatefulOutput;
import io.wirefly.hal.Subscription;
import io.wirefly.hal.internal.Listeners;
import io.wirefly.hal.internal.Notifier;
import io.wirefly.hal.internal.OpenState;
import io.wirefly.hal.internal.Timer;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A simulated output pin: holds a level, records every transition with a timestamp, and reports changes.
 *
 * <p>Thread-safe: {@link #set(boolean)} and {@link #toggle()} are atomic under the pin's lock, and the transition
 * log and the listeners see the same order. The log keeps the last {@value #MAX_TRANSITIONS} transitions. The
 * observation methods ({@link #level()}, {@link #transitions()}, {@link #onChange(PinListener)}) keep working after
 * the HAL is closed, so a test can check the shutdown state; switching and {@link #isHigh()} then throw.
 *
 * <pre>{@code
 * SimulatedOutput led = simulatedHal.output("led");
 * led.toggle();
 * List<PinEvent> log = led.transitions();     // [PinEvent[pin=led, high=true, active=true, at=...]]
 * }</pre>
 */
public final class SimulatedOutput implements StatefulOutput {

    /** How many transitions the log keeps; older ones are dropped first. */
    public static final int MAX_TRANSITIONS = 100_000;

    private final PinConfig config;
    private final OpenState open;
    private final Timer timer;
    private final Notifier notifier;
    private final Listeners listeners = new Listeners();
    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<PinEvent> log = new ArrayDeque<>();   // guarded by lock
    private boolean high;                                      // guarded by lock

    SimulatedOutput(PinConfig config, OpenState open, Timer timer, Notifier notifier) {
        this.config = config;
        this.open = open;
        this.timer = timer;
        this.notifier = notifier;
        this.high = config.levelFor(config.initial());
    }

    /**
     * The pin's configuration.
     *
     * @return the config this output was created from
     */
    public PinConfig config() {
        return config;
    }

    @Override
    public void set(boolean level) {
        lock.lock();
        try {
            open.check(config.name());
            change(level);
        } finally {
            lock.unlock();
        }
        notifier.drain();
    }

    @Override
    public void toggle() {
        lock.lock();
        try {
            open.check(config.name());
            change(!high);
        } finally {
            lock.unlock();
        }
        notifier.drain();
    }

    @Override
    public boolean isHigh() {
        open.check(config.name());
        return level();
    }

    /**
     * Observes the simulated level, also after the HAL is closed.
     *
     * @return {@code true} for HIGH
     */
    public boolean level() {
        lock.lock();
        try {
            return high;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The transitions so far, oldest first (at most {@value #MAX_TRANSITIONS}); the initial level is not a
     * transition, the shutdown state applied by {@code close()} is one when it changes the level.
     *
     * @return a snapshot
     */
    public List<PinEvent> transitions() {
        lock.lock();
        try {
            return List.copyOf(log);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Subscription onChange(PinListener listener) {
        return listeners.add(listener);
    }

    /** Drives the shutdown state; called by {@link SimulatedHal#close()} after the HAL is marked closed. */
    void applyShutdown() {
        lock.lock();
        try {
            change(config.levelFor(config.shutdown()));
        } finally {
            lock.unlock();
        }
        notifier.drain();
    }

    // Called with the lock held, so the log, the enqueue order and the level agree.
    private void change(boolean level) {
        if (level == high) {
            return;
        }
        high = level;
        PinEvent event = new PinEvent(config.name(), level, level == config.levelFor(true), timer.now());
        if (log.size() == MAX_TRANSITIONS) {
            log.removeFirst();
        }
        log.addLast(event);
        notifier.enqueue(() -> listeners.fire(event));
    }

    @Override
    public String toString() {
        return "SimulatedOutput[" + config.name() + " BCM " + config.bcmPin() + ", " + (level() ? "HIGH" : "LOW")
                + "]";
    }
}
