package io.wirefly.hal.sim;

import io.wirefly.hal.Hal;
import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalProvider;

/**
 * The {@link HalProvider} named {@code "simulated"}: always available, opens a {@link SimulatedHal} on wall-clock
 * time. Registered for {@link java.util.ServiceLoader}; applications use {@link Hal#open(HalConfig)} or
 * {@link SimulatedHal#open(HalConfig)} rather than this class.
 *
 * <pre>{@code
 * Hal hal = new SimulatedHalProvider().open(HalConfig.builder().output("led", 17).build());
 * }</pre>
 */
public final class SimulatedHalProvider implements HalProvider {

    /** Called by {@link java.util.ServiceLoader}. */
    public SimulatedHalProvider() {
    }

    @Override
    public String name() {
        return SimulatedHal.NAME;
    }

    @Override
    public String unavailableReason() {
        return "";
    }

    @Override
    public Hal open(HalConfig config) {
        return SimulatedHal.open(config);
    }
}
