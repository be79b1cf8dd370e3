package io.wirefly.bench;

import io.wirefly.bench.report.Json;
import io.wirefly.bench.report.Machine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs every JMH benchmark of this module with the GC profiler, then writes the results (median over forks),
 * Markdown tables with the ratios to the peers, SVG charts and the verdict on the targets.
 *
 * <p>Options: {@code --quick} (in-process, no warm-up, one 100 ms iteration per benchmark: proves they run),
 * {@code --include REGEX} (benchmarks to run), {@code --forks N} (default 3), {@code --out DIR}. Exits with status
 * 1 if a benchmark failed.
 *
 * <pre>{@code
 * java -cp ... io.wirefly.bench.JmhSuite --include Masking --out /tmp/jmh
 * }</pre>
 */
public final class JmhSuite {
    private JmhSuite() {
    }

    /**
     * @param args see the class description
     * @throws IOException if the results cannot be written
     */
    public static void main(String[] args) throws IOException {
        System.exit(run(args) ? 0 : 1);
    }

    /**
     * Runs as {@link #main} does, without exiting.
     *
     * @param args see the class description
     * @return true if every benchmark ran
     * @throws IOException if the results cannot be written
     */
    public static boolean run(String[] args) throws IOException {
        boolean quick = false;
        String include = "io\\.wirefly\\.bench\\..*Benchmark";
        int forks = 3;
        Path out = Path.of("benchmarks", "results");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--full" -> quick = false;
                case "--include" -> include = args[++i];
                case "--forks" -> forks = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(include)
                .addProfiler(GCProfiler.class)
                .shouldFailOnError(true);
        if (quick) {
            // Proves each benchmark still runs; measures nothing. Another JMH run on the machine is no reason to
            // skip that, so the global JMH lock is not taken.
            System.setProperty("jmh.ignoreLock", "true");
            options.forks(0).warmupIterations(0).measurementIterations(1)
                    .measurementTime(TimeValue.milliseconds(100));
        } else {
            options.forks(forks).warmupIterations(3).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1))
                    .jvmArgsAppend("-Xms1g", "-Xmx1g");
        }
        Collection<RunResult> results;
        long started = System.nanoTime();
        try {
            results = new Runner(options.build()).run();
        } catch (RunnerException e) {
            System.out.println("FAILED JMH: " + e);
            e.printStackTrace(System.out);
            return false;
        }
        System.out.printf(Locale.ROOT, "JMH finished in %.1f min%n", (System.nanoTime() - started) / 60e9);

        List<JmhRow> rows = new ArrayList<>();
        for (RunResult result : results) {
            rows.add(toRow(result));
        }
        write(out, quick, forks, rows);
        return true;
    }

    private static JmhRow toRow(RunResult result) {
        String benchmark = result.getParams().getBenchmark();
        String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
        String type = benchmark.substring(0, benchmark.lastIndexOf('.'));
        type = type.substring(type.lastIndexOf('.') + 1);
        Map<String, String> params = new TreeMap<>();
        for (Object key : result.getParams().getParamsKeys()) {
            params.put(key.toString(), result.getParams().getParam(key.toString()));
        }
        List<Double> scores = new ArrayList<>();
        List<Double> allocs = new ArrayList<>();
        for (BenchmarkResult fork : result.getBenchmarkResults()) {
            scores.add(fork.getPrimaryResult().getScore());
            // JMH declares this map with the raw Result type; read it through a wildcard.
            Map<String, ?> secondary = fork.getSecondaryResults();
            for (Map.Entry<String, ?> e : secondary.entrySet()) {
                if (e.getKey().endsWith("gc.alloc.rate.norm")) {
                    allocs.add(((Result<?>) e.getValue()).getScore());
                }
            }
        }
        return new JmhRow(type, method, params, median(scores), scores, median(allocs),
                result.getPrimaryResult().getScoreUnit());
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static void write(Path out, boolean quick, int forks, List<JmhRow> rows) throws IOException {
        Files.createDirectories(out);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", quick ? "quick" : "full");
        json.put("machine", Machine.describe());
        json.put("forks", quick ? 0 : forks);
        json.put("results", rows.stream().map(JmhRow::toJson).toList());
        Files.writeString(out.resolve("jmh.json"), Json.write(json), StandardCharsets.UTF_8);

        JmhReport report = new JmhReport(rows);
        StringBuilder md = new StringBuilder("## JMH microbenchmarks\n\n");
        md.append(quick ? "Mode: quick (in-process, one 100 ms iteration; these numbers mean nothing).\n\n"
                : "Mode: full: " + forks + " forks × (3 × 1 s warm-up + 5 × 1 s measured), `-Xms1g -Xmx1g`,"
                        + " `-prof gc`. Each figure is the median of the forks' means.\n\n");
        md.append(report.markdown());
        Files.writeString(out.resolve("jmh.md"), md, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> chart : report.charts().entrySet()) {
            Files.writeString(out.resolve(chart.getKey()), chart.getValue(), StandardCharsets.UTF_8);
        }
        System.out.println(md);
        System.out.println("results written to " + out.toAbsolutePath());
    }
}
