package io.wirefly.bench.loadtest;

import io.wirefly.bench.report.Json;
import io.wirefly.bench.report.Machine;
import io.wirefly.bench.report.Table;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Topics across nodes, measured: Wirefly's echo server ({@code /broadcast} subscribes each connection to one topic
 * and publishes what it sends) as one node alone, and as three nodes sharing the topic through NATS
 * ({@code nats-server}) and through Redis ({@code redis-server}), each node its own JVM, the broker on a free port of
 * 127.0.0.1. For each set-up, in interleaved repetitions:
 *
 * <ul>
 *   <li><b>latency</b>: a publisher on node A, one subscriber on node C (on A itself when alone); one message at a
 *       time, the time from its send to its receipt, p50 and p99, and the broker's CPU per message;</li>
 *   <li><b>fan-out</b>: 10,000 subscribers spread evenly over the nodes; one message from node A, the time until the
 *       last subscriber has it (median and p90 of the rounds), and the nodes' CPU per delivery.</li>
 * </ul>
 *
 * <pre>{@code
 * java -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
 *     io.wirefly.bench.loadtest.ClusterBench --reps 3 --out benchmarks/results/cluster
 * }</pre>
 */
public final class ClusterBench {
    private static final int MASK_KEY = 0x5A5A_1234;
    private static final int PAYLOAD = 125;

    /** A set-up: the broker behind the nodes, or none for one node alone. */
    private enum Setup {
        SINGLE(null, 1), NATS("/usr/sbin/nats-server", 3), REDIS("/usr/bin/redis-server", 3);

        final String program;
        final int nodes;

        Setup(String program, int nodes) {
            this.program = program;
            this.nodes = nodes;
        }

        String label() {
            return this == SINGLE ? "1 node" : "3 nodes, " + (this == NATS ? "NATS" : "Redis");
        }

        List<String> brokerCommand(int port) {
            return this == NATS ? List.of(program, "-a", "127.0.0.1", "-p", Integer.toString(port))
                    : List.of(program, "--bind", "127.0.0.1", "--port", Integer.toString(port), "--save", "",
                            "--appendonly", "no");
        }

        String url(int port) {
            return (this == NATS ? "nats://" : "redis://") + "127.0.0.1:" + port;
        }
    }

    private final int subscribers;
    private final int latencySamples;
    private final int warmupRounds;
    private final int rounds;
    private final List<String> jvmArgs;
    private final Path logs;

    private ClusterBench(int subscribers, int latencySamples, int warmupRounds, int rounds, List<String> jvmArgs,
            Path logs) {
        this.subscribers = subscribers;
        this.latencySamples = latencySamples;
        this.warmupRounds = warmupRounds;
        this.rounds = rounds;
        this.jvmArgs = jvmArgs;
        this.logs = logs;
    }

    /**
     * @param args {@code [--reps N] [--subscribers N] [--setups single,nats,redis] [--quick] [--out DIR]}
     * @throws IOException if a set-up cannot start or a round does not complete
     */
    public static void main(String[] args) throws IOException {
        System.exit(run(args) ? 0 : 1);
    }

