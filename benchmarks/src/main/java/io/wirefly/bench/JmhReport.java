package io.wirefly.bench;

import io.wirefly.bench.report.SvgChart;
import io.wirefly.bench.report.Table;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Markdown tables, ratios, charts and target verdicts for the JMH results; every figure comes from the rows it is
 * given.
 */
final class JmhReport {
    /** A benchmark class: its title, and which peer method is compared with which Wirefly method. */
    private record Suite(String type, String title, List<String[]> pairs) {
    }

    private static final List<Suite> SUITES = List.of(
            new Suite("MaskingBenchmark", "Masking in place (RFC 6455 §5.3)",
                    List.<String[]>of(new String[] {"byteLoop", "wirefly"})),
            new Suite("FrameDecodeBenchmark", "Decoding one masked binary frame",
                    List.of(new String[] {"netty", "wireflyProtocol"},
                            new String[] {"javaWebSocket", "wireflyProtocol"},
                            new String[] {"netty", "wireflyDecoder"})),
            new Suite("FrameEncodeBenchmark", "Encoding one masked binary frame (client role)",
                    List.of(new String[] {"netty", "wireflyEncode"}, new String[] {"javaWebSocket", "wireflyEncode"})),
            new Suite("Utf8ValidationBenchmark", "Validating UTF-8 text",
                    List.<String[]>of(new String[] {"jdkCharsetDecoder", "wirefly"})),
            new Suite("DeflateBenchmark", "permessage-deflate round trip (compress + inflate, no context takeover)",
                    List.of()),
            new Suite("TlsRecordBenchmark", "One message echoed through a JDK TLS 1.3 client and server engine"
                    + " (the JDK's floor under wss; the server's share is half)", List.of()),
            new Suite("HandshakeBenchmark", "Server side of the opening handshake",
                    List.of(new String[] {"nettyParse", "wireflyParse"},
                            new String[] {"javaWebSocketParse", "wireflyParse"},
                            new String[] {"javaWebSocketParseAndAccept", "wireflyParseAndAccept"})));

    private final List<JmhRow> rows;

