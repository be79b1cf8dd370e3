package io.wirefly.hal.pi4j;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import io.wirefly.hal.PinConfig;
import io.wirefly.hal.PinEvent;
import io.wirefly.hal.PinListener;
import io.wirefly.hal.StatefulOutput;
import io.wirefly.hal.Subscription;
import io.wirefly.hal.internal.Listeners;
import io.wirefly.hal.internal.Notifier;
import io.wirefly.hal.internal.OpenState;
import io.wirefly.hal.internal.Timer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An output pin driven through a Pi4J {@link DigitalOutput}. Every Pi4J call happens under the pin's lock, so
 * {@code set} and {@code toggle} are atomic and events are enqueued in the order of the writes. The level is read
 * back from Pi4J's own state.
 */
final class Pi4jOutput implements StatefulOutput {

    private final PinConfig config;
    private final OpenState open;
    private final Timer timer;
    private final Notifier notifier;
    private final DigitalOutput pin;
    private final Listeners listeners = new Listeners();
    private final ReentrantLock lock = new ReentrantLock();

    private Pi4jOutput(PinConfig config, OpenState open, Timer timer, Notifier notifier, DigitalOutput pin) {
        this.config = config;
        this.open = open;
        this.timer = timer;
        this.notifier = notifier;
        this.pin = pin;
    }

    /** Creates the Pi4J output (id = the pin's name) at its initial level. */
    static Pi4jOutput create(Context context, String providerId, PinConfig config, OpenState open, Timer timer,
                             Notifier notifier) {
        DigitalOutput pin;
        try {
            pin = context.create(DigitalOutput.newConfigBuilder(context)
                    .id(config.name())
                    .name(config.name())
                    .address(config.bcmPin())
                    .initial(state(config.levelFor(config.initial())))
                    .shutdown(state(config.levelFor(config.shutdown())))
                    .provider(providerId)
                    .build());
        } catch (RuntimeException | LinkageError e) {
            throw Pi4jErrors.map(config.name(), "creating output on BCM " + config.bcmPin() + " with "
                    + providerId, e);
        }
        return new Pi4jOutput(config, open, timer, notifier, pin);
    }

    static DigitalState state(boolean high) {
        return high ? DigitalState.HIGH : DigitalState.LOW;
    }

    @Override
    public void set(boolean high) {
        lock.lock();
        try {
            open.check(config.name());
            write(high);
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
            write(!read());
        } finally {
            lock.unlock();
        }
        notifier.drain();
    }

    @Override
    public boolean isHigh() {
        lock.lock();
        try {
            open.check(config.name());
            return read();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Subscription onChange(PinListener listener) {
        return listeners.add(listener);
    }

    /** Drives the shutdown state, then releases the I/O from the context; called once by {@link Pi4jHal#close()}. */
    void shutdown(Context context) {
        lock.lock();
        try {
            write(config.levelFor(config.shutdown()));
        } finally {
            lock.unlock();
        }
        notifier.drain();
        release(context);
    }

    void release(Context context) {
        try {
            context.shutdown(config.name());
        } catch (RuntimeException e) {
            throw Pi4jErrors.map(config.name(), "releasing the Pi4J output", e);
        }
    }

    // With the lock held.
    private boolean read() {
        try {
            return pin.state() == DigitalState.HIGH;
        } catch (RuntimeException e) {
            throw Pi4jErrors.map(config.name(), "reading the output", e);
        }
    }

    // With the lock held: write, then enqueue the event if the level changed.
    private void write(boolean high) {
        boolean before = read();
        try {
            pin.state(state(high));
        } catch (RuntimeException e) {
            throw Pi4jErrors.map(config.name(), "setting " + (high ? "HIGH" : "LOW"), e);
        }
        if (before != high) {
            PinEvent event = new PinEvent(config.name(), high, high == config.levelFor(true), timer.now());
            notifier.enqueue(() -> listeners.fire(event));
        }
    }

    @Override
    public String toString() {
        return "Pi4jOutput[" + config.name() + " BCM " + config.bcmPin() + "]";
    }
}
