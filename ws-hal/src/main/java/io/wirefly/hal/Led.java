package io.wirefly.hal;

import java.util.Objects;

/**
 * An LED: logical on/off over a {@link StatefulOutput}, honouring the wiring.
 *
 * <p>Active-high wiring (GPIO → resistor → LED anode, cathode → GND) lights the LED when the pin is HIGH.
 * Active-low wiring (3V3 → resistor → LED → GPIO) lights it when the pin is LOW, because the pin sinks the current.
 * {@code Led} hides that: {@link #on()} always means lit.
 *
 * <p>Thread safety and blocking are those of the output: calls are atomic and may block, so a server calls them on
 * an executor, never on an event loop. Listeners get events whose {@link PinEvent#active()} means "lit", computed
 * with this LED's wiring.
 *
 * <pre>{@code
 * Led led = hal.led("status");             // wiring from the pin's config
 * Led raw = Led.of(hal.output("status"), true);   // or explicitly: active-low
 * led.on();
 * led.onChange(e -> push(e.active() ? "ON" : "OFF"));
 * }</pre>
 */
public final class Led {

    private final StatefulOutput output;
    private final boolean activeLow;

    private Led(StatefulOutput output, boolean activeLow) {
        this.output = Objects.requireNonNull(output, "output");
        this.activeLow = activeLow;
    }

    /**
     * An LED on an output.
     *
     * @param output the pin the LED is wired to
     * @param activeLow {@code true} when the LED lights while the pin is LOW (wired between 3V3 and the pin)
     * @return the LED; it holds no resources of its own
     */
    public static Led of(StatefulOutput output, boolean activeLow) {
        return new Led(output, activeLow);
    }

    /**
     * Lights the LED (drives the pin HIGH, or LOW when active-low).
     *
     * @throws HalException as {@link DigitalOutput#set(boolean)}
     */
    public void on() {
        set(true);
    }

    /**
     * Turns the LED off.
     *
     * @throws HalException as {@link DigitalOutput#set(boolean)}
     */
    public void off() {
        set(false);
    }

    /**
     * Lights the LED or turns it off.
     *
     * @param on {@code true} to light it
     * @throws HalException as {@link DigitalOutput#set(boolean)}
     */
    public void set(boolean on) {
        output.set(on != activeLow);
    }

    /**
     * Inverts the LED; atomic when the output's {@link StatefulOutput#toggle()} is.
     *
     * @throws HalException as {@link DigitalOutput#set(boolean)}
     */
    public void toggle() {
        output.toggle();
    }

    /**
     * Whether the LED is lit, from the level the output drives.
     *
     * @return {@code true} when lit
     * @throws HalException as {@link StatefulOutput#isHigh()}
     */
    public boolean isOn() {
        return output.isHigh() != activeLow;
    }

    /**
     * Whether the LED lights while its pin is LOW.
     *
     * @return {@code true} for active-low wiring
     */
    public boolean activeLow() {
        return activeLow;
    }

    /**
     * Registers a listener for the LED's changes; {@link PinEvent#active()} says whether it is lit.
     *
     * @param listener called once per change, in order; see {@link PinListener} for the calling thread
     * @return the subscription; closing it stops deliveries
     */
    public Subscription onChange(PinListener listener) {
        Objects.requireNonNull(listener, "listener");
        return output.onChange(e -> listener.onChange(
                new PinEvent(e.pin(), e.high(), e.high() != activeLow, e.at())));
    }
}
