package io.wirefly.hal;

/**
 * Receives pin changes.
 *
 * <p><b>Which thread, which order:</b> a HAL delivers all its events one at a time, in the order the changes
 * happened (one sequence per HAL, across all its pins). The thread that made a change delivers it right after
 * the change, unless another thread is delivering at that moment; then that thread delivers it, in turn. So a
 * listener runs on a thread that called {@code set}/{@code toggle}, on the HAL's timer thread (debounced inputs),
 * or on the driver's event thread (Pi4J inputs). No pin lock is held during a call: a listener may switch pins;
 * the resulting events are delivered after it returns. Keep listeners short and hand slow work (network I/O) to
 * an executor, because they delay later events. A listener that throws is logged with {@link System.Logger} and
 * does not stop delivery to others.
 *
 * <pre>{@code
 * PinListener printer = e -> System.out.println(e.pin() + (e.active() ? " on" : " off"));
 * }</pre>
 */
@FunctionalInterface
public interface PinListener {

    /**
     * Called once per change.
     *
     * @param event the change; never null
     */
    void onChange(PinEvent event);
}
