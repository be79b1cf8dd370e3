package io.wirefly.hal.internal;

import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalException;
import io.wirefly.hal.PinConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A HAL's pins by name and mode, with the error messages for a wrong name, and the close sequence that applies
 * shutdown states in declaration order and reports every failure.
 *
 * <pre>{@code
 * PinTable<MyOutput, MyInput> pins = new PinTable<>(config, open, MyOutput::new, MyInput::new, pin -> { });
 * MyOutput led = pins.output("led");                        // HalException(CONFIG) for an unknown name
 * pins.closeAll(MyOutput::applyShutdown, input -> { });
 * }</pre>
 *
 * @param <O> the provider's output type
 * @param <I> the provider's input type
 */
public final class PinTable<O, I> {

    private final OpenState open;
    private final Map<String, O> outputs;
    private final Map<String, I> inputs;

    /**
     * Creates every pin of the config, in declaration order. If a factory throws, the pins already created are passed
     * to {@code release} (in reverse order) before the exception propagates.
     *
     * @param config the pins
     * @param open the HAL's open state, for the "closed" check
     * @param newOutput creates an output
     * @param newInput creates an input
     * @param release undoes a created pin when a later one fails (its argument is an output or an input)
     */
    public PinTable(HalConfig config, OpenState open, Function<PinConfig, O> newOutput,
                    Function<PinConfig, I> newInput, Consumer<Object> release) {
        this.open = open;
        Map<String, O> outs = new LinkedHashMap<>();
        Map<String, I> ins = new LinkedHashMap<>();
        List<Object> created = new ArrayList<>();
        try {
            for (PinConfig pin : config.pins()) {
                if (pin.mode() == PinConfig.Mode.OUTPUT) {
                    O o = newOutput.apply(pin);
                    outs.put(pin.name(), o);
                    created.add(o);
                } else {
                    I i = newInput.apply(pin);
                    ins.put(pin.name(), i);
                    created.add(i);
                }
            }
        } catch (RuntimeException | Error e) {
            Collections.reverse(created);
            for (Object pin : created) {
                try {
                    release.accept(pin);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        this.outputs = Collections.unmodifiableMap(outs);
        this.inputs = Collections.unmodifiableMap(ins);
    }

    /**
     * An output by name.
     *
     * @param name the pin's name
     * @return the output
     * @throws HalException {@code UNAVAILABLE} once closed, {@code CONFIG} when there is no output of that name
     */
    public O output(String name) {
        open.check(name);
        O o = outputs.get(name);
        if (o == null) {
            throw missing(name, "output", inputs.containsKey(name) ? "input" : null, outputs);
        }
        return o;
    }

    /**
     * An input by name.
     *
     * @param name the pin's name
     * @return the input
     * @throws HalException {@code UNAVAILABLE} once closed, {@code CONFIG} when there is no input of that name
     */
    public I input(String name) {
        open.check(name);
        I i = inputs.get(name);
        if (i == null) {
            throw missing(name, "input", outputs.containsKey(name) ? "output" : null, inputs);
        }
        return i;
    }

    /**
     * The outputs in declaration order.
     *
     * @return an unmodifiable map
     */
    public Map<String, O> outputs() {
        return outputs;
    }

    /**
     * The inputs in declaration order.
     *
     * @return an unmodifiable map
     */
    public Map<String, I> inputs() {
        return inputs;
    }

    /**
     * Applies each step to each pin (outputs first, in declaration order, then inputs), going on after a failure.
     *
     * @param outputStep e.g. drive to the shutdown state, then release
     * @param inputStep e.g. release
     * @throws HalException the first failure, with the later ones suppressed; a non-HAL exception is wrapped as
     *     {@code IO}
     */
    public void closeAll(Consumer<O> outputStep, Consumer<I> inputStep) {
        RuntimeException first = null;
        for (Map.Entry<String, O> e : outputs.entrySet()) {
            first = attempt(first, e.getKey(), () -> outputStep.accept(e.getValue()));
        }
        for (Map.Entry<String, I> e : inputs.entrySet()) {
            first = attempt(first, e.getKey(), () -> inputStep.accept(e.getValue()));
        }
        if (first != null) {
            throw first;
        }
    }

    private static RuntimeException attempt(RuntimeException first, String pin, Runnable step) {
        try {
            step.run();
            return first;
        } catch (RuntimeException e) {
            RuntimeException failure = e instanceof HalException ? e
                    : new HalException(pin, HalException.Kind.IO, "closing failed: " + e, e);
            if (first == null) {
                return failure;
            }
            first.addSuppressed(failure);
            return first;
        }
    }

    private static HalException missing(String name, String wanted, String actual, Map<String, ?> known) {
        String detail = actual != null
                ? "is configured as an " + actual + ", not an " + wanted
                : "no " + wanted + " of that name; " + wanted + "s: " + known.keySet();
        return new HalException(name, HalException.Kind.CONFIG, detail);
    }
}
