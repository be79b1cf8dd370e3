package io.wirefly.hal.internal;

import io.wirefly.hal.PinEvent;
import io.wirefly.hal.PinListener;
import io.wirefly.hal.Subscription;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The listeners of one pin. Adding and removing is thread-safe and never blocks a delivery; a listener that throws
 * is logged and the others are still called.
 *
 * <pre>{@code
 * Listeners listeners = new Listeners();
 * Subscription s = listeners.add(e -> System.out.println(e));
 * notifier.enqueue(() -> listeners.fire(event));   // under the pin's lock, then notifier.drain()
 * s.close();
 * }</pre>
 */
public final class Listeners {

    private static final System.Logger LOG = System.getLogger(Listeners.class.getName());

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /** One registration; identity-based, so the same listener may be added twice and removed once. */
    private final class Entry implements Subscription {
        final PinListener listener;
        volatile boolean closed;

        Entry(PinListener listener) {
            this.listener = listener;
        }

        @Override
        public void close() {
            closed = true;
            entries.remove(this);
        }
    }

    /**
     * Registers a listener.
     *
     * @param listener not null
     * @return closing it removes the listener
     */
    public Subscription add(PinListener listener) {
        Entry e = new Entry(Objects.requireNonNull(listener, "listener"));
        entries.add(e);
        return e;
    }

    /**
     * Calls every current listener with the event, in registration order.
     *
     * @param event the change
     */
    public void fire(PinEvent event) {
        for (Entry e : entries) {
            if (e.closed) {
                continue;
            }
            try {
                e.listener.onChange(event);
            } catch (RuntimeException ex) {
                LOG.log(System.Logger.Level.WARNING, "listener of pin '" + event.pin() + "' failed", ex);
            }
        }
    }

    /**
     * How many listeners are registered.
     *
     * @return the count
     */
    public int size() {
        return entries.size();
    }
}
