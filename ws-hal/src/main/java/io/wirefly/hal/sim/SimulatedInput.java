package io.wirefly.hal.sim;

import io.wirefly.hal.DigitalInput;
import io.wirefly.hal.PinConfig;
import io.wirefly.hal.PinListener;
import io.wirefly.hal.Subscription;
import io.wirefly.hal.internal.Debouncer;
import io.wirefly.hal.internal.Notifier;
import io.wirefly.hal.internal.OpenState;

/**
 * A simulated input pin that a test or a demo page drives: {@link #press()}, {@link #release()} or
 * {@link #set(boolean)}. It starts inactive (released). Changes reach listeners debounced, exactly as on a board.
 *
 * <p>Thread-safe; see {@link io.wirefly.hal.PinListener} for the calling thread.
 *
 * <pre>{@code
 * SimulatedInput button = simulatedHal.input("button");
 * button.onChange(e -> System.out.println(e.active() ? "pressed" : "released"));
 * button.press();
 * button.release();
 * }</pre>
 */
public final class SimulatedInput implements DigitalInput {

    private final PinConfig config;
    private final OpenState open;
    private final Notifier notifier;
    private final Debouncer debouncer;

    SimulatedInput(PinConfig config, OpenState open, Debouncer debouncer, Notifier notifier) {
        this.config = config;
        this.open = open;
        this.notifier = notifier;
        this.debouncer = debouncer;
    }

    /**
     * The level a released (inactive) input has.
     *
     * @param config the pin
     * @return LOW for active-high, HIGH for active-low
     */
    static boolean restingLevel(PinConfig config) {
        return config.levelFor(false);
    }

    /**
     * The pin's configuration.
     *
     * @return the config this input was created from
     */
    public PinConfig config() {
        return config;
    }

    /**
     * Puts an electrical level on the pin, as the outside world would.
     *
     * @param high {@code true} for HIGH
     * @throws io.wirefly.hal.HalException {@code UNAVAILABLE} once the HAL is closed
     */
    public void set(boolean high) {
        open.check(config.name());
        debouncer.edge(high);
        notifier.drain();
    }

    /**
     * Makes the input active (a pressed button): HIGH, or LOW when active-low.
     *
     * @throws io.wirefly.hal.HalException {@code UNAVAILABLE} once the HAL is closed
     */
    public void press() {
        set(config.levelFor(true));
    }

    /**
     * Makes the input inactive (a released button).
     *
     * @throws io.wirefly.hal.HalException {@code UNAVAILABLE} once the HAL is closed
     */
    public void release() {
        set(config.levelFor(false));
    }

    @Override
    public boolean isHigh() {
        open.check(config.name());
        return debouncer.raw();
    }

    @Override
    public boolean isActive() {
        return isHigh() == config.levelFor(true);
    }

    @Override
    public Subscription onChange(PinListener listener) {
        return debouncer.onChange(listener);
    }

    @Override
    public String toString() {
        return "SimulatedInput[" + config.name() + " BCM " + config.bcmPin() + ", "
                + (debouncer.raw() ? "HIGH" : "LOW") + "]";
    }
}