    /**
     * Runs the set-ups whose broker is installed (a missing one is skipped with a note) and writes
     * {@code cluster.json} and {@code cluster.md} into the output directory.
     *
     * @param args as for {@link #main}
     * @return whether every set-up ran
     * @throws IOException if the results cannot be written
     */
    public static boolean run(String[] args) throws IOException {
        int reps = 3;
        int subscribers = 10_000;
        int samples = 2_000;
        int rounds = 20;
        List<Setup> setups = List.of(Setup.values());
        Path out = Path.of("benchmarks", "results", "cluster");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--subscribers" -> subscribers = Integer.parseInt(args[++i]);
                case "--setups" -> setups = Arrays.stream(args[++i].split(","))
                        .map(s -> Setup.valueOf(s.trim().toUpperCase(java.util.Locale.ROOT))).toList();
                case "--quick" -> {
                    reps = 1;
                    subscribers = 300;
                    samples = 100;
                    rounds = 3;
                }
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; known: --reps N --subscribers N --setups single,nats,redis --quick --out DIR");
            }
        }
        List<String> jvmArgs = List.of(LoadTest.DEFAULT_SERVER_JVM_ARGS.split(" "));
        ClusterBench bench = new ClusterBench(subscribers, samples, 3, rounds, jvmArgs, out.resolve("logs"));
        Map<Setup, List<Map<String, Double>>> results = new LinkedHashMap<>();
        setups = setups.stream().filter(s -> {
            boolean there = s.program == null || Files.isExecutable(Path.of(s.program));
            if (!there) {
                System.out.println("cluster: " + s.label() + " skipped: " + s.program + " is not installed");
            }
            return there;
        }).toList();
        boolean ok = true;
        for (int rep = 1; rep <= reps; rep++) {
            for (Setup setup : setups) {
                System.out.println("cluster rep " + rep + ": " + setup.label());
                try {
                    Map<String, Double> m = bench.run(setup);
                    System.out.println("  " + m);
                    results.computeIfAbsent(setup, s -> new ArrayList<>()).add(m);
                } catch (IOException | RuntimeException e) {
                    System.out.println("  FAILED: " + e);
                    ok = false;
                }
            }
        }
        write(out, reps, subscribers, jvmArgs, results);
        return ok;
    }

    private Map<String, Double> run(Setup setup) throws IOException {
        Process broker = null;
        List<ServerProcess> nodes = new ArrayList<>();
        try {
            List<String> serverArgs = List.of();
            if (setup.program != null) {
                int port = freePort();
                broker = new ProcessBuilder(setup.brokerCommand(port)).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                awaitPort(port, broker);
                serverArgs = List.of("--bus", setup.url(port));
            }
            for (int i = 0; i < setup.nodes; i++) {
                nodes.add(ServerProcess.start(ServerKind.WIREFLY, jvmArgs, serverArgs,
                        logs.resolve("cluster-node" + i + ".stderr.log")));
            }
            return measure(nodes, broker);
        } finally {
            for (ServerProcess n : nodes) {
                n.close();
            }
            if (broker != null) {
                broker.destroy();
                try {
                    if (!broker.waitFor(10, TimeUnit.SECONDS)) {
                        broker.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    private Map<String, Double> measure(List<ServerProcess> nodes, Process broker) throws IOException {
        int total = subscribers + 1;   // the publisher is a subscriber too
        long[] round = {-1};
        int[] received = new int[1];
        long[] lastAt = new long[1];
        long[] latencyAt = {-1};
        ClientEngine.Listener listener = (c, opcode, length, prefix) -> {
            if (c.id == 1 && prefix == round[0]) {
                latencyAt[0] = System.nanoTime();
            }
            if (prefix == round[0] && c.lastStamp != prefix) {
                c.lastStamp = prefix;
                if (++received[0] == total) {
                    lastAt[0] = System.nanoTime();
                }
            }
        };
        Map<String, Double> m = new LinkedHashMap<>();
        try (ClientEngine engine = new ClientEngine(nodes.get(0).port(), listener)) {
            connect(engine, nodes.get(0), 1);
            connect(engine, nodes.get(nodes.size() - 1), 1);
            ClientConnection publisher = engine.connections().get(0);

            // Latency, one message at a time from A to C. The first ones wait for the subscriptions to reach the
            // broker: warm-up until one crosses, then a fixed warm-up.
            long stamp = 1_000_000;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            do {
                latencyAt[0] = -1;
                round[0] = ++stamp;
                engine.send(publisher, frame(stamp));
                engine.runUntil(System.nanoTime() + 200_000_000L, () -> latencyAt[0] >= 0);
            } while (latencyAt[0] < 0 && System.nanoTime() < until);
            if (latencyAt[0] < 0) {
                throw new IOException("no message crossed from node A to node C in 10 s");
            }
            long[] samples = new long[latencySamples];
            int lost = 0;
            long brokerCpu0 = broker == null ? 0 : ProcStats.cpuNanos(broker.pid());
            for (int i = -200; i < latencySamples; i++) {
                latencyAt[0] = -1;
                round[0] = ++stamp;
                ByteBuffer f = frame(stamp);
                long sent = System.nanoTime();
                engine.send(publisher, f);
                engine.runUntil(sent + 2_000_000_000L, () -> latencyAt[0] >= 0);
                if (latencyAt[0] < 0) {
                    lost++;
                } else if (i >= 0) {
                    samples[i] = latencyAt[0] - sent;
                }
            }
            long brokerCpu = broker == null ? 0 : ProcStats.cpuNanos(broker.pid()) - brokerCpu0;
            Arrays.sort(samples);
            m.put("broker_cpu_us_per_message", brokerCpu / 1e3 / (latencySamples + 200));
            m.put("latency_p50_us", Scenarios.percentile(samples, 0.5) / 1e3);
            m.put("latency_p99_us", Scenarios.percentile(samples, 0.99) / 1e3);
            m.put("latency_lost", (double) lost);

            // Fan-out: the rest of the subscribers, spread evenly over the nodes.
            int placed = 1;   // the subscriber on C
            for (int n = 0; n < nodes.size(); n++) {
                int share = subscribers / nodes.size() + (n < subscribers % nodes.size() ? 1 : 0);
                int count = n == nodes.size() - 1 ? share - 1 : share;
                connect(engine, nodes.get(n), count);
                placed += count;
            }
            if (placed != subscribers) {
                throw new IOException("placed " + placed + " subscribers, wanted " + subscribers);
            }
            double[] millis = new double[rounds];
            long nodesCpu0 = 0;
            for (int r = 0; r < warmupRounds + rounds; r++) {
                boolean warmup = r < warmupRounds;
                if (r == warmupRounds) {
                    nodesCpu0 = cpu(nodes);
                }
                round[0] = ++stamp;
                received[0] = 0;
                ByteBuffer f = frame(stamp);
                long start = System.nanoTime();
                engine.send(publisher, f);
                engine.runUntil(start + (warmup ? 3_000_000_000L : 30_000_000_000L), () -> received[0] == total);
                if (!warmup && received[0] != total) {
                    throw new IOException("round " + r + " reached " + received[0] + " of " + total + " in 30 s"
                            + (engine.firstError() == null ? "" : " (" + engine.firstError() + ")"));
                }
                if (!warmup) {
                    millis[r - warmupRounds] = (lastAt[0] - start) / 1e6;
                }
                engine.runUntil(System.nanoTime() + 50_000_000L, () -> false);
            }
            double deliveries = (double) total * rounds;
            long nodesCpu = cpu(nodes) - nodesCpu0;
            Arrays.sort(millis);
            m.put("subscribers", (double) subscribers);
            m.put("fanout_ms_p50", Scenarios.percentile(millis, 0.5));
            m.put("fanout_ms_p90", Scenarios.percentile(millis, 0.9));
            m.put("nodes_cpu_us_per_delivery", nodesCpu / 1e3 / deliveries);
        }
        return m;
    }

    private static void connect(ClientEngine engine, ServerProcess node, int count) throws IOException {
        engine.target(node.port());
        int opened = engine.connect("/broadcast", count, 100, System.nanoTime() + TimeUnit.SECONDS.toNanos(120));
        if (opened != count) {
            throw new IOException("opened " + opened + " of " + count + " connections to node on " + node.port()
                    + (engine.firstError() == null ? "" : " (" + engine.firstError() + ")"));
        }
    }

    private static ByteBuffer frame(long stamp) {
        return ClientFrames.masked(ClientFrames.BINARY, ClientFrames.payload(PAYLOAD, stamp), MASK_KEY);
    }

    private static long cpu(List<ServerProcess> nodes) throws IOException {
        long sum = 0;
        for (ServerProcess n : nodes) {
            sum += n.cpuNanos();
        }
        return sum;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port, Process owner) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !owner.isAlive()) {
                    throw new IOException("the broker did not listen on " + port, notYet);
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
    }

    private static void write(Path out, int reps, int subscribers, List<String> jvmArgs,
            Map<Setup, List<Map<String, Double>>> results) throws IOException {
        Files.createDirectories(out);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("machine", Machine.describe());
        json.put("server_jvm_args", String.join(" ", jvmArgs));
        json.put("repetitions", reps);
        Table table = new Table("set-up", "A→C p50 µs", "A→C p99 µs", "fan-out to " + subscribers + ", median ms",
                "p90 ms", "nodes' CPU µs/delivery", "broker CPU µs/message");
        Map<String, Object> medians = new LinkedHashMap<>();
        for (Map.Entry<Setup, List<Map<String, Double>>> e : results.entrySet()) {
            Map<String, Double> med = new LinkedHashMap<>();
            for (String key : e.getValue().get(0).keySet()) {
                med.put(key, Scenarios.median(e.getValue().stream().map(x -> x.get(key)).toList()));
            }
            medians.put(e.getKey().label(), Map.of("median", med, "runs", e.getValue()));
            table.row(e.getKey().label(), fmt(med.get("latency_p50_us")), fmt(med.get("latency_p99_us")),
                    fmt(med.get("fanout_ms_p50")), fmt(med.get("fanout_ms_p90")),
                    String.format(java.util.Locale.ROOT, "%.2f", med.get("nodes_cpu_us_per_delivery")),
                    e.getKey() == Setup.SINGLE ? "–"
                            : String.format(java.util.Locale.ROOT, "%.1f", med.get("broker_cpu_us_per_message")));
        }
        json.put("setups", medians);
        Files.writeString(out.resolve("cluster.json"), Json.write(json));
        String md = "# Topics across nodes: " + reps + " interleaved repetitions, medians\n\n" + table.markdown()
                + "\n" + Machine.markdown(Machine.describe()) + "\n";
        Files.writeString(out.resolve("cluster.md"), md);
        System.out.println(md);
        System.out.println("results written to " + out.toAbsolutePath());
    }

    private static String fmt(double v) {
        return v >= 100 ? String.format(java.util.Locale.ROOT, "%.0f", v)
                : String.format(java.util.Locale.ROOT, "%.1f", v);
    }
}
