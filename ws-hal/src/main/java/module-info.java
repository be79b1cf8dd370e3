/**
 * Wirefly's hardware abstraction: LEDs, digital outputs and inputs (buttons) by capability, with a simulated board
 * that always works and a Pi4J 2.8.0 implementation for the Raspberry Pi.
 *
 * <p>The API is the package {@code io.wirefly.hal}; {@code io.wirefly.hal.sim} is the simulated board that tests
 * and demo pages observe; {@code io.wirefly.hal.pi4j} is the only code that knows Pi4J. Pi4J is optional
 * ({@code requires static}): without it the simulated HAL works and asking for {@code "pi4j"} fails with a
 * {@link io.wirefly.hal.HalException} of kind {@code UNAVAILABLE}. Implementations are found with
 * {@link java.util.ServiceLoader}.
 *
 * <pre>{@code
 * HalConfig config = HalConfig.builder().output("led", 17).build();
 * try (Hal hal = Hal.open(config)) {
 *     hal.led("led").toggle();
 * }
 * }</pre>
 */
module io.wirefly.hal {
    // Optional: present on a Raspberry Pi, absent on a laptop. The pi4j package's public Pi4jHal.open(config,
    // context) takes a Pi4J Context, hence transitive. Plugins (gpiod, raspberrypi, mock) are found by Pi4J's
    // own ServiceLoader, so this module never names them.
    requires static transitive com.pi4j;

    exports io.wirefly.hal;
    exports io.wirefly.hal.sim;
    exports io.wirefly.hal.pi4j;

    uses io.wirefly.hal.HalProvider;

    provides io.wirefly.hal.HalProvider with
            io.wirefly.hal.sim.SimulatedHalProvider,
            io.wirefly.hal.pi4j.Pi4jHalProvider;
}
