package io.wirefly.hal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Which provider to use and the named pins of a board, validated by {@link Builder#build()}. Immutable.
 *
 * <p>Validation fails with {@link HalException} of kind {@code CONFIG} naming the pin and the value: a name that is
 * not a simple identifier, a duplicate name, a BCM pin outside 0..27, a BCM pin used twice, a negative or
 * too-long debounce, or a setting that does not apply to the pin's mode (debounce or pull on an output, an
 * initial or shutdown state on an input).
 *
 * <pre>{@code
 * HalConfig config = HalConfig.builder()
 *         .provider("pi4j")                                  // default: "simulated"
 *         .output("led", 17)                                 // active-high, starts off, ends off
 *         .input("button", 27, pin -> pin.pull(Pull.UP).activeLow(true).debounce(Duration.ofMillis(20)))
 *         .build();
 * }</pre>
 */
public final class HalConfig {

    /** The provider a config uses unless {@link Builder#provider(String)} says otherwise. */
    public static final String DEFAULT_PROVIDER = "simulated";

    private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]{0,63}");

    private final String provider;
    private final Map<String, PinConfig> pins;

    private HalConfig(String provider, Map<String, PinConfig> pins) {
        this.provider = provider;
        this.pins = pins;
    }

    /**
     * A new, empty builder.
     *
     * @return a builder with the provider {@value #DEFAULT_PROVIDER} and no pins
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The name of the {@link HalProvider} that {@link Hal#open(HalConfig)} uses.
     *
     * @return for example {@code "simulated"} or {@code "pi4j"}
     */
    public String provider() {
        return provider;
    }

    /**
     * The pins in the order they were declared; {@link Hal#close()} applies shutdown states in this order.
     *
     * @return an unmodifiable list
     */
    public List<PinConfig> pins() {
        return List.copyOf(pins.values());
    }

    /**
     * Looks a pin up by name.
     *
     * @param name the pin's name
     * @return the pin, or empty when the config has no pin of that name
     */
    public Optional<PinConfig> pin(String name) {
        return Optional.ofNullable(pins.get(name));
    }

    /**
     * The same pins with another provider.
     *
     * @param providerName the provider's name, not blank
     * @return a new config
     * @throws HalException {@code CONFIG} when the name is blank
     */
    public HalConfig withProvider(String providerName) {
        return new HalConfig(checkProvider(providerName), pins);
    }

    private static String checkProvider(String name) {
        if (name == null || name.isBlank()) {
            throw new HalException("", HalException.Kind.CONFIG, "provider must not be blank, was '" + name + "'");
        }
        return name;
    }

    /**
     * Configs are equal when they name the same provider and the same pins in the same order.
     *
     * @param other another object
     * @return whether it is an equal config
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof HalConfig c && provider.equals(c.provider) && pins().equals(c.pins());
    }

    @Override
    public int hashCode() {
        return 31 * provider.hashCode() + pins().hashCode();
    }

    @Override
    public String toString() {
        return "HalConfig[provider=" + provider + ", pins=" + pins.values() + "]";
    }

    /**
     * Collects pins; {@link #build()} validates them. Not thread-safe; reusable (each {@code build()} copies).
     *
     * <pre>{@code
     * HalConfig.Builder b = HalConfig.builder().output("red", 17).output("green", 27);
     * HalConfig config = b.build();
     * }</pre>
     */
    public static final class Builder {
        private String provider = DEFAULT_PROVIDER;
        private final List<PinConfig.Builder> pins = new ArrayList<>();

        private Builder() {
        }

        /**
         * Chooses the implementation {@link Hal#open(HalConfig)} looks up with {@link java.util.ServiceLoader}.
         *
         * @param name {@code "simulated"} (default), {@code "pi4j"}, or a third-party provider's name
         * @return this builder
         */
        public Builder provider(String name) {
            this.provider = name;
            return this;
        }

        /**
         * Adds an active-high output that starts off and ends off.
         *
         * @param name the pin's name: a letter, then letters, digits, {@code _ - .}, at most 64 characters
         * @param bcmPin the BCM GPIO number, 0..27
         * @return this builder
         */
        public Builder output(String name, int bcmPin) {
            return output(name, bcmPin, pin -> { });
        }

        /**
         * Adds an output with settings.
         *
         * @param name the pin's name
         * @param bcmPin the BCM GPIO number, 0..27
         * @param settings sets {@code activeLow}, {@code initial}, {@code shutdown} on the pin's builder
         * @return this builder
         */
        public Builder output(String name, int bcmPin, Consumer<PinConfig.Builder> settings) {
            return add(name, PinConfig.Mode.OUTPUT, bcmPin, settings);
        }

        /**
         * Adds an active-high input without pull resistor or debounce.
         *
         * @param name the pin's name
         * @param bcmPin the BCM GPIO number, 0..27
         * @return this builder
         */
        public Builder input(String name, int bcmPin) {
            return input(name, bcmPin, pin -> { });
        }

        /**
         * Adds an input with settings.
         *
         * @param name the pin's name
         * @param bcmPin the BCM GPIO number, 0..27
         * @param settings sets {@code activeLow}, {@code pull}, {@code debounce} on the pin's builder
         * @return this builder
         */
        public Builder input(String name, int bcmPin, Consumer<PinConfig.Builder> settings) {
            return add(name, PinConfig.Mode.INPUT, bcmPin, settings);
        }

        private Builder add(String name, PinConfig.Mode mode, int bcmPin, Consumer<PinConfig.Builder> settings) {
            PinConfig.Builder pin = new PinConfig.Builder(name, mode, bcmPin);
            Objects.requireNonNull(settings, "settings").accept(pin);
            pins.add(pin);
            return this;
        }

        /**
         * Validates the pins and builds the config.
         *
         * @return an immutable config
         * @throws HalException {@code CONFIG}, naming the first offending pin and value
         */
        public HalConfig build() {
            String providerName = checkProvider(provider);
            Map<String, PinConfig> byName = new LinkedHashMap<>();
            Map<Integer, String> byBcm = new HashMap<>();
            for (PinConfig.Builder b : pins) {
                PinConfig pin = validate(b);
                if (byName.containsKey(pin.name())) {
                    throw config(pin.name(), "duplicate pin name '" + pin.name() + "'");
                }
                String other = byBcm.putIfAbsent(pin.bcmPin(), pin.name());
                if (other != null) {
                    throw config(pin.name(), "bcmPin " + pin.bcmPin() + " is already used by pin '" + other + "'");
                }
                byName.put(pin.name(), pin);
            }
            return new HalConfig(providerName, byName);
        }

        private static PinConfig validate(PinConfig.Builder b) {
            if (b.name == null || !NAME.matcher(b.name).matches()) {
                throw new HalException(b.name == null ? "" : b.name, HalException.Kind.CONFIG,
                        "pin name must be a letter followed by at most 63 letters, digits, '_', '-' or '.', was "
                                + (b.name == null ? "null" : "'" + b.name + "'"));
            }
            String name = b.name;
            if (b.bcmPin < PinConfig.MIN_BCM_PIN || b.bcmPin > PinConfig.MAX_BCM_PIN) {
                throw config(name, "bcmPin must be in " + PinConfig.MIN_BCM_PIN + ".." + PinConfig.MAX_BCM_PIN
                        + ", was " + b.bcmPin);
            }
            boolean input = b.mode == PinConfig.Mode.INPUT;
            if (input) {
                if (b.initial != null) {
                    throw config(name, "initial applies to outputs only, was " + b.initial);
                }
                if (b.shutdown != null) {
                    throw config(name, "shutdown applies to outputs only, was " + b.shutdown);
                }
            } else {
                if (b.debounce != null) {
                    throw config(name, "debounce applies to inputs only, was " + b.debounce);
                }
                if (b.pull != null) {
                    throw config(name, "pull applies to inputs only, was " + b.pull);
                }
            }
            Duration debounce = b.debounce == null ? Duration.ZERO : b.debounce;
            if (debounce.isNegative()) {
                throw config(name, "debounce must be >= 0, was " + debounce);
            }
            if (debounce.compareTo(PinConfig.MAX_DEBOUNCE) > 0) {
                throw config(name, "debounce must be <= " + PinConfig.MAX_DEBOUNCE + ", was " + debounce);
            }
            return new PinConfig(name, b.mode, b.bcmPin, b.activeLow, Boolean.TRUE.equals(b.initial),
                    Boolean.TRUE.equals(b.shutdown), debounce, b.pull == null ? Pull.NONE : b.pull);
        }

        private static HalException config(String pin, String detail) {
            return new HalException(pin, HalException.Kind.CONFIG, detail);
        }
    }
}
