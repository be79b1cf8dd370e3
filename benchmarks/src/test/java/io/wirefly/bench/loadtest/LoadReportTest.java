package io.wirefly.bench.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadReportTest {
    private static Measurement echo(String server, int rep, double msgPerSecond, double cpuPerMessage) {
        return new Measurement(server, "echo", rep, Map.of("msg_per_s", msgPerSecond,
                "server_cpu_us_per_msg", cpuPerMessage), null);
    }

    private final LoadReport report = new LoadReport(List.of(
            echo("wirefly", 1, 60_000, 10), echo("wirefly", 2, 66_000, 12), echo("wirefly", 3, 90_000, 11),
            echo("netty", 1, 40_000, 20), echo("netty", 2, 30_000, 22),
            new Measurement("netty", "echo", 3, Map.of(), "java.io.IOException: lost"),
            new Measurement("wirefly", "latency", 1, Map.of("p99_us", 50.0), null),
            new Measurement("netty", "latency", 1, Map.of("p99_us", 40.0), null)), List.of("wirefly", "netty"));

    @Test
    void mediansIgnoreFailedRuns() {
        assertEquals(66_000, report.median("wirefly", Scenario.ECHO, "msg_per_s"));
        assertEquals(35_000, report.median("netty", Scenario.ECHO, "msg_per_s"));
        assertEquals(Double.NaN, report.median("netty", Scenario.IDLE, "heap_per_conn_bytes"));
    }

    @Test
    void tableShowsMedianRangeRatioAndRuns() {
        String md = report.markdown(Scenario.ECHO, Sizing.full());
        assertTrue(md.contains("| wirefly | 66,000 (60,000–90,000) | 11 (10–12) |"), md);
        // 66,000 / 35,000 and 11 / 21.
        assertTrue(md.contains("| 1.89 | 0.52 |"), md);
        assertTrue(md.contains("| 2 of 3 |"), md);
    }

    @Test
    void targetsGiveVerdictsFromTheMedians() {
        String targets = report.targets();
        assertTrue(targets.contains("| echo, 100 × 125 B: ≥ 1.5× Netty's msg/s | 1.89× Netty | met |"), targets);
        assertTrue(targets.contains("| echo: server CPU per message ≤ 0.6× Netty's | 0.52× Netty | met |"), targets);
        assertTrue(targets.contains("| p99 latency, 1 connection: ≤ Netty's | 1.25× Netty | **not met** |"),
                targets);
        assertTrue(targets.contains("| heap per idle connection ≤ 1 KiB | not measured | not measured |"), targets);
        assertTrue(targets.contains("| handshakes/s ≥ Netty's | not measured | not measured |"), targets);
    }

    @Test
    void theTargetsCompareWithTheBetterNettyVersion() {
        LoadReport both = new LoadReport(List.of(echo("wirefly", 1, 60_000, 10), echo("netty", 1, 30_000, 20),
                echo("netty-4.2", 1, 50_000, 25)), List.of("wirefly", "netty", "netty-4.2"));
        String targets = both.targets();
        // msg/s against 4.2's 50,000 (the higher), CPU against 4.1's 20 µs (the lower)
        assertTrue(targets.contains("≥ 1.5× Netty's msg/s | 1.20× Netty | **not met** |"), targets);
        assertTrue(targets.contains("≤ 0.6× Netty's | 0.50× Netty | met |"), targets);
    }

    @Test
    void percentilesAndMedians() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, Scenarios.percentile(sorted, 0.5));
        assertEquals(10, Scenarios.percentile(sorted, 0.99));
        assertEquals(1, Scenarios.percentile(sorted, 0.0));
        assertEquals(2.5, Scenarios.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertEquals(Double.NaN, Scenarios.median(List.of()));
    }
}
