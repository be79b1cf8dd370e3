package io.wirefly.hal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualClockTest {

    private static final Instant T0 = Instant.parse("2030-05-01T12:00:00Z");

    @Test
    void startsWhereToldAndMovesOnlyWhenAdvanced() {
        ManualClock clock = new ManualClock(T0);
        assertEquals(T0, clock.now());
        clock.advance(Duration.ofMillis(1500));
        assertEquals(T0.plusMillis(1500), clock.now());
        clock.advance(Duration.ZERO);
        assertEquals(T0.plusMillis(1500), clock.now());
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), new ManualClock().now());
    }

    @Test
    void runsDueTasksInDeadlineThenSchedulingOrderAtTheirDeadline() {
        ManualClock clock = new ManualClock(T0);
        List<String> ran = new ArrayList<>();
        clock.schedule(Duration.ofMillis(30), () -> ran.add("c@" + clock.now()));
        clock.schedule(Duration.ofMillis(10), () -> ran.add("a@" + clock.now()));
        clock.schedule(Duration.ofMillis(10), () -> ran.add("b@" + clock.now()));
        clock.schedule(Duration.ofMillis(50), () -> ran.add("late"));
        clock.advance(Duration.ofMillis(30));
        assertEquals(List.of("a@" + T0.plusMillis(10), "b@" + T0.plusMillis(10), "c@" + T0.plusMillis(30)), ran);
        assertEquals(1, clock.pendingTasks());
        assertEquals(T0.plusMillis(30), clock.now());
    }

    @Test
    void aTaskMayScheduleAnotherThatFallsDueInTheSameAdvance() {
        ManualClock clock = new ManualClock(T0);
        List<Instant> ran = new ArrayList<>();
        clock.schedule(Duration.ofMillis(10), () -> {
            ran.add(clock.now());
            clock.schedule(Duration.ofMillis(10), () -> ran.add(clock.now()));
        });
        clock.advance(Duration.ofMillis(25));
        assertEquals(List.of(T0.plusMillis(10), T0.plusMillis(20)), ran);
        assertEquals(T0.plusMillis(25), clock.now());
    }

    @Test
    void negativeAdvanceIsRejected() {
        ManualClock clock = new ManualClock(T0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> clock.advance(Duration.ofMillis(-1)));
        assertEquals("duration must be >= 0, was PT-0.001S", e.getMessage());
    }
}