    JmhReport(List<JmhRow> rows) {
        this.rows = rows;
    }

    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("Cells: mean time per operation (lower is better), then GB/s where the benchmark has a size, then"
                + " bytes allocated per operation (`gc.alloc.rate.norm`). Ratio columns divide the peer's time by"
                + " Wirefly's: above 1 means Wirefly is faster.\n\n");
        for (Suite suite : SUITES) {
            List<JmhRow> mine = rows.stream().filter(r -> r.type().equals(suite.type())).toList();
            if (mine.isEmpty()) {
                continue;
            }
            Set<String> methods = new LinkedHashSet<>();
            mine.stream().map(JmhRow::method).sorted(Comparator.comparing(JmhReport::methodOrder)
                    .thenComparing(Comparator.naturalOrder())).forEach(methods::add);
            Map<Map<String, String>, Map<String, JmhRow>> byParams = new TreeMap<>(JmhReport::compareParams);
            for (JmhRow r : mine) {
                byParams.computeIfAbsent(r.params(), p -> new LinkedHashMap<>()).put(r.method(), r);
            }
            List<String> header = new ArrayList<>();
            header.add(mine.get(0).params().isEmpty() ? "" : String.join(", ", mine.get(0).params().keySet()));
            header.addAll(methods);
            for (String[] pair : suite.pairs()) {
                header.add(pair[0] + " ÷ " + pair[1]);
            }
            Table table = new Table(header.toArray(String[]::new));
            for (Map.Entry<Map<String, String>, Map<String, JmhRow>> e : byParams.entrySet()) {
                List<String> row = new ArrayList<>();
                row.add(paramsLabel(e.getKey()));
                for (String method : methods) {
                    JmhRow r = e.getValue().get(method);
                    row.add(r == null ? "–" : cell(r));
                }
                for (String[] pair : suite.pairs()) {
                    JmhRow peer = e.getValue().get(pair[0]);
                    JmhRow ours = e.getValue().get(pair[1]);
                    row.add(peer == null || ours == null ? "–"
                            : String.format(Locale.ROOT, "%.2f", peer.score() / ours.score()));
                }
                table.row(row.toArray(String[]::new));
            }
            md.append("### ").append(suite.title()).append(" (`").append(suite.type()).append("`)\n\n")
                    .append(table.markdown()).append('\n');
            String chart = chartName(suite.type());
            if (chart != null) {
                md.append("![").append(suite.type()).append("](").append(chart).append(")\n\n");
            }
        }
        md.append("### Microbenchmark targets (issue 7; goals, not assertions)\n\n").append(targets());
        return md.toString();
    }

    private static int methodOrder(String method) {
        return method.startsWith("wirefly") ? 0 : 1;
    }

    private static int compareParams(Map<String, String> a, Map<String, String> b) {
        int sa = a.containsKey("size") ? Integer.parseInt(a.get("size")) : -1;
        int sb = b.containsKey("size") ? Integer.parseInt(b.get("size")) : -1;
        if (sa != sb) {
            return Integer.compare(sa, sb);
        }
        return a.toString().compareTo(b.toString());
    }

    private static String paramsLabel(Map<String, String> params) {
        List<String> parts = new ArrayList<>();
        params.forEach((k, v) -> parts.add(k.equals("size") ? bytes(Integer.parseInt(v)) : v));
        return String.join(", ", parts);
    }

    static String bytes(int size) {
        if (size >= 1 << 20 && size % (1 << 20) == 0) {
            return (size >> 20) + " MiB";
        }
        if (size >= 1024 && size % 1024 == 0) {
            return (size >> 10) + " KiB";
        }
        return size + " B";
    }

    private static String cell(JmhRow r) {
        StringBuilder cell = new StringBuilder(number(r.score())).append(" ns");
        if (r.size() >= 0) {
            cell.append(", ").append(number(r.gigabytesPerSecond())).append(" GB/s");
        }
        if (Double.isFinite(r.allocBytesPerOp())) {
            cell.append(", ").append(number(Math.max(0, r.allocBytesPerOp()))).append(" B");
        }
        return cell.toString();
    }

    static String number(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        if (a >= 0.995 || a == 0) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String chartName(String type) {
        return switch (type) {
            case "MaskingBenchmark" -> "jmh-masking.svg";
            case "FrameDecodeBenchmark" -> "jmh-decode.svg";
            case "FrameEncodeBenchmark" -> "jmh-encode.svg";
            case "Utf8ValidationBenchmark" -> "jmh-utf8.svg";
            default -> null;
        };
    }

    /** @return chart file name to SVG text: GB/s per size (or per input), one series per method/memory kind */
    Map<String, String> charts() {
        Map<String, String> charts = new TreeMap<>();
        for (Suite suite : SUITES) {
            String name = chartName(suite.type());
            List<JmhRow> mine = rows.stream().filter(r -> r.type().equals(suite.type())).toList();
            if (name == null || mine.isEmpty()) {
                continue;
            }
            // Series: the method, plus every parameter except size (e.g. "wirefly heap").
            Map<String, Map<String, Double>> series = new TreeMap<>(Comparator.comparing(JmhReport::methodOrder)
                    .thenComparing(Comparator.naturalOrder()));
            Map<Integer, String> categories = new TreeMap<>();
            for (JmhRow r : mine) {
                StringBuilder label = new StringBuilder(r.method());
                r.params().forEach((k, v) -> {
                    if (!k.equals("size")) {
                        label.append(' ').append(v);
                    }
                });
                categories.put(r.size(), bytes(r.size()));
                series.computeIfAbsent(label.toString(), l -> new TreeMap<>()).put(bytes(r.size()),
                        r.gigabytesPerSecond());
            }
            List<String> categoryLabels = new ArrayList<>(categories.values());
            List<String> seriesLabels = new ArrayList<>(series.keySet());
            double[][] values = new double[seriesLabels.size()][categoryLabels.size()];
            for (int s = 0; s < seriesLabels.size(); s++) {
                for (int c = 0; c < categoryLabels.size(); c++) {
                    values[s][c] = series.get(seriesLabels.get(s)).getOrDefault(categoryLabels.get(c), Double.NaN);
                }
            }
            charts.put(name, SvgChart.bars(suite.title(), "GB/s (log scale, higher is better)", categoryLabels,
                    seriesLabels, values, true));
        }
        return charts;
    }

    String targets() {
        Table t = new Table("target", "measured", "verdict");
        double slowest = Double.NaN;
        for (JmhRow r : rows) {
            if (r.type().equals("MaskingBenchmark") && r.method().equals("wirefly") && r.size() >= 65536) {
                slowest = Double.isNaN(slowest) ? r.gigabytesPerSecond() : Math.min(slowest, r.gigabytesPerSecond());
            }
        }
        t.row("masking ≥ 15 GB/s at 64 KiB and above (slowest of heap/direct, 64 KiB/1 MiB)",
                Double.isFinite(slowest) ? number(slowest) + " GB/s" : "not measured",
                verdict(Double.isFinite(slowest), slowest >= 15));
        JmhRow decode = rows.stream().filter(r -> r.type().equals("FrameDecodeBenchmark")
                && r.method().equals("wireflyDecoder") && r.size() == 125).findFirst().orElse(null);
        if (decode == null) {
            t.row("decoding a masked 125-B frame ≤ 25 ns with 0 B/op", "not measured", "not measured");
        } else {
            // gc.alloc.rate.norm reads a few hundredths of a byte for allocation-free code (profiler noise).
            boolean noAllocation = decode.allocBytesPerOp() < 1;
            t.row("decoding a masked 125-B frame ≤ 25 ns with 0 B/op", number(decode.score()) + " ns, "
                    + number(Math.max(0, decode.allocBytesPerOp())) + " B/op",
                    verdict(true, decode.score() <= 25 && noAllocation));
        }
        return t.markdown();
    }

    private static String verdict(boolean measured, boolean met) {
        return !measured ? "not measured" : met ? "met" : "**not met**";
    }
}
