package io.wirefly.hal.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SystemTimerTest {

    @Test
    void runsTasksOnItsNamedDaemonThread() throws Exception {
        Timer timer = Timer.system("test-timer");
        try {
            BlockingQueue<Thread> ran = new LinkedBlockingQueue<>();
            Instant before = Instant.now();
            timer.schedule(Duration.ofMillis(1), () -> ran.add(Thread.currentThread()));
            Thread t = ran.poll(10, TimeUnit.SECONDS);
            assertEquals("test-timer", t == null ? null : t.getName());
            assertTrue(t.isDaemon());
            assertTrue(!timer.now().isBefore(before));
        } finally {
            timer.close();
        }
    }

    @Test
    void afterCloseTasksAreDropped() {
        Timer timer = Timer.system("test-timer-closed");
        timer.close();
        timer.close();
        timer.schedule(Duration.ZERO, () -> { });
        // The thread starts with the first accepted task; a dropped task starts none.
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("test-timer-closed")));
    }
}
