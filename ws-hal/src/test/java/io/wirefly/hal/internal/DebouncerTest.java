package io.wirefly.hal.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.HalConfig;
import io.wirefly.hal.PinConfig;
import io.wirefly.hal.PinEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DebouncerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private Instant now = T0;
    private final List<Runnable> scheduled = new ArrayList<>();
    private final List<Duration> delays = new ArrayList<>();
    private final Timer timer = Timer.of(() -> now, (delay, task) -> {
        delays.add(delay);
        scheduled.add(task);
    });
    private final Notifier notifier = new Notifier();
    private final OpenState open = new OpenState("test");
    private final List<PinEvent> events = new ArrayList<>();

    private Debouncer debouncer(boolean activeLow, Duration debounce, boolean initial) {
        PinConfig pin = HalConfig.builder().input("in", 4, p -> p.activeLow(activeLow).debounce(debounce)).build()
                .pin("in").orElseThrow();
        Debouncer d = new Debouncer(pin, initial, timer, notifier, open);
        d.onChange(events::add);
        return d;
    }

    private void edge(Debouncer d, boolean high) {
        d.edge(high);
        notifier.drain();
    }

    private void runScheduled() {
        List<Runnable> due = new ArrayList<>(scheduled);
        scheduled.clear();
        due.forEach(Runnable::run);
    }

    @Test
    void zeroDebounceReportsEveryChangeAtOnceWithoutTimers() {
        Debouncer d = debouncer(false, Duration.ZERO, false);
        edge(d, true);
        edge(d, true);
        now = T0.plusMillis(1);
        edge(d, false);
        assertEquals(List.of(new PinEvent("in", true, true, T0), new PinEvent("in", false, false, T0.plusMillis(1))),
                events);
        assertTrue(scheduled.isEmpty());
    }

    @Test
    void eachEdgeSchedulesOneCheckAfterTheDebounceTime() {
        Debouncer d = debouncer(false, Duration.ofMillis(25), false);
        edge(d, true);
        edge(d, false);
        assertEquals(List.of(Duration.ofMillis(25), Duration.ofMillis(25)), delays);
        assertTrue(d.raw() == false && d.reported() == false);
        runScheduled();
        assertEquals(List.of(), events, "back at the reported level: a glitch");
    }

    @Test
    void onlyTheCheckOfTheLastEdgeReports() {
        Debouncer d = debouncer(true, Duration.ofMillis(10), true);   // active-low, resting HIGH
        edge(d, false);
        now = T0.plusMillis(4);
        edge(d, true);
        now = T0.plusMillis(7);
        edge(d, false);
        assertTrue(d.reported(), "not reported yet");
        runScheduled();
        assertEquals(List.of(new PinEvent("in", false, true, T0.plusMillis(7))), events);
        assertFalse(d.reported());
    }

    @Test
    void checksAfterCloseReportNothing() {
        Debouncer d = debouncer(false, Duration.ofMillis(10), false);
        edge(d, true);
        open.close();
        runScheduled();
        assertEquals(List.of(), events);
    }
}
