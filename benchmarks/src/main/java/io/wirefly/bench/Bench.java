package io.wirefly.bench;

import io.wirefly.bench.loadtest.LoadTest;
import io.wirefly.bench.report.Machine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The whole benchmark run that {@code benchmarks/run.sh} starts: the JMH suite, then the load test, then the cluster
 * benchmark ({@link io.wirefly.bench.loadtest.ClusterBench}, into {@code cluster/}), then {@code summary.md} (the
 * machine, the command, and every part's tables), all in one output directory.
 *
 * <p>Options: {@code --quick} (every benchmark once, briefly; results go to {@code benchmarks/target/quick-results}
 * unless {@code --out} says otherwise), {@code --skip-jmh}, {@code --skip-load}, {@code --skip-cluster},
 * {@code --out DIR}; JMH options
 * {@code --include}, {@code --forks}; load-test options {@code --servers}, {@code --scenarios}, {@code --reps},
 * {@code --idle-connections}, {@code --server-jvm-args}. Exits with status 1 if anything failed to run.
 *
 * <pre>{@code
 * java -cp ... io.wirefly.bench.Bench --quick
 * }</pre>
 */
public final class Bench {
    private Bench() {
    }

    /**
     * @param args see the class description
     * @throws IOException if results cannot be written
     */
    public static void main(String[] args) throws IOException {
        boolean quick = false;
        boolean jmh = true;
        boolean load = true;
        boolean cluster = true;
        Path out = null;
        List<String> jmhArgs = new ArrayList<>();
        List<String> loadArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--full" -> quick = false;
                case "--skip-jmh" -> jmh = false;
                case "--skip-load" -> load = false;
                case "--skip-cluster" -> cluster = false;
                case "--out" -> out = Path.of(args[++i]);
                case "--include", "--forks" -> {
                    jmhArgs.add(args[i]);
                    jmhArgs.add(args[++i]);
                }
                case "--no-pin" -> loadArgs.add(args[i]);
                case "--servers", "--scenarios", "--reps", "--idle-connections", "--server-jvm-args" -> {
                    loadArgs.add(args[i]);
                    loadArgs.add(args[++i]);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (out == null) {
            out = quick ? Path.of("benchmarks", "target", "quick-results") : Path.of("benchmarks", "results");
        }
        for (List<String> part : List.of(jmhArgs, loadArgs)) {
            part.add("--out");
            part.add(out.toString());
            if (quick) {
                part.add("--quick");
            }
        }
        long started = System.nanoTime();
        boolean ok = true;
        if (jmh) {
            ok &= JmhSuite.run(jmhArgs.toArray(String[]::new));
        }
        if (load) {
            ok &= LoadTest.run(loadArgs.toArray(String[]::new));
        }
        if (cluster) {
            List<String> clusterArgs = new ArrayList<>(List.of("--out", out.resolve("cluster").toString()));
            if (quick) {
                clusterArgs.add("--quick");
            }
            ok &= io.wirefly.bench.loadtest.ClusterBench.run(clusterArgs.toArray(String[]::new));
        }
        writeSummary(out, quick, String.join(" ", args));
        System.out.printf(Locale.ROOT, "%s in %.1f min: %s%n", quick ? "quick run" : "full run",
                (System.nanoTime() - started) / 60e9, ok ? "everything ran" : "SOMETHING FAILED (see above)");
        System.exit(ok ? 0 : 1);
    }

    private static void writeSummary(Path out, boolean quick, String args) throws IOException {
        StringBuilder md = new StringBuilder("# Wirefly benchmark results\n\n");
        if (quick) {
            md.append("**Quick mode: every benchmark ran once, briefly, to prove it runs. These numbers are not"
                    + " measurements; do not publish them.**\n\n");
        }
        md.append("Produced by `bash benchmarks/run.sh").append(args.isEmpty() ? "" : " " + args)
                .append("`, which also wrote the JSON, CSV and SVG files next to this one.\n\n");
        md.append("## Machine\n\n").append(Machine.markdown(Machine.describe())).append('\n');
        for (String part : List.of("jmh.md", "loadtest.md", "cluster/cluster.md")) {
            Path file = out.resolve(part);
            if (Files.exists(file)) {
                md.append(Files.readString(file, StandardCharsets.UTF_8)).append('\n');
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve("summary.md"), md, StandardCharsets.UTF_8);
        System.out.println("summary written to " + out.resolve("summary.md").toAbsolutePath());
    }
}
