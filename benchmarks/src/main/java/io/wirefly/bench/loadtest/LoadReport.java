package io.wirefly.bench.loadtest;

import io.wirefly.bench.report.SvgChart;
import io.wirefly.bench.report.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns the load test's measurements into Markdown tables (medians over the repetitions, the range, and the ratio
 * of Wirefly to each peer), SVG charts and the verdict on the targets. Everything printed here comes from
 * the measurements passed in.
 */
final class LoadReport {
    /** A column of a scenario's table. */
    private record Column(String metric, String title, boolean ratio) {
    }

    private final List<Measurement> measurements;
    private final List<String> servers;

    LoadReport(List<Measurement> measurements, List<String> servers) {
        this.measurements = measurements;
        this.servers = servers;
    }

    private static List<Column> columns(Scenario scenario) {
        return switch (scenario) {
            case LATENCY -> List.of(new Column("p50_us", "p50 µs", false), new Column("p99_us", "p99 µs", true),
                    new Column("p999_us", "p99.9 µs", false), new Column("msg_per_s", "msg/s", false),
                    new Column("client_cpu_pct", "generator CPU %", false), new Column("stalls", "stalls", false));
            case ECHO, WSS_ECHO, DEFLATE -> List.of(new Column("msg_per_s", "msg/s", true),
                    new Column("server_cpu_us_per_msg", "server CPU µs/msg", true),
                    new Column("server_cpu_pct", "server CPU %", false),
                    new Column("server_kernel_pct", "of which kernel %", false),
                    new Column("client_cpu_pct", "generator CPU %", false),
                    new Column("client_cpu_us_per_msg", "generator CPU µs/msg", false),
                    new Column("stalls", "stalls", false));
            case BULK, WSS_BULK -> List.of(new Column("mb_per_s", "MB/s", true),
                    new Column("server_cpu_ms_per_mb", "server CPU ms/MB", true),
                    new Column("client_cpu_pct", "generator CPU %", false), new Column("stalls", "stalls", false));
            case IDLE -> List.of(new Column("heap_per_conn_bytes", "heap B/conn", true),
                    new Column("rss_per_conn_bytes", "RSS B/conn", true),
                    new Column("heap_after_gc_mb", "heap after GC MB", false),
                    new Column("rss_mb", "RSS MB", false), new Column("connect_per_s", "connects/s", false));
            case BROADCAST -> List.of(new Column("last_ms_p50", "last receives, median ms", true),
                    new Column("last_ms_p90", "p90 ms", false),
                    new Column("server_cpu_us_per_delivery", "server CPU µs/delivery", false));
            case HANDSHAKE -> List.of(new Column("handshakes_per_s", "handshakes/s", true),
                    new Column("server_cpu_us_per_handshake", "server CPU µs/handshake", true),
                    new Column("client_cpu_pct", "generator CPU %", false));
            case WSS_PAIRED -> List.of(new Column("wss_over_ws_cpu", "wss ÷ ws server CPU/msg, median pair", true),
                    new Column("wss_over_ws_cpu_min", "lowest pair", false),
                    new Column("wss_over_ws_cpu_max", "highest pair", false),
                    new Column("ws_server_cpu_us_per_msg", "ws server CPU µs/msg", false),
                    new Column("wss_server_cpu_us_per_msg", "wss server CPU µs/msg", false),
                    new Column("ws_msg_per_s", "ws msg/s", false), new Column("wss_msg_per_s", "wss msg/s", false));
        };
    }

    static String title(Scenario scenario, Sizing sizing) {
        return switch (scenario) {
            case LATENCY -> "Latency: 1 connection × " + sizing.latencyPayload() + " B, one message in flight";
            case ECHO -> "Echo: " + sizing.echoConnections() + " connections × " + sizing.echoPayload()
                    + " B, one message in flight each";
            case BULK -> "Bulk: " + sizing.bulkConnections() + " connections × " + sizing.bulkPayload() / 1024
                    + " KiB, one message in flight each";
            case IDLE -> "Idle: " + sizing.idleConnections() + " open connections";
            case BROADCAST -> "Broadcast: one " + sizing.broadcastPayload() + "-B message to "
                    + sizing.broadcastSubscribers() + " subscribers";
            case DEFLATE -> "Deflate: " + sizing.echoConnections() + " connections × 1 KiB JSON-like text,"
                    + " permessage-deflate, one message in flight each";
            case HANDSHAKE -> "Handshakes: new connections, 50 at a time, each upgrades, echoes one 16-B message and"
                    + " closes";
            case WSS_ECHO -> "wss echo: " + title(Scenario.ECHO, sizing).substring("Echo: ".length())
                    + ", over TLS (JDK engines on both sides)";
            case WSS_BULK -> "wss bulk: " + title(Scenario.BULK, sizing).substring("Bulk: ".length())
                    + ", over TLS (JDK engines on both sides)";
            case WSS_PAIRED -> "wss ÷ ws, paired: " + sizing.echoConnections() + " ws and " + sizing.echoConnections()
                    + " wss connections × " + sizing.echoPayload() + " B to one server on one port, taking turns in "
                    + "windows of " + Math.max(100, sizing.measureMillis() / 5) + " ms";
        };
    }

