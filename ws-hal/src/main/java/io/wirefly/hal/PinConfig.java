package io.wirefly.hal;

import java.time.Duration;
import java.util.Objects;

/**
 * One named pin of a {@link HalConfig}, validated when the config is built.
 *
 * <p>States are logical: {@code initial} and {@code shutdown} say whether the output is <em>active</em> (an LED lit)
 * when the HAL opens and after it closes; the electrical level is that state inverted when {@code activeLow}.
 * For inputs, {@code activeLow} decides {@link PinEvent#active()} and {@link DigitalInput#isActive()}.
 *
 * <pre>{@code
 * HalConfig config = HalConfig.builder()
 *         .output("led", 17, pin -> pin.activeLow(true).initial(false).shutdown(false))
 *         .input("button", 27, pin -> pin.pull(Pull.UP).activeLow(true).debounce(Duration.ofMillis(20)))
 *         .build();
 * PinConfig led = config.pin("led").orElseThrow();   // led.bcmPin() == 17
 * }</pre>
 *
 * @param name the pin's name, unique in its config; how the program refers to it
 * @param mode output or input
 * @param bcmPin the Broadcom GPIO number (0..27 on the 40-pin header), not the physical pin number
 * @param activeLow whether the pin is active while LOW
 * @param initial outputs: whether the output is active when the HAL opens (default off); false for inputs
 * @param shutdown outputs: whether the output is active after the HAL closes (default off); false for inputs
 * @param debounce inputs: how long a level must stay the same before it is reported (default zero); zero for
 *     outputs
 * @param pull inputs: the bias resistor (default {@link Pull#NONE}); {@code NONE} for outputs
 */
public record PinConfig(String name, Mode mode, int bcmPin, boolean activeLow, boolean initial, boolean shutdown,
                        Duration debounce, Pull pull) {

    /** The lowest BCM GPIO number on the Raspberry Pi's 40-pin header. */
    public static final int MIN_BCM_PIN = 0;
    /** The highest BCM GPIO number on the Raspberry Pi's 40-pin header. */
    public static final int MAX_BCM_PIN = 27;
    /** The longest debounce time accepted; longer is almost surely a unit mistake. */
    public static final Duration MAX_DEBOUNCE = Duration.ofSeconds(10);

    /** Whether the pin is driven or read. */
    public enum Mode {
        /** A {@link StatefulOutput} (and an {@link Led}). */
        OUTPUT,
        /** A {@link DigitalInput}. */
        INPUT
    }

    /**
     * Checks what a record cannot hold; the full validation, with messages naming the pin and the value, happens in
     * {@link HalConfig.Builder#build()}.
     *
     * @param name the pin's name, not null
     * @param mode output or input, not null
     * @param bcmPin the BCM GPIO number
     * @param activeLow whether the pin is active while LOW
     * @param initial whether an output starts active
     * @param shutdown whether an output ends active
     * @param debounce the debounce time, not null
     * @param pull the bias resistor, not null
     */
    public PinConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(debounce, "debounce");
        Objects.requireNonNull(pull, "pull");
    }

    /**
     * The electrical level for a logical state of this pin.
     *
     * @param active the logical state
     * @return {@code true} (HIGH) when {@code active != activeLow}
     */
    public boolean levelFor(boolean active) {
        return active != activeLow;
    }

    /**
     * The settings of one pin, given to the customiser in {@link HalConfig.Builder#output(String, int,
     * java.util.function.Consumer)} and {@link HalConfig.Builder#input(String, int, java.util.function.Consumer)}.
     * Settings that do not apply to the pin's mode are rejected at {@code build()}.
     *
     * <pre>{@code
     * builder.input("button", 27, pin -> pin.pull(Pull.UP).activeLow(true).debounce(Duration.ofMillis(20)));
     * }</pre>
     */
    public static final class Builder {
        final String name;
        final Mode mode;
        final int bcmPin;
        boolean activeLow;
        Boolean initial;
        Boolean shutdown;
        Duration debounce;
        Pull pull;

        Builder(String name, Mode mode, int bcmPin) {
            this.name = name;
            this.mode = mode;
            this.bcmPin = bcmPin;
        }

        /**
         * Declares the wiring.
         *
         * @param activeLow {@code true} when the pin is active while LOW (an LED between 3V3 and the pin, a button
         *     to GND with a pull-up); default {@code false}
         * @return this builder
         */
        public Builder activeLow(boolean activeLow) {
            this.activeLow = activeLow;
            return this;
        }

        /**
         * Outputs only: the logical state when the HAL opens.
         *
         * @param active {@code true} to start active (LED lit); default {@code false}
         * @return this builder
         */
        public Builder initial(boolean active) {
            this.initial = active;
            return this;
        }

        /**
         * Outputs only: the logical state {@link Hal#close()} leaves the output in.
         *
         * @param active {@code true} to leave it active; default {@code false} (off is the safe choice)
         * @return this builder
         */
        public Builder shutdown(boolean active) {
            this.shutdown = active;
            return this;
        }

        /**
         * Inputs only: how long a new level must be stable before listeners hear of it.
         *
         * @param debounce from zero (every edge is reported) to {@link #MAX_DEBOUNCE}; default zero; typical for a
         *     push button: 10 to 50 ms
         * @return this builder
         */
        public Builder debounce(Duration debounce) {
            this.debounce = debounce;
            return this;
        }

        /**
         * Inputs only: the internal bias resistor.
         *
         * @param pull the resistor; default {@link Pull#NONE}
         * @return this builder
         */
        public Builder pull(Pull pull) {
            this.pull = pull;
            return this;
        }
    }
}
