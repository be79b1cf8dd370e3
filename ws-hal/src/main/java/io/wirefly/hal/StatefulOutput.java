package io.wirefly.hal;

/**
 * A {@link DigitalOutput} that knows the level it drives, can toggle it, and reports every change.
 *
 * <p>Thread safety: several threads (for example several browser clients of a demo page) may switch the same
 * output; the implementations in this module make {@link #set(boolean)} and {@link #toggle()} atomic and deliver
 * changes to listeners in the order they happened (see {@link PinListener} for the calling thread). Calls may block:
 * see {@link DigitalOutput}.
 *
 * <pre>{@code
 * StatefulOutput fan = hal.output("fan");
 * try (Subscription s = fan.onChange(e -> System.out.println(e.pin() + " is " + (e.high() ? "HIGH" : "LOW")))) {
 *     fan.toggle();
 * }
 * }</pre>
 */
public interface StatefulOutput extends DigitalOutput {

    /**
     * The level this output drives now (the last level set, or the configured initial level).
     *
     * @return {@code true} for HIGH
     * @throws HalException {@code IO} when the driver cannot report it
     */
    boolean isHigh();

    /**
     * Inverts the level. The default reads then sets, which is not atomic; the implementations in this module
     * override it so that concurrent toggles never get lost (n toggles from any threads leave the pin at its
     * starting level exactly when n is even).
     *
     * @throws HalException as {@link #set(boolean)}
     */
    default void toggle() {
        set(!isHigh());
    }

    /**
     * Registers a listener for changes of this output's level, in the order they happen. A listener added while
     * other threads switch the pin sees a suffix of the changes.
     *
     * @param listener called once per transition; see {@link PinListener} for the calling thread
     * @return the subscription; closing it stops deliveries (a delivery already under way may still complete)
     */
    Subscription onChange(PinListener listener);
}
