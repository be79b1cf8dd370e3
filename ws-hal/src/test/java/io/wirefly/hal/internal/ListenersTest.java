package io.wirefly.hal.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirefly.hal.PinEvent;
import io.wirefly.hal.PinListener;
import io.wirefly.hal.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ListenersTest {

    private static final PinEvent EVENT = new PinEvent("led", true, true, Instant.EPOCH);

    @Test
    void theSameListenerTwiceIsTwoSubscriptions() {
        Listeners listeners = new Listeners();
        List<String> seen = new ArrayList<>();
        PinListener l = e -> seen.add(e.pin());
        Subscription first = listeners.add(l);
        listeners.add(l);
        listeners.fire(EVENT);
        first.close();
        listeners.fire(EVENT);
        assertEquals(List.of("led", "led", "led"), seen);
        assertEquals(1, listeners.size());
    }

    @Test
    void aListenerMayUnsubscribeAnotherDuringDelivery() {
        Listeners listeners = new Listeners();
        List<String> seen = new ArrayList<>();
        Subscription[] second = new Subscription[1];
        listeners.add(e -> {
            seen.add("first");
            second[0].close();
        });
        second[0] = listeners.add(e -> seen.add("second"));
        listeners.fire(EVENT);
        listeners.fire(EVENT);
        assertEquals(List.of("first", "first"), seen, "a closed subscription is skipped at once");
    }

    @Test
    void nullIsRejected() {
        assertThrows(NullPointerException.class, () -> new Listeners().add(null));
    }
}
