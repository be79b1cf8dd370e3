package io.wirefly.hal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.HalConfig;
import io.wirefly.hal.PinEvent;
import io.wirefly.hal.Subscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SimulatedOutputTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualClock clock = new ManualClock(T0);

    private SimulatedHal hal(boolean activeLow, boolean initial) {
        return SimulatedHal.open(HalConfig.builder()
                .output("led", 17, p -> p.activeLow(activeLow).initial(initial)).build(), clock);
    }

    @Test
    void startsAtTheInitialLevelWithoutATransition() {
        try (SimulatedHal hal = hal(false, true)) {
            assertTrue(hal.output("led").isHigh());
            assertEquals(List.of(), hal.output("led").transitions());
        }
        try (SimulatedHal hal = hal(true, true)) {
            assertFalse(hal.output("led").isHigh(), "initially on + active-low = LOW");
        }
        try (SimulatedHal hal = hal(true, false)) {
            assertTrue(hal.output("led").isHigh(), "initially off + active-low = HIGH");
        }
    }

    @Test
    void recordsEachTransitionWithItsTimestamp() {
        try (SimulatedHal hal = hal(false, false)) {
            SimulatedOutput led = hal.output("led");
            led.high();
            clock.advance(Duration.ofMillis(5));
            led.high();                               // same level: no transition
            clock.advance(Duration.ofMillis(5));
            led.low();
            clock.advance(Duration.ofMillis(5));
            led.toggle();
            assertEquals(List.of(
                    new PinEvent("led", true, true, T0),
                    new PinEvent("led", false, false, T0.plusMillis(10)),
                    new PinEvent("led", true, true, T0.plusMillis(15))), led.transitions());
        }
    }

    @Test
    void activeInTheLogFollowsTheWiring() {
        try (SimulatedHal hal = hal(true, false)) {
            SimulatedOutput led = hal.output("led");
            led.low();
            assertEquals(List.of(new PinEvent("led", false, true, T0)), led.transitions());
        }
    }

    @Test
    void listenersGetEveryChangeInOrderUntilUnsubscribed() {
        try (SimulatedHal hal = hal(false, false)) {
            SimulatedOutput led = hal.output("led");
            List<Boolean> first = new ArrayList<>();
            List<Boolean> second = new ArrayList<>();
            Subscription s1 = led.onChange(e -> first.add(e.high()));
            led.onChange(e -> second.add(e.high()));
            led.onChange(e -> {
                throw new IllegalStateException("a broken listener does not stop the others");
            });
            led.toggle();
            led.toggle();
            s1.close();
            s1.close();
            led.toggle();
            assertEquals(List.of(true, false), first);
            assertEquals(List.of(true, false, true), second);
        }
    }

    @Test
    void aListenerThatSwitchesThePinDoesNotReorderEvents() {
        try (SimulatedHal hal = hal(false, false)) {
            SimulatedOutput led = hal.output("led");
            List<Boolean> a = new ArrayList<>();
            List<Boolean> b = new ArrayList<>();
            led.onChange(e -> {
                a.add(e.high());
                if (e.high()) {
                    led.low();                 // re-entrant: delivered after this round
                }
            });
            led.onChange(e -> b.add(e.high()));
            led.high();
            assertEquals(List.of(true, false), a);
            assertEquals(List.of(true, false), b, "every listener sees HIGH before LOW");
            assertFalse(led.level());
            assertEquals(List.of(true, false), led.transitions().stream().map(PinEvent::high).toList());
        }
    }

    @Test
    void thousandTogglesFromEightThreadsStayConsistentAndOrdered() throws Exception {
        int threads = 8;
        int perThread = 125;
        try (SimulatedHal hal = hal(false, false)) {
            SimulatedOutput led = hal.output("led");
            List<Boolean> delivered = Collections.synchronizedList(new ArrayList<>());
            led.onChange(e -> delivered.add(e.high()));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        start.await();
                        for (int i = 0; i < perThread; i++) {
                            led.toggle();
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            List<PinEvent> log = led.transitions();
            assertEquals(threads * perThread, log.size(), "no toggle lost");
            assertFalse(led.level(), "an even number of toggles ends where it started");
            boolean expected = true;
            for (PinEvent e : log) {
                assertEquals(expected, e.high(), "the log alternates");
                expected = !expected;
            }
            assertEquals(log.stream().map(PinEvent::high).toList(), delivered,
                    "listeners saw exactly the log, in order");
        }
    }

    @Test
    void concurrentSetsAlsoLogOnlyRealChanges() throws Exception {
        try (SimulatedHal hal = hal(false, false)) {
            SimulatedOutput led = hal.output("led");
            Thread[] threads = new Thread[8];
            for (int t = 0; t < threads.length; t++) {
                boolean level = t % 2 == 0;
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < 200; i++) {
                        led.set(level);
                    }
                });
                threads[t].start();
            }
            for (Thread t : threads) {
                t.join(30_000);
                assertFalse(t.isAlive());
            }
            List<PinEvent> log = led.transitions();
            for (int i = 1; i < log.size(); i++) {
                assertNotEquals(log.get(i - 1).high(), log.get(i).high(), "a transition is a change");
            }
            if (!log.isEmpty()) {
                assertEquals(led.level(), log.get(log.size() - 1).high(), "the last entry is the current level");
            }
        }
    }

    @Test
    void observationWorksAfterCloseAndSeesTheShutdownTransition() {
        SimulatedHal hal = SimulatedHal.open(HalConfig.builder()
                .output("led", 17, p -> p.initial(true).shutdown(false)).build(), clock);
        SimulatedOutput led = hal.output("led");
        List<PinEvent> seen = new ArrayList<>();
        led.onChange(seen::add);
        clock.advance(Duration.ofSeconds(1));
        hal.close();
        assertFalse(led.level());
        assertEquals(List.of(new PinEvent("led", false, false, T0.plusSeconds(1))), led.transitions());
        assertEquals(led.transitions(), seen);
        assertTrue(led.toString().contains("led BCM 17, LOW"), led.toString());
    }
}
