package io.wirefly.hal;

import java.time.Instant;
import java.util.Objects;

/**
 * One change of a pin's level, as listeners receive it and as the simulated board records it.
 *
 * <p>{@code high} is the electrical level after the change; {@code active} is the logical level after the change
 * ({@code high} unless the pin is active-low, so for an LED: on; for a button: pressed). {@code at} is when the edge
 * happened by the HAL's clock; for a debounced input that is the first edge of the stable period, so it lies before
 * the moment of delivery.
 *
 * <pre>{@code
 * led.onChange(e -> broadcast(e.pin() + "=" + (e.active() ? "ON" : "OFF") + "@" + e.at()));
 * }</pre>
 *
 * @param pin the pin's configured name
 * @param high the electrical level after the change
 * @param active the logical level after the change
 * @param at when the change happened
 */
public record PinEvent(String pin, boolean high, boolean active, Instant at) {

    /**
     * Checks the components.
     *
     * @param pin the pin's configured name, not null
     * @param high the electrical level after the change
     * @param active the logical level after the change
     * @param at when the change happened, not null
     */
    public PinEvent {
        Objects.requireNonNull(pin, "pin");
        Objects.requireNonNull(at, "at");
    }
}
