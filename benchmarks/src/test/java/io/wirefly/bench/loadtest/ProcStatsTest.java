package io.wirefly.bench.loadtest;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProcStatsTest {
    private static final long SELF = ProcessHandle.current().pid();

    @Test
    void readsThisProcessesCpuTimeAndMemory() throws IOException {
        long spin = 0;
        for (long end = System.nanoTime() + 50_000_000L; System.nanoTime() < end; ) {
            spin++;
        }
        assertTrue(spin > 0);
        assertTrue(ProcStats.cpuNanos(SELF) > 0);
        long rss = ProcStats.rssBytes(SELF);
        assertTrue(rss > 1 << 20 && rss < 1L << 40, "RSS " + rss);
        assertTrue(ProcStats.openFileLimit() > 0);
    }

    @Test
    void aMissingProcessIsAnIoError() {
        assertThrows(IOException.class, () -> ProcStats.cpuNanos(Integer.MAX_VALUE));
    }
}
