package io.wirefly.bench.loadtest;

import io.wirefly.bench.report.Json;
import io.wirefly.bench.report.Machine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The loopback load test: every scenario against every server, each server in its own JVM started fresh for each
 * run, one after another, repeated; then medians, ratios, charts and the targets' verdicts.
 *
 * <p>The load generator runs on CPU 0 and each server on the other CPUs ({@link Pinning}; {@code --no-pin} turns
 * it off). Options: {@code --quick} (scaled down, one repetition), {@code --servers a,b} (default: every server this
 * machine can run), {@code --scenarios x,y}, {@code --reps N}, {@code --idle-connections N}, {@code --out DIR},
 * {@code --server-jvm-args "..."}, {@code --no-pin}. Exits with status 1 if any run failed.
 *
 * <pre>{@code
 * java -cp ... io.wirefly.bench.loadtest.LoadTest --quick --servers wirefly,netty --out /tmp/results
 * }</pre>
 */
public final class LoadTest {
    /** The server JVM's options, equal for every library. */
    static final String DEFAULT_SERVER_JVM_ARGS = "-Xms64m -Xmx1g -XX:+UseG1GC";

    private LoadTest() {
    }

    /**
     * @param args see the class description
     * @throws IOException if results cannot be written
     */
    public static void main(String[] args) throws IOException {
        System.exit(run(args) ? 0 : 1);
    }

    /**
     * Runs the load test as {@link #main} does, without exiting.
     *
     * @param args see the class description
     * @return true if every run succeeded
     * @throws IOException if results cannot be written
     */
    public static boolean run(String[] args) throws IOException {
        boolean quick = false;
        List<ServerKind> servers = new ArrayList<>(List.of(ServerKind.values()));
        boolean serversChosen = false;
        boolean pin = true;
        List<Scenario> scenarios = new ArrayList<>(List.of(Scenario.values()));
        Integer reps = null;
        Integer idle = null;
        Path out = Path.of("benchmarks", "results");
        String jvmArgs = DEFAULT_SERVER_JVM_ARGS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--full" -> quick = false;
                case "--no-pin" -> pin = false;
                case "--servers" -> {
                    serversChosen = true;
                    servers.clear();
                    for (String s : args[++i].split(",")) {
                        servers.add(ServerKind.of(s.trim()));
                    }
                }
                case "--scenarios" -> {
                    scenarios.clear();
                    for (String s : args[++i].split(",")) {
                        scenarios.add(Scenario.of(s.trim()));
                    }
                }
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--idle-connections" -> idle = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--server-jvm-args" -> jvmArgs = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Sizing sizing = quick ? Sizing.quick() : Sizing.full();
        if (reps != null) {
            sizing = sizing.withRepetitions(reps);
        }
        if (idle != null) {
            sizing = sizing.withIdleConnections(idle);
        }
        List<String> notes = new ArrayList<>();
        notes.add(pin ? Pinning.apply() : "not pinned (--no-pin): the load generator and the server share the CPUs");
        System.out.println(notes.get(0));
        sizing = fitIdleToFileLimit(sizing, scenarios, notes);
        List<String> serverJvmArgs = Arrays.asList(jvmArgs.trim().split("\\s+"));

        List<Measurement> measurements = new ArrayList<>();
        boolean ok = true;
        for (ServerKind server : List.copyOf(servers)) {
            String why = server.unavailable();
            if (why != null) {
                // a peer asked for by name must run; of the default set, the ones this machine lacks are skipped
                System.out.println((serversChosen ? "FAILED " : "SKIPPED ") + server.label() + ": " + why);
                notes.add(server.label() + " did not run: " + why);
                ok &= !serversChosen;
                servers.remove(server);
            }
        }
        Path keystore = null;
        javax.net.ssl.SSLContext clientTls = null;
        if (scenarios.stream().anyMatch(Scenario::tls)) {
            io.wirefly.bench.RunCertificate run = io.wirefly.bench.RunCertificate.make();   // outside results/
            keystore = run.keystore();
            Path certificate = run.certificate();
            clientTls = io.wirefly.server.TlsContexts.trusting(certificate);
        }
        Scenarios runner = new Scenarios(sizing, clientTls);
        long started = System.nanoTime();
        for (int rep = 1; rep <= sizing.repetitions(); rep++) {
            for (Scenario scenario : scenarios) {
                for (ServerKind server : servers) {
                    if (scenario.tls() && !server.tls() || scenario.samePort() && !server.samePort()) {
                        continue;
                    }
                    List<String> serverArgs = new ArrayList<>();
                    if (scenario.tls()) {
                        serverArgs.addAll(List.of("--tls", keystore.toString()));
                    }
                    if (scenario.samePort()) {
                        serverArgs.addAll(List.of("--same-port", "true"));
                    }
                    Measurement m = runOne(runner, scenario, server, rep, serverJvmArgs, serverArgs, out);
                    measurements.add(m);
                    ok &= m.error() == null;
                }
            }
        }
        if (runner.negotiated() != null) {
            notes.add("the wss scenarios ran " + runner.negotiated() + " with the JDK's TLS provider in the load "
                    + "generator and in both servers (Netty's SslHandler over a JDK SSLEngine), with one EC P-256 "
                    + "certificate made by keytool for the run; Java-WebSocket, Jetty and Undertow are not set up "
                    + "for TLS here");
        }
        Pinning.release();
        double minutes = (System.nanoTime() - started) / 60e9;
        System.out.printf(Locale.ROOT, "load test finished in %.1f min%n", minutes);

        write(out, quick, sizing, servers, scenarios, serverJvmArgs, measurements, notes);
        return ok;
    }

