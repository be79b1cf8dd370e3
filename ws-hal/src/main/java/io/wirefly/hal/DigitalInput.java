package io.wirefly.hal;

/**
 * A pin whose level is read: a button, a switch, a sensor's digital line.
 *
 * <p>{@link #isHigh()} reads the level now. Listeners added with {@link #onChange(PinListener)} see debounced
 * changes: a change is reported only after the level has stayed the same for the pin's configured debounce time
 * (zero reports every edge). A bounce that returns to the reported level within that time is not reported.
 *
 * <p>Reads may block (see {@link DigitalOutput}); implementations in this module are thread-safe.
 *
 * <pre>{@code
 * DigitalInput button = hal.input("button");
 * Subscription s = button.onChange(e -> {
 *     if (e.active()) {
 *         hal.led("led").toggle();      // pressed
 *     }
 * });
 * }</pre>
 */
public interface DigitalInput {

    /**
     * Reads the electrical level now, not debounced.
     *
     * @return {@code true} for HIGH
     * @throws HalException {@code IO} when the driver fails, {@code UNAVAILABLE} after the HAL was closed
     */
    boolean isHigh();

    /**
     * Reads the logical level now: HIGH is active unless the pin is configured active-low (a button between the
     * pin and GND with a pull-up reads LOW while pressed, so it is active-low).
     *
     * @return {@code true} when the input is active (for a button: pressed)
     * @throws HalException as {@link #isHigh()}
     */
    boolean isActive();

    /**
     * Registers a listener for debounced level changes, delivered in the order they happen.
     *
     * @param listener called once per debounced change; see {@link PinListener} for the calling thread
     * @return the subscription; closing it stops deliveries (a delivery already under way may still complete)
     */
    Subscription onChange(PinListener listener);
}