    /** @return median over the successful repetitions, NaN if none */
    double median(String server, Scenario scenario, String metric) {
        List<Double> values = values(server, scenario, metric);
        return Scenarios.median(values);
    }

    private List<Double> values(String server, Scenario scenario, String metric) {
        List<Double> values = new ArrayList<>();
        for (Measurement m : measurements) {
            if (m.server().equals(server) && m.scenario().equals(scenario.label()) && m.error() == null
                    && m.metrics().containsKey(metric)) {
                values.add(m.metrics().get(metric));
            }
        }
        return values;
    }

    String markdown(Scenario scenario, Sizing sizing) {
        List<Column> columns = columns(scenario);
        List<String> header = new ArrayList<>();
        header.add("server");
        for (Column c : columns) {
            header.add(c.title());
        }
        for (Column c : columns) {
            if (c.ratio()) {
                header.add("Wirefly ÷ server, " + c.title());
            }
        }
        header.add("runs");
        Table table = new Table(header.toArray(String[]::new));
        for (String server : servers) {
            List<String> row = new ArrayList<>();
            row.add(server);
            for (Column c : columns) {
                List<Double> values = values(server, scenario, c.metric());
                String cell = format(Scenarios.median(values));
                if (values.size() > 1) {
                    double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
                    double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
                    cell += " (" + format(min) + "–" + format(max) + ")";
                }
                row.add(cell);
            }
            for (Column c : columns) {
                if (c.ratio()) {
                    double ours = median("wirefly", scenario, c.metric());
                    double theirs = median(server, scenario, c.metric());
                    row.add(Double.isFinite(ours) && Double.isFinite(theirs) && theirs != 0
                            ? String.format(Locale.ROOT, "%.2f", ours / theirs) : "–");
                }
            }
            long ok = measurements.stream().filter(m -> m.server().equals(server)
                    && m.scenario().equals(scenario.label()) && m.error() == null).count();
            long all = measurements.stream().filter(m -> m.server().equals(server)
                    && m.scenario().equals(scenario.label())).count();
            row.add(ok == all ? Long.toString(ok) : ok + " of " + all);
            table.row(row.toArray(String[]::new));
        }
        return "### " + title(scenario, sizing) + "\n\n" + table.markdown();
    }

    /** @return chart file name to SVG text, for the scenarios that ran */
    Map<String, String> charts(List<Scenario> scenarios, Sizing sizing) {
        Map<String, String> charts = new TreeMap<>();
        for (Scenario scenario : scenarios) {
            List<String> series = new ArrayList<>();
            List<String> metrics = new ArrayList<>();
            String unit;
            switch (scenario) {
                case LATENCY -> {
                    series.addAll(List.of("p50", "p99", "p99.9"));
                    metrics.addAll(List.of("p50_us", "p99_us", "p999_us"));
                    unit = "round trip, µs (log scale, lower is better)";
                }
                case ECHO, WSS_ECHO, DEFLATE -> {
                    series.add("msg/s");
                    metrics.add("msg_per_s");
                    unit = "messages per second (higher is better)";
                }
                case BULK, WSS_BULK -> {
                    series.add("MB/s");
                    metrics.add("mb_per_s");
                    unit = "MB/s echoed (higher is better)";
                }
                case IDLE -> {
                    series.addAll(List.of("heap after GC", "RSS"));
                    metrics.addAll(List.of("heap_per_conn_bytes", "rss_per_conn_bytes"));
                    unit = "bytes per connection (lower is better)";
                }
                case BROADCAST -> {
                    series.addAll(List.of("median", "p90"));
                    metrics.addAll(List.of("last_ms_p50", "last_ms_p90"));
                    unit = "ms until the last receives (lower is better)";
                }
                case WSS_PAIRED -> {
                    series.addAll(List.of("ws", "wss"));
                    metrics.addAll(List.of("ws_server_cpu_us_per_msg", "wss_server_cpu_us_per_msg"));
                    unit = "server CPU µs per message, median window (lower is better)";
                }
                case HANDSHAKE -> {
                    series.add("handshakes/s");
                    metrics.add("handshakes_per_s");
                    unit = "connections per second, each upgraded, echoed once and closed (higher is better)";
                }
                default -> throw new IllegalStateException(scenario.toString());
            }
            double[][] values = new double[metrics.size()][servers.size()];
            for (int s = 0; s < metrics.size(); s++) {
                for (int c = 0; c < servers.size(); c++) {
                    values[s][c] = median(servers.get(c), scenario, metrics.get(s));
                }
            }
            // Latency percentiles span decades (p50 tens of µs, p99.9 up to ms): a log scale keeps p50 visible.
            boolean log = scenario == Scenario.LATENCY;
            charts.put("loadtest-" + scenario.label() + ".svg",
                    SvgChart.bars(title(scenario, sizing), unit, servers, series, values, log));
        }
        return charts;
    }

