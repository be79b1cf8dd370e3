package io.wirefly.hal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalException;
import io.wirefly.hal.PinEvent;
import io.wirefly.hal.Pull;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulatedInputTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final List<PinEvent> events = new ArrayList<>();

    private SimulatedInput button(SimulatedHal hal) {
        SimulatedInput button = hal.input("button");
        button.onChange(events::add);
        return button;
    }

    private SimulatedHal hal(boolean activeLow, Duration debounce) {
        return SimulatedHal.open(HalConfig.builder()
                .input("button", 27, p -> p.activeLow(activeLow).pull(Pull.UP).debounce(debounce)).build(), clock);
    }

    @Test
    void withoutDebounceEveryEdgeIsReportedAtOnce() {
        try (SimulatedHal hal = hal(false, Duration.ZERO)) {
            SimulatedInput button = button(hal);
            assertFalse(button.isHigh());
            assertFalse(button.isActive());
            button.press();
            assertTrue(button.isHigh());
            assertTrue(button.isActive());
            button.press();               // no edge
            button.release();
            assertEquals(List.of(new PinEvent("button", true, true, T0), new PinEvent("button", false, false, T0)),
                    events);
            assertEquals(0, clock.pendingTasks());
        }
    }

    @Test
    void activeLowButtonRestsHighAndPressesLow() {
        try (SimulatedHal hal = hal(true, Duration.ZERO)) {
            SimulatedInput button = button(hal);
            assertTrue(button.isHigh(), "pull-up, released");
            assertFalse(button.isActive());
            button.press();
            assertFalse(button.isHigh());
            assertTrue(button.isActive());
            assertEquals(List.of(new PinEvent("button", false, true, T0)), events);
        }
    }

    @Test
    void aChangeIsReportedOnlyAfterTheLevelWasStableForTheDebounceTime() {
        try (SimulatedHal hal = hal(false, Duration.ofMillis(20))) {
            SimulatedInput button = button(hal);
            button.press();
            clock.advance(Duration.ofMillis(19));
            assertEquals(List.of(), events, "not yet stable for 20 ms");
            assertTrue(button.isHigh(), "isHigh reads the raw level at once");
            clock.advance(Duration.ofMillis(1));
            assertEquals(List.of(new PinEvent("button", true, true, T0)), events, "stamped with the edge");
        }
    }

    @Test
    void bouncesWithinTheDebounceTimeAreSwallowed() {
        try (SimulatedHal hal = hal(false, Duration.ofMillis(20))) {
            SimulatedInput button = button(hal);
            button.press();
            clock.advance(Duration.ofMillis(3));
            button.release();
            clock.advance(Duration.ofMillis(3));
            button.press();                   // the contact settles closed at T0 + 6 ms
            clock.advance(Duration.ofMillis(19));
            assertEquals(List.of(), events);
            clock.advance(Duration.ofMillis(1));
            assertEquals(List.of(new PinEvent("button", true, true, T0.plusMillis(6))), events);

            button.release();
            clock.advance(Duration.ofMillis(5));
            button.press();                   // a glitch back to the reported level: nothing to report
            clock.advance(Duration.ofMillis(100));
            assertEquals(1, events.size());
            assertEquals(0, clock.pendingTasks());
        }
    }

    @Test
    void setDrivesTheElectricalLevel() {
        try (SimulatedHal hal = hal(true, Duration.ZERO)) {
            SimulatedInput button = button(hal);
            button.set(false);
            button.set(true);
            assertEquals(List.of(false, true), events.stream().map(PinEvent::high).toList());
            assertEquals(List.of(true, false), events.stream().map(PinEvent::active).toList());
        }
    }

    @Test
    void closeDropsPendingChangesAndRejectsPresses() {
        SimulatedHal hal = hal(false, Duration.ofMillis(20));
        SimulatedInput button = button(hal);
        button.press();
        hal.close();
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), events);
        HalException e = assertThrows(HalException.class, button::press);
        assertEquals(HalException.Kind.UNAVAILABLE, e.kind());
        assertEquals("button", e.pin());
    }
}