    private static Measurement runOne(Scenarios runner, Scenario scenario, ServerKind server, int rep,
            List<String> jvmArgs, List<String> serverArgs, Path out) {
        String label = scenario.label() + " / " + server.label() + " / rep " + rep;
        System.out.println("RUN " + label);
        Path log = out.resolve("logs").resolve(server.label() + ".stderr.log");
        try (ServerProcess process = ServerProcess.start(server, jvmArgs, serverArgs, log)) {
            Map<String, Double> metrics = runner.run(scenario, process);
            StringBuilder line = new StringBuilder("  ok");
            metrics.forEach((k, v) -> line.append(' ').append(k).append('=').append(LoadReport.format(v)));
            System.out.println(line);
            return new Measurement(server.label(), scenario.label(), rep, metrics, null);
        } catch (IOException | RuntimeException e) {
            System.out.println("FAILED " + label + ": " + e);
            return new Measurement(server.label(), scenario.label(), rep, Map.of(), e.toString());
        }
    }

    private static Sizing fitIdleToFileLimit(Sizing sizing, List<Scenario> scenarios, List<String> notes) {
        if (!scenarios.contains(Scenario.IDLE)) {
            return sizing;
        }
        long limit = ProcStats.openFileLimit();
        int needed = sizing.idleConnections() + 500;
        if (limit < 0 || limit >= needed) {
            return sizing;
        }
        int fitted = (int) Math.max(100, limit - 500);
        String note = "the open-file limit is " + limit + ", below the " + needed + " that "
                + sizing.idleConnections() + " idle connections need: the idle scenario ran with " + fitted
                + " connections (raise it with `ulimit -n`; benchmarks/run.sh tries)";
        System.out.println("NOTE " + note);
        notes.add(note);
        return sizing.withIdleConnections(fitted);
    }

    private static void write(Path out, boolean quick, Sizing sizing, List<ServerKind> servers,
            List<Scenario> scenarios, List<String> jvmArgs, List<Measurement> measurements, List<String> notes)
            throws IOException {
        Files.createDirectories(out);
        List<String> labels = servers.stream().map(ServerKind::label).toList();
        LoadReport report = new LoadReport(measurements, labels);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("mode", quick ? "quick" : "full");
        json.put("machine", Machine.describe());
        json.put("sizing", sizing.toString());
        json.put("server_jvm_args", String.join(" ", jvmArgs));
        json.put("notes", notes);
        json.put("runs", measurements.stream().map(Measurement::toJson).toList());
        Map<String, Object> medians = new LinkedHashMap<>();
        for (Scenario scenario : scenarios) {
            Map<String, Object> perServer = new LinkedHashMap<>();
            for (String server : labels) {
                Map<String, Double> metrics = new LinkedHashMap<>();
                for (Measurement m : measurements) {
                    if (m.server().equals(server) && m.scenario().equals(scenario.label())) {
                        m.metrics().keySet().forEach(k -> metrics.put(k, report.median(server, scenario, k)));
                    }
                }
                perServer.put(server, metrics);
            }
            medians.put(scenario.label(), perServer);
        }
        json.put("medians", medians);
        Files.writeString(out.resolve("loadtest.json"), Json.write(json), StandardCharsets.UTF_8);

        StringBuilder csv = new StringBuilder("server,scenario,repetition,metric,value\n");
        for (Measurement m : measurements) {
            m.metrics().forEach((k, v) -> csv.append(m.server()).append(',').append(m.scenario()).append(',')
                    .append(m.repetition()).append(',').append(k).append(',').append(v).append('\n'));
        }
        Files.writeString(out.resolve("loadtest.csv"), csv, StandardCharsets.UTF_8);

        StringBuilder md = new StringBuilder("## Load test\n\n");
        md.append("Mode: ").append(quick ? "quick (scaled down; these numbers mean nothing)" : "full")
                .append(". Medians over ").append(sizing.repetitions())
                .append(" repetition(s), the range in parentheses; each run starts the server in a fresh JVM (`")
                .append(String.join(" ", jvmArgs)).append("`). \"Wirefly ÷ server\" divides Wirefly's median by"
                        + " that server's.\n\n");
        for (String note : notes) {
            md.append("Note: ").append(note).append("\n\n");
        }
        for (Scenario scenario : scenarios) {
            md.append(report.markdown(scenario, sizing)).append('\n');
            md.append("![").append(scenario.label()).append("](loadtest-").append(scenario.label())
                    .append(".svg)\n\n");
        }
        md.append("### Load-test targets (issue 16; goals, not assertions)\n\n").append(report.targets());
        List<Measurement> failed = measurements.stream().filter(m -> m.error() != null).toList();
        if (!failed.isEmpty()) {
            md.append("\n### Failed runs\n\n");
            for (Measurement m : failed) {
                md.append("- ").append(m.scenario()).append(" / ").append(m.server()).append(" / rep ")
                        .append(m.repetition()).append(": ").append(m.error()).append('\n');
            }
        }
        Files.writeString(out.resolve("loadtest.md"), md, StandardCharsets.UTF_8);
        for (Map.Entry<String, String> chart : report.charts(scenarios, sizing).entrySet()) {
            Files.writeString(out.resolve(chart.getKey()), chart.getValue(), StandardCharsets.UTF_8);
        }
        System.out.println(md);
        System.out.println("results written to " + out.toAbsolutePath());
    }
}
