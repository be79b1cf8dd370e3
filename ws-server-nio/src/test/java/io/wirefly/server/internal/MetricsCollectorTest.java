package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirefly.server.Metrics;
import io.wirefly.server.MetricsListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** The counters behind {@link Metrics}: what each event adds, by-code maps, snapshots, the listener. */
class MetricsCollectorTest {

    @Test
    void aNewCollectorIsAllZeroWithNoRoundTrip() {
        Metrics m = new MetricsCollector(null).snapshot();
        assertEquals(new Metrics(0, 0, Map.of(), 0, 0, 0, 0, Map.of(), Map.of(), 0, -1, 0, 0), m);
    }

    @Test
    void openConnectionsRiseOnOpenAndFallOnCloseWhileAcceptedOnlyRises() {
        MetricsCollector c = new MetricsCollector(null);
        c.opened(1);
        c.opened(1);
        c.opened(1);
        c.closed(1000);
        Metrics m = c.snapshot();
        assertEquals(2, m.openConnections());
        assertEquals(3, m.handshakesAccepted());
        c.closed(1001);
        c.closed(1006);
        m = c.snapshot();
        assertEquals(0, m.openConnections());
        assertEquals(3, m.handshakesAccepted());
    }

    @Test
    void heldConnectionsCountEachByItsWeightUntilReleased() {
        MetricsCollector c = new MetricsCollector(null);
        c.opened(1);
        c.opened(16);   // a connection that keeps 15 KiB of header fields
        assertEquals(2, c.openConnections());
        assertEquals(17, c.heldConnections());
        c.closed(1000);
        c.released(16);
        assertEquals(1, c.openConnections());
        assertEquals(1, c.heldConnections());
        c.closed(1000);
        c.released(1);
        assertEquals(0, c.heldConnections());
    }

    @Test
    void rejectionsAndCloseCodesAreCountedPerCode() {
        MetricsCollector c = new MetricsCollector(null);
        c.rejected(404);
        c.rejected(404);
        c.rejected(503);
        c.closeSent(1000);
        c.closeSent(1008);
        c.closeSent(1008);
        c.closeReceived(1001);
        c.closeReceived(1006);
        c.closeReceived(1006);
        c.closeReceived(1006);
        Metrics m = c.snapshot();
        assertEquals(Map.of(404, 2L, 503, 1L), m.handshakesRejected());
        assertEquals(Map.of(1000, 1L, 1008, 2L), m.closeCodesSent());
        assertEquals(Map.of(1001, 1L, 1006, 3L), m.closeCodesReceived());
        assertEquals(0, m.handshakesAccepted(), "a rejection is not an accepted handshake");
    }

    @Test
    void messagesBytesAndPausesAddUp() {
        MetricsCollector c = new MetricsCollector(null);
        c.messagesIn.add(3);
        c.messagesOut.increment();
        c.bytesIn.add(1_000);
        c.bytesIn.add(24);
        c.bytesOut.add(5_000_000_000L);   // beyond int range
        c.paused();
        c.paused();
        Metrics m = c.snapshot();
        assertEquals(3, m.messagesIn());
        assertEquals(1, m.messagesOut());
        assertEquals(1_024, m.bytesIn());
        assertEquals(5_000_000_000L, m.bytesOut());
        assertEquals(2, m.backpressurePauses());
    }

    @Test
    void theRoundTripIsTheLastOneAnswered() {
        MetricsCollector c = new MetricsCollector(null);
        c.pingRoundTrip(2_000_000);
        c.pingRoundTrip(500_000);
        assertEquals(500_000, c.snapshot().lastPingRoundTripNanos());
    }

    @Test
    void aSnapshotIsFrozenAndUnmodifiable() {
        MetricsCollector c = new MetricsCollector(null);
        c.rejected(400);
        c.opened(1);
        Metrics before = c.snapshot();
        c.rejected(400);
        c.rejected(403);
        c.opened(1);
        c.closeSent(1000);
        assertEquals(Map.of(400, 1L), before.handshakesRejected());
        assertEquals(1, before.openConnections());
        assertEquals(Map.of(), before.closeCodesSent());
        assertThrows(UnsupportedOperationException.class, () -> before.handshakesRejected().put(500, 1L));
        assertThrows(UnsupportedOperationException.class, () -> before.closeCodesReceived().clear());
    }

    @Test
    void theListenerHearsEachEventWithItsValue() {
        List<String> heard = new ArrayList<>();
        MetricsCollector c = new MetricsCollector(new MetricsListener() {
            @Override
            public void onOpen() {
                heard.add("open");
            }

            @Override
            public void onClose(int code) {
                heard.add("close " + code);
            }

            @Override
            public void onHandshakeRejected(int status) {
                heard.add("rejected " + status);
            }

            @Override
            public void onBackpressurePause() {
                heard.add("pause");
            }

            @Override
            public void onPingRoundTrip(long nanos) {
                heard.add("rtt " + nanos);
            }
        });
        c.opened(1);
        c.rejected(403);
        c.paused();
        c.pingRoundTrip(42);
        c.closed(1001);
        assertEquals(List.of("open", "rejected 403", "pause", "rtt 42", "close 1001"), heard);
    }

    @Test
    void countersAreExactUnderConcurrentUpdates() throws Exception {
        MetricsCollector c = new MetricsCollector(null);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        c.opened(1);
                        c.closed(1000);
                        c.rejected(404 + (i & 1));
                        c.closeReceived(1000);
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        Metrics m = c.snapshot();
        assertEquals(0, m.openConnections());
        assertEquals(40_000, m.handshakesAccepted());
        assertEquals(Map.of(404, 20_000L, 405, 20_000L), m.handshakesRejected());
        assertEquals(Map.of(1000, 40_000L), m.closeCodesReceived());
    }
}
