package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A snapshot owns immutable copies of its maps; the constructor from before evictions were counted still works. */
class MetricsTest {

    @Test
    void theMapsAreCopiedAndUnmodifiable() {
        Map<Integer, Long> rejected = new HashMap<>(Map.of(404, 1L));
        Map<Integer, Long> sent = new HashMap<>(Map.of(1000, 2L));
        Map<Integer, Long> received = new HashMap<>(Map.of(1006, 3L));
        Metrics m = new Metrics(1, 2, rejected, 3, 4, 5, 6, sent, received, 7, -1, 0, 0);
        rejected.put(503, 1L);
        sent.clear();
        received.put(1000, 1L);
        assertEquals(Map.of(404, 1L), m.handshakesRejected());
        assertEquals(Map.of(1000, 2L), m.closeCodesSent());
        assertEquals(Map.of(1006, 3L), m.closeCodesReceived());
        assertThrows(UnsupportedOperationException.class, () -> m.closeCodesSent().put(1001, 1L));
        assertEquals(2L, m.closeCodesSent().getOrDefault(1000, 0L));
        assertEquals(0L, m.closeCodesSent().getOrDefault(1009, 0L));
    }

    @Test
    void theOlderConstructorReadsNoEvictions() {
        Metrics m = new Metrics(1, 2, Map.of(), 3, 4, 5, 6, Map.of(1000, 2L), Map.of(), 7, 8, 9);
        assertEquals(0L, m.handshakesEvicted());
        assertEquals(9L, m.acceptFailures());
        assertEquals(8L, m.lastPingRoundTripNanos());
        assertEquals(new Metrics(1, 2, Map.of(), 3, 4, 5, 6, Map.of(1000, 2L), Map.of(), 7, 8, 9, 0), m);
    }
}
