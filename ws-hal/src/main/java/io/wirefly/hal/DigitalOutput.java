package io.wirefly.hal;

/**
 * A pin that drives an electrical level: {@code true} is HIGH (3.3 V on a Raspberry Pi), {@code false} is LOW.
 *
 * <p>Levels are electrical. For a logical on/off that honours active-low wiring use {@link Led}.
 *
 * <p><b>Blocking:</b> a call may block for as long as the driver needs (a system call, a native library, a lock
 * held by another thread switching the same pin). Never call it on an event loop or selector thread; a server
 * runs it on an {@link java.util.concurrent.Executor}. Implementations in this module are thread-safe.
 *
 * <pre>{@code
 * DigitalOutput relay = hal.output("relay");
 * relay.high();
 * relay.set(false);
 * }</pre>
 */
public interface DigitalOutput {

    /**
     * Drives the pin to a level. Setting the level the pin already has is not a transition: nothing is recorded
     * and no listener is called.
     *
     * @param high {@code true} for HIGH, {@code false} for LOW
     * @throws HalException {@code IO} when the driver fails, {@code UNAVAILABLE} after the HAL was closed
     */
    void set(boolean high);

    /**
     * Drives the pin HIGH; same as {@code set(true)}.
     *
     * @throws HalException as {@link #set(boolean)}
     */
    default void high() {
        set(true);
    }

    /**
     * Drives the pin LOW; same as {@code set(false)}.
     *
     * @throws HalException as {@link #set(boolean)}
     */
    default void low() {
        set(false);
    }
}
