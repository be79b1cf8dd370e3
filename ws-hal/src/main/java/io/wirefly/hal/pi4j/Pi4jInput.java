package io.wirefly.hal.pi4j;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import io.wirefly.hal.PinConfig;
import io.wirefly.hal.PinListener;
import io.wirefly.hal.Subscription;
import io.wirefly.hal.internal.Debouncer;
import io.wirefly.hal.internal.Notifier;
import io.wirefly.hal.internal.OpenState;
import io.wirefly.hal.internal.Timer;

/**
 * An input pin read through a Pi4J {@link DigitalInput}. Pi4J's own debounce is switched off; edges from Pi4J's event
 * thread go through the same {@link Debouncer} as on the simulated board, so both behave alike.
 */
final class Pi4jInput implements io.wirefly.hal.DigitalInput {

    private final PinConfig config;
    private final OpenState open;
    private final Notifier notifier;
    private final DigitalInput pin;
    private final Debouncer debouncer;
    private final DigitalStateChangeListener edges;

    private Pi4jInput(PinConfig config, OpenState open, Timer timer, Notifier notifier, DigitalInput pin) {
        this.config = config;
        this.open = open;
        this.notifier = notifier;
        this.pin = pin;
        this.debouncer = new Debouncer(config, pin.state() == DigitalState.HIGH, timer, notifier, open);
        this.edges = e -> {
            if (e.state() != DigitalState.UNKNOWN) {
                debouncer.edge(e.state() == DigitalState.HIGH);
                notifier.drain();
            }
        };
    }

    /** Creates the Pi4J input (id = the pin's name) with the pin's pull resistor and no Pi4J debounce. */
    static Pi4jInput create(Context context, String providerId, PinConfig config, OpenState open, Timer timer,
                            Notifier notifier) {
        try {
            DigitalInput pin = context.create(DigitalInput.newConfigBuilder(context)
                    .id(config.name())
                    .name(config.name())
                    .address(config.bcmPin())
                    .pull(pull(config))
                    .debounce(0L)
                    .provider(providerId)
                    .build());
            Pi4jInput input = new Pi4jInput(config, open, timer, notifier, pin);
            pin.addListener(input.edges);
            return input;
        } catch (RuntimeException | LinkageError e) {
            throw Pi4jErrors.map(config.name(), "creating input on BCM " + config.bcmPin() + " with " + providerId,
                    e);
        }
    }

    private static PullResistance pull(PinConfig config) {
        return switch (config.pull()) {
            case UP -> PullResistance.PULL_UP;
            case DOWN -> PullResistance.PULL_DOWN;
            case NONE -> PullResistance.OFF;
        };
    }

    @Override
    public boolean isHigh() {
        open.check(config.name());
        try {
            return pin.state() == DigitalState.HIGH;
        } catch (RuntimeException e) {
            throw Pi4jErrors.map(config.name(), "reading the input", e);
        }
    }

    @Override
    public boolean isActive() {
        return isHigh() == config.levelFor(true);
    }

    @Override
    public Subscription onChange(PinListener listener) {
        return debouncer.onChange(listener);
    }

    /** Stops listening and releases the I/O from the context; called once by {@link Pi4jHal#close()}. */
    void release(Context context) {
        try {
            pin.removeListener(edges);
            context.shutdown(config.name());
        } catch (RuntimeException e) {
            throw Pi4jErrors.map(config.name(), "releasing the Pi4J input", e);
        }
    }

    @Override
    public String toString() {
        return "Pi4jInput[" + config.name() + " BCM " + config.bcmPin() + "]";
    }
}
