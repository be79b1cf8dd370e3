package io.wirefly.hal;

import io.wirefly.hal.internal.Providers;
import java.util.List;

/**
 * An open board: the configured pins, by name and capability. {@link #close()} drives every output to its
 * shutdown state and releases the pins.
 *
 * <p>The same program runs against a simulated board on a laptop and against real pins on a Raspberry Pi; only the
 * provider name in the config changes. Implementations are thread-safe. GPIO calls may block (see
 * {@link DigitalOutput}): a server runs them on an executor, never on an event loop.
 *
 * <pre>{@code
 * HalConfig config = HalConfig.builder().provider("pi4j").output("led", 17).build();
 * try (Hal hal = Hal.open(config)) {
 *     Led led = hal.led("led");
 *     for (int i = 0; i < 10; i++) {
 *         led.toggle();
 *         Thread.sleep(500);
 *     }
 * }   // the LED ends in its shutdown state: off
 * }</pre>
 */
public interface Hal extends AutoCloseable {

    /**
     * Opens a HAL with the provider named in the config, found with {@link java.util.ServiceLoader}.
     *
     * @param config the validated pins and the provider's name
     * @return an open HAL; the caller closes it
     * @throws HalException {@code UNAVAILABLE} when no provider has that name or it is not available here (the
     *     message carries the provider's reason, for example that Pi4J is not on the class path), or the provider's
     *     errors while claiming pins
     */
    static Hal open(HalConfig config) {
        HalProvider provider = Providers.find(config.provider());
        if (!provider.isAvailable()) {
            throw new HalException("", HalException.Kind.UNAVAILABLE,
                    "HAL provider '" + provider.name() + "' is unavailable: " + provider.unavailableReason());
        }
        return provider.open(config);
    }

    /**
     * Opens the config's pins on the simulated board, whatever provider the config names.
     *
     * @param config the validated pins
     * @return an open {@link io.wirefly.hal.sim.SimulatedHal}, typed as {@code Hal}; the caller closes it
     */
    static Hal simulated(HalConfig config) {
        return open(config.withProvider(HalConfig.DEFAULT_PROVIDER));
    }

    /**
     * The providers {@link java.util.ServiceLoader} finds, available or not, each name once.
     *
     * @return the providers, {@code "simulated"} always among them
     */
    static List<HalProvider> providers() {
        return Providers.all();
    }

    /**
     * The name of the provider that opened this HAL.
     *
     * @return for example {@code "simulated"}
     */
    String provider();

    /**
     * The config this HAL was opened with.
     *
     * @return the config
     */
    HalConfig config();

    /**
     * An output pin by name.
     *
     * @param name a pin configured with {@link HalConfig.Builder#output(String, int)}
     * @return the output; the same object for every call
     * @throws HalException {@code CONFIG} when there is no output of that name; {@code UNAVAILABLE} once closed
     */
    StatefulOutput output(String name);

    /**
     * An input pin by name.
     *
     * @param name a pin configured with {@link HalConfig.Builder#input(String, int)}
     * @return the input; the same object for every call
     * @throws HalException {@code CONFIG} when there is no input of that name; {@code UNAVAILABLE} once closed
     */
    DigitalInput input(String name);

    /**
     * An LED on an output pin, with the pin's configured wiring ({@link PinConfig#activeLow()}).
     *
     * @param name a pin configured as an output
     * @return the LED
     * @throws HalException as {@link #output(String)}
     */
    default Led led(String name) {
        return Led.of(output(name), config().pin(name).map(PinConfig::activeLow).orElse(false));
    }

    /**
     * Drives every output to its shutdown state, in declaration order, then releases the pins and stops the HAL's
     * threads. Idempotent. Later calls on the HAL or its pins throw {@code HalException(UNAVAILABLE)}. Pending
     * debounced input changes are dropped.
     *
     * @throws HalException when an output could not be driven to its shutdown state; the other outputs were still
     *     attempted, and their failures are suppressed exceptions of the one thrown
     */
    @Override
    void close();
}
