package io.wirefly.hal;

/**
 * The internal bias resistor of an input pin.
 *
 * <p>A button between the pin and GND needs {@link #UP} (the pin reads HIGH when released, LOW when pressed: configure
 * it active-low); a button between the pin and 3V3 needs {@link #DOWN}.
 *
 * <pre>{@code
 * HalConfig.builder().input("button", 27, pin -> pin.pull(Pull.UP).activeLow(true));
 * }</pre>
 */
public enum Pull {
    /** No bias: the circuit defines the level (an external resistor, a driven signal). */
    NONE,
    /** Pull-up to 3V3. */
    UP,
    /** Pull-down to GND. */
    DOWN
}
