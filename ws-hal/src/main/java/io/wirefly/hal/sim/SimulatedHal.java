package io.wirefly.hal.sim;

import io.wirefly.hal.Hal;
import io.wirefly.hal.HalConfig;
import io.wirefly.hal.PinConfig;
import io.wirefly.hal.internal.Debouncer;
import io.wirefly.hal.internal.Notifier;
import io.wirefly.hal.internal.OpenState;
import io.wirefly.hal.internal.PinTable;
import io.wirefly.hal.internal.Timer;
import java.util.Objects;

/**
 * A board that exists only in memory: the provider {@code "simulated"}, always available. Tests and demo pages
 * observe its outputs ({@link SimulatedOutput#transitions()}, listeners) and drive its inputs
 * ({@link SimulatedInput#press()}).
 *
 * <p>Time comes from the wall clock (debounce checks then run on one daemon thread, started only when an input with
 * a debounce changes), or from a {@link ManualClock} the test advances. Thread-safe; calls never block for long
 * (only on a pin's lock).
 *
 * <pre>{@code
 * HalConfig config = HalConfig.builder()
 *         .output("led", 17)
 *         .input("button", 27, pin -> pin.debounce(Duration.ofMillis(20)))
 *         .build();
 * ManualClock clock = new ManualClock();
 * try (SimulatedHal hal = SimulatedHal.open(config, clock)) {
 *     hal.input("button").onChange(e -> { if (e.active()) hal.led("led").toggle(); });
 *     hal.input("button").press();
 *     clock.advance(Duration.ofMillis(20));
 *     assert hal.output("led").level();
 * }
 * }</pre>
 */
public final class SimulatedHal implements Hal {

    /** The provider name. */
    public static final String NAME = "simulated";

    private final HalConfig config;
    private final OpenState open = new OpenState(NAME);
    private final Timer timer;
    private final Notifier notifier = new Notifier();
    private final PinTable<SimulatedOutput, SimulatedInput> pins;

    private SimulatedHal(HalConfig config, Timer timer) {
        this.config = Objects.requireNonNull(config, "config");
        this.timer = timer;
        this.pins = new PinTable<>(config, open,
                pin -> new SimulatedOutput(pin, open, timer, notifier),
                this::newInput,
                pin -> { });
    }

    private SimulatedInput newInput(PinConfig pin) {
        Debouncer debouncer = new Debouncer(pin, SimulatedInput.restingLevel(pin), timer, notifier, open);
        return new SimulatedInput(pin, open, debouncer, notifier);
    }

    /**
     * Opens the config's pins on a simulated board that runs on wall-clock time. The provider named in the config is
     * ignored.
     *
     * @param config the pins
     * @return the open HAL; outputs are at their initial states, inputs released
     */
    public static SimulatedHal open(HalConfig config) {
        return new SimulatedHal(config, Timer.system("wirefly-hal-simulated-timer"));
    }

    /**
     * Opens the config's pins on a simulated board that runs on virtual time.
     *
     * @param config the pins
     * @param clock timestamps and debounce deadlines; advance it to let debounced changes through
     * @return the open HAL
     */
    public static SimulatedHal open(HalConfig config, ManualClock clock) {
        Objects.requireNonNull(clock, "clock");
        return new SimulatedHal(config, Timer.of(clock::now, clock::schedule));
    }

    @Override
    public String provider() {
        return NAME;
    }

    @Override
    public HalConfig config() {
        return config;
    }

    @Override
    public SimulatedOutput output(String name) {
        return pins.output(name);
    }

    @Override
    public SimulatedInput input(String name) {
        return pins.input(name);
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return open.isClosed();
    }

    @Override
    public void close() {
        if (!open.close()) {
            return;
        }
        try {
            pins.closeAll(SimulatedOutput::applyShutdown, input -> { });
        } finally {
            timer.close();
        }
    }

    @Override
    public String toString() {
        return "SimulatedHal[" + pins.outputs().values() + ", " + pins.inputs().values() + "]";
    }
}