    /**
     * The performance issue's load-test targets with the measured verdicts. "Netty" is the better of Netty 4.1 and
     * 4.2 for each figure, whichever ran.
     *
     * @return a markdown table
     */
    String targets() {
        Table t = new Table("target", "measured", "verdict");
        double echo = ratio(Scenario.ECHO, "msg_per_s", true);
        t.row("echo, 100 × 125 B: ≥ 1.5× Netty's msg/s", ratio(echo), verdict(echo, 1.5, true));
        double cpu = ratio(Scenario.ECHO, "server_cpu_us_per_msg", false);
        t.row("echo: server CPU per message ≤ 0.6× Netty's", ratio(cpu), verdict(cpu, 0.6, false));
        double p99 = ratio(Scenario.LATENCY, "p99_us", false);
        t.row("p99 latency, 1 connection: ≤ Netty's", ratio(p99), verdict(p99, 1.0, false));
        double bulk = ratio(Scenario.BULK, "mb_per_s", true);
        t.row("bulk, 10 × 64 KiB: ≥ 1.5× Netty's MB/s", ratio(bulk), verdict(bulk, 1.5, true));
        double rss = median("wirefly", Scenario.IDLE, "rss_per_conn_bytes");
        t.row("RSS per idle connection ≤ 2 KiB", Double.isFinite(rss) ? format(rss) + " B" : "not measured",
                verdict(rss, 2048, false));
        double heap = median("wirefly", Scenario.IDLE, "heap_per_conn_bytes");
        t.row("heap per idle connection ≤ 1 KiB", Double.isFinite(heap) ? format(heap) + " B" : "not measured",
                verdict(heap, 1024, false));
        double handshakes = ratio(Scenario.HANDSHAKE, "handshakes_per_s", true);
        t.row("handshakes/s ≥ Netty's", ratio(handshakes), verdict(handshakes, 1.0, true));
        double broadcast = ratio(Scenario.BROADCAST, "last_ms_p50", false);
        t.row("broadcast to the subscribers: ≤ 0.5× Netty's time", ratio(broadcast), verdict(broadcast, 0.5, false));
        return t.markdown();
    }

    /** @return Wirefly's median over the better of the Netty versions' medians */
    private double ratio(Scenario scenario, String metric, boolean higherIsBetter) {
        double netty = Double.NaN;
        for (String label : List.of("netty", "netty-4.2")) {
            double v = median(label, scenario, metric);
            if (Double.isFinite(v) && (!Double.isFinite(netty) || (higherIsBetter ? v > netty : v < netty))) {
                netty = v;
            }
        }
        return median("wirefly", scenario, metric) / netty;
    }

    private static String ratio(double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.2f× Netty", r) : "not measured";
    }

    static String verdict(double value, double bound, boolean atLeast) {
        if (!Double.isFinite(value)) {
            return "not measured";
        }
        boolean met = atLeast ? value >= bound : value <= bound;
        return met ? "met" : "**not met**";
    }

    static String format(double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        double a = Math.abs(v);
        if (a >= 1000 || (v == Math.rint(v) && a < 1e15)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
