package io.wirefly.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JmhReportTest {
    private static JmhRow row(String type, String method, Map<String, String> params, double ns, double alloc) {
        // JmhSuite keeps parameters sorted by name.
        return new JmhRow(type, method, new TreeMap<>(params), ns, List.of(ns), alloc, "ns/op");
    }

    private final JmhReport report = new JmhReport(List.of(
            row("MaskingBenchmark", "wirefly", Map.of("size", "65536", "memory", "heap"), 3_000, 0),
            row("MaskingBenchmark", "byteLoop", Map.of("size", "65536", "memory", "heap"), 36_000, 0),
            row("MaskingBenchmark", "wirefly", Map.of("size", "1048576", "memory", "direct"), 80_000, 0),
            row("FrameDecodeBenchmark", "wireflyDecoder", Map.of("size", "125"), 20, 0.01),
            row("FrameDecodeBenchmark", "wireflyProtocol", Map.of("size", "125"), 50, 200),
            row("FrameDecodeBenchmark", "netty", Map.of("size", "125"), 150, 100)));

    @Test
    void tablesHoldTimesThroughputAllocationAndRatios() {
        String md = report.markdown();
        assertTrue(md.contains("| heap, 64 KiB | 3,000 ns, 21.8 GB/s, 0.00 B | 36,000 ns, 1.82 GB/s, 0.00 B | 12.00 |"),
                md);
        assertTrue(md.contains("| 125 B | 20.0 ns, 6.25 GB/s, 0.010 B | 50.0 ns, 2.50 GB/s, 200.0 B | 150.0 ns,"
                + " 0.833 GB/s, 100.0 B | 3.00 | – | 7.50 |"), md);
    }

    @Test
    void targetsUseTheSlowestLargeMaskingAndTheBareDecoder() {
        String targets = report.targets();
        // 1 MiB direct: 1048576 / 80000 ns = 13.1 GB/s, below 15.
        assertTrue(targets.contains("| 13.1 GB/s | **not met** |"), targets);
        assertTrue(targets.contains("| 20.0 ns, 0.010 B/op | met |"), targets);
    }

    @Test
    void chartsOnePerSizedSuite() {
        Map<String, String> charts = report.charts();
        assertEquals(List.of("jmh-decode.svg", "jmh-masking.svg"), List.copyOf(charts.keySet()));
        assertTrue(charts.get("jmh-masking.svg").contains("wirefly heap"));
    }

    @Test
    void medianOfForks() {
        assertEquals(2.0, JmhSuite.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(1.5, JmhSuite.median(List.of(2.0, 1.0)));
        assertEquals(Double.NaN, JmhSuite.median(List.of()));
    }
}
