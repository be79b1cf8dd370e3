package io.wirefly.hal.pi4j;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import io.wirefly.hal.Hal;
import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalException;
import io.wirefly.hal.PinConfig;
import io.wirefly.hal.StatefulOutput;
import io.wirefly.hal.internal.Notifier;
import io.wirefly.hal.internal.OpenState;
import io.wirefly.hal.internal.PinTable;
import io.wirefly.hal.internal.Timer;
import java.util.List;
import java.util.Objects;

/**
 * A HAL on real pins through a Pi4J 2.8.0 {@link Context}. Loaded only when Pi4J is present.
 *
 * <p>Each pin becomes a Pi4J I/O whose id is the pin's name. The Pi4J provider is chosen from the context, first
 * found of {@code gpiod}, {@code linuxfs}, {@code pigpio}, {@code mock} (for example {@code gpiod-digital-output});
 * Pi4J's default Raspberry Pi providers are never used because in 2.8.0 they do not touch the hardware. Pi4J's own
 * debounce is off: inputs are debounced by this HAL, on one daemon timer thread started by the first debounced edge.
 *
 * <p>Calls block in the kernel or the native gpiod library for microseconds to milliseconds: run them on an
 * executor, never on an event loop. Thread-safe.
 *
 * <p>{@link Hal#open(HalConfig)} with provider {@code "pi4j"} creates its own auto-detected context and shuts it
 * down on {@link #close()}. {@link #open(HalConfig, Context)} uses a context the caller built (another plugin, the
 * mock plugin in tests) and leaves it running: {@code close()} only drives the shutdown states and releases this
 * HAL's I/Os from it.
 *
 * <pre>{@code
 * Context pi4j = Pi4J.newAutoContext();
 * try (Hal hal = Pi4jHal.open(HalConfig.builder().output("led", 17).build(), pi4j)) {
 *     hal.led("led").on();
 * } finally {
 *     pi4j.shutdown();
 * }
 * }</pre>
 */
public final class Pi4jHal implements Hal {

    private static final String TIMER_THREAD = "wirefly-hal-pi4j-timer";
    private static final List<String> PLUGINS = List.of("gpiod", "linuxfs", "pigpio", "mock");

    private final HalConfig config;
    private final Context context;
    private final boolean ownsContext;
    private final OpenState open = new OpenState(Pi4jHalProvider.NAME);
    private final Timer timer;
    private final Notifier notifier = new Notifier();
    private final PinTable<Pi4jOutput, Pi4jInput> pins;

    private Pi4jHal(HalConfig config, Context context, boolean ownsContext, Timer timer) {
        this.config = config;
        this.context = context;
        this.ownsContext = ownsContext;
        this.timer = timer;
        String outputProvider = needs(PinConfig.Mode.OUTPUT) ? provider("digital-output") : null;
        String inputProvider = needs(PinConfig.Mode.INPUT) ? provider("digital-input") : null;
        this.pins = new PinTable<>(config, open,
                pin -> Pi4jOutput.create(context, outputProvider, pin, open, timer, notifier),
                pin -> Pi4jInput.create(context, inputProvider, pin, open, timer, notifier),
                pin -> {
                    if (pin instanceof Pi4jOutput o) {
                        o.release(context);
                    } else if (pin instanceof Pi4jInput i) {
                        i.release(context);
                    }
                });
    }

    /**
     * Opens the config's pins in a Pi4J context the caller built and keeps owning.
     *
     * @param config the pins; the provider name in it is not checked
     * @param context a running Pi4J context with a digital I/O provider (gpiod, linuxfs, pigpio or mock)
     * @return the open HAL; closing it releases its I/Os but leaves the context running
     * @throws HalException {@code UNAVAILABLE} when the context has no suitable provider, {@code BUSY} when a pin or
     *     an I/O id is taken, {@code IO} or {@code CONFIG} when Pi4J rejects a pin
     */
    public static Pi4jHal open(HalConfig config, Context context) {
        return open(config, context, Timer.system(TIMER_THREAD));
    }

    /** As {@link #open(HalConfig, Context)} with another timer (tests drive debounce with virtual time). */
    static Pi4jHal open(HalConfig config, Context context, Timer timer) {
        return new Pi4jHal(Objects.requireNonNull(config, "config"), Objects.requireNonNull(context, "context"),
                false, timer);
    }

    /** Opens with an auto-detected context that this HAL owns; only after the provider found Pi4J and a board. */
    static Pi4jHal openAuto(HalConfig config) {
        Context context;
        try {
            context = Pi4J.newAutoContext();
        } catch (RuntimeException | LinkageError e) {
            throw Pi4jErrors.map("", "starting Pi4J", e);
        }
        try {
            return new Pi4jHal(config, context, true, Timer.system(TIMER_THREAD));
        } catch (RuntimeException e) {
            try {
                context.shutdown();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private boolean needs(PinConfig.Mode mode) {
        return config.pins().stream().anyMatch(p -> p.mode() == mode);
    }

    private String provider(String type) {
        for (String plugin : PLUGINS) {
            String id = plugin + "-" + type;
            if (context.hasProvider(id)) {
                return id;
            }
        }
        throw new HalException("", HalException.Kind.UNAVAILABLE, "the Pi4J context has no " + type
                + " provider that drives pins (looked for " + String.join(", ", PLUGINS.stream()
                .map(p -> p + "-" + type).toList()) + "); " + Pi4jHalProvider.ADD_ARTIFACTS);
    }

    @Override
    public String provider() {
        return Pi4jHalProvider.NAME;
    }

    @Override
    public HalConfig config() {
        return config;
    }

    @Override
    public StatefulOutput output(String name) {
        return pins.output(name);
    }

    @Override
    public io.wirefly.hal.DigitalInput input(String name) {
        return pins.input(name);
    }

    @Override
    public void close() {
        if (!open.close()) {
            return;
        }
        try {
            pins.closeAll(o -> o.shutdown(context), i -> i.release(context));
        } finally {
            timer.close();
            if (ownsContext) {
                try {
                    context.shutdown();
                } catch (RuntimeException e) {
                    // Outputs already are in their shutdown states; Pi4J's own shutdown failing is only logged.
                    System.getLogger(Pi4jHal.class.getName()).log(System.Logger.Level.WARNING,
                            "Pi4J context shutdown failed", e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Pi4jHal[" + pins.outputs().values() + ", " + pins.inputs().values() + "]";
    }
}
