package io.wirefly.bench.abuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The abuse and soak suite: the echo example under a small heap ({@code -Xmx64m} by default) in its own JVM, a
 * healthy client timing its echoes throughout, and one attack after another against the same process. For each it
 * reports what the attackers got back, the healthy client's p99 against its calm p99, the server's resident memory
 * (before and peak) and open descriptors (before and after), and whether any thread died.
 *
 * <pre>{@code
 * bash benchmarks/abuse.sh                 # the published run
 * bash benchmarks/abuse.sh --scale 0.1     # a tenth of every attack, for a quick look
 * bash benchmarks/abuse.sh --tls true      # the server on wss and ws (one port), the healthy client on wss
 * }</pre>
 *
 * <p>Options: {@code --jar PATH} (default {@code ws-examples/target/ws-examples.jar}), {@code --heap 64m},
 * {@code --scale F}, {@code --only a,b}, {@code --out DIR} (default {@code benchmarks/results}), {@code --renice true}
 * (the script sets it when it may: see {@code abuse.sh}), {@code --tls true} (a certificate made by openssl for the
 * run; the echo example gets {@code --tls-cert --tls-key --same-port}, the healthy client connects over wss, the
 * plain attacks still come as ws on the same port, and the TLS scenarios run too: slowloris, hellos, idle, part
 * records, never-reading, ping flood, and half the SIGTERM clients on wss).
 */
public final class Abuse {
    /** A healthy p99 this many times the calm one fails the scenario (the transport issue's bar). */
    private static final double P99_FACTOR = 10;
    /** Resident memory may grow this much during one scenario. */
    private static final long RSS_GROWTH = 256L << 20;
    /**
     * What may stay reachable after a scenario, its connections gone, beyond the calm server's live heap: the
     * loops' pools (message segments, up to 4 MiB a loop, and spare read buffers) keep what they took on purpose.
     * More than this is a leak.
     */
    private static final long LIVE_GROWTH = 16L << 20;

    private record Row(String name, String attack, Map<String, Integer> outcomes, List<String> notes, long p50,
            long p99, int healthyErrors, long rssBefore, long rssPeak, long fdsBefore, long fdsAfter, long liveHeap,
            boolean alive, List<String> failures) {
    }

    private Abuse() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        if (Boolean.parseBoolean(opts.getOrDefault("--fan-out", "false"))) {
            // the LED example instead of the echo one; see FanOutFlood (renice: as for the server below)
            boolean reniced = Boolean.parseBoolean(opts.getOrDefault("--renice", "false"));
            System.exit(FanOutFlood.run(opts, reniced ? List.of("chrt", "--other", "0") : List.of()) ? 0 : 1);
        }
        Path jar = Path.of(opts.getOrDefault("--jar", "ws-examples/target/ws-examples.jar"));
        String heap = opts.getOrDefault("--heap", "64m");
        double scale = Double.parseDouble(opts.getOrDefault("--scale", "1"));
        Set<String> only = opts.containsKey("--only") ? Set.of(opts.get("--only").split(",")) : null;
        Path out = Path.of(opts.getOrDefault("--out", "benchmarks/results"));
        Files.createDirectories(out);
        Path log = out.resolve("logs");
        Files.createDirectories(log);
        boolean tls = Boolean.parseBoolean(opts.getOrDefault("--tls", "false"));
        List<String> echoArgs = new ArrayList<>();
        List<String> healthyArgs = new ArrayList<>();
        javax.net.ssl.SSLSocketFactory tlsClients = null;
        if (tls) {
            // Outside the results directory: a private key is never published, even a throwaway one.
            Path secrets = Files.createTempDirectory("wirefly-abuse-tls");
            Path[] pair = selfSigned(secrets);
            secrets.toFile().deleteOnExit();
            pair[1].toFile().deleteOnExit();
            pair[0].toFile().deleteOnExit();
            echoArgs.addAll(List.of("--tls-cert", pair[0].toString(), "--tls-key", pair[1].toString(), "--same-port"));
            healthyArgs.add(pair[0].toString());
            tlsClients = io.wirefly.server.TlsContexts.trusting(pair[0]).getSocketFactory();
        }

        List<Row> rows = new ArrayList<>();
        long calmP50;
        long calmP99;
        long calmLive;
        // Attackers would be other machines: when allowed (root), this JVM runs under SCHED_IDLE (abuse.sh), and the
        // server (nice 0) and the healthy client (nice -10) are started back under the normal policy, so the
        // attackers' threads take CPU only when nobody else wants it. (A nice value alone is per thread: 32 attacker
        // threads at nice 10 still outweigh two loop threads at nice 0.)
        boolean renice = Boolean.parseBoolean(opts.getOrDefault("--renice", "false"));
        List<String> serverPrefix = renice ? List.of("chrt", "--other", "0") : List.of();
        List<String> healthyCmd = new ArrayList<>(renice ? List.of("chrt", "--other", "0", "nice", "-n", "-10")
                : List.of());
        healthyCmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), HealthyClient.class.getName()));
        // The TLS run has its own report and log (abuse-tls.md), so that running both leaves both.
        String name = tls ? "abuse-tls" : "abuse";
        try (Target target = Target.start(serverPrefix, jar, heap, echoArgs, log.resolve(name + "-server.log"))) {
            healthyCmd.add(Integer.toString(target.port));
            healthyCmd.addAll(healthyArgs);
            HealthyClient.Remote healthy = new HealthyClient.Remote(healthyCmd);
            Attacks attacks = new Attacks(target, 32);
            MessageAttacks messages = new MessageAttacks(attacks, target);
            FloodAttacks floods = new FloodAttacks(attacks, target.port);
            LifecycleAttacks lives = new LifecycleAttacks(attacks, target);
            TlsAttacks tlsAttacks = new TlsAttacks(attacks, floods, lives, target.port);
            try {
                Thread.sleep(3_000);   // warm-up, not measured
                healthy.window();
                Thread.sleep(10_000);
                HealthyClient.Window calm = healthy.window();
                calmP50 = calm.percentile(50);
                calmP99 = calm.percentile(99);
                calmLive = target.liveHeap();
                System.out.printf("calm: %d round trips, p50 %.3f ms, p99 %.3f ms, server RSS %.1f MiB, %d fds, "
                        + "live heap %.1f MiB%n", calm.nanos().size(), calmP50 / 1e6, calmP99 / 1e6,
                        target.rss() / 1048576.0, target.fds(), calmLive / 1048576.0);

                byte[] bomb = MessageAttacks.bomb(256L << 20);
                int n1000 = scaled(1000, scale);
                int n10k = scaled(10_000, scale);
                List<Scenario> scenarios = new ArrayList<>(List.of(
                        new Scenario("slowloris", n1000 + " handshakes stalled, a header line a second for 13 s",
                                () -> attacks.slowloris(n1000, 13)),
                        new Scenario("heavy heads", scaled(6000, scale) + " handshakes stalled after a 15 KiB head,"
                                + " held 13 s", () -> attacks.heavyHeads(scaled(6000, scale), 13)),
                        new Scenario("unclosed answers", scaled(3000, scale) + " plain GETs answered (426), then"
                                + " neither read nor closed for 13 s; a fresh client each second",
                                () -> attacks.unclosedAnswers(scaled(3000, scale), 13)),
                        new Scenario("churn", n10k + " connections: upgrade, echo, then reset (half) or close (half)",
                                () -> lives.churn(n10k)),
                        new Scenario("churn behind a stall", "one handshake stalled first (a header line a second),"
                                + " then up to " + scaled(100_000, scale) + " connections in 9 s upgrade, send a close"
                                + " and go",
                                () -> lives.churnBehindStall(scaled(100_000, scale))),
                        new Scenario("decompression bomb", scaled(2000, scale) + " messages of " + bomb.length
                                + " B inflating to 256 MiB",
                                () -> messages.decompressionBomb(scaled(2000, scale), bomb)),
                        new Scenario("compressed then idle", scaled(3000, scale) + " connections exchange a"
                                + " compressed message and stay; half then stop a second one halfway; held 13 s",
                                () -> messages.compressedThenIdle(scaled(3000, scale), 13)),
                        new Scenario("lying lengths", scaled(2000, scale) + " connections announce a 1 MiB frame, "
                                + "send 48 KiB of it, then a byte a second for 13 s",
                                () -> messages.lyingLengths(scaled(2000, scale), 1 << 20, 48 << 10, 13)),
                        new Scenario("never-reading", scaled(50, scale) + " clients sending 256 KiB messages for 10 s,"
                                + " reading nothing", () -> floods.neverReading(scaled(50, scale), 10)),
                        new Scenario("many never-reading", scaled(300, scale) + " clients sending 256 KiB messages"
                                + " for 10 s, reading nothing", () -> floods.neverReading(scaled(300, scale), 10)),
                        new Scenario("ping flood", scaled(50, scale) + " clients sending empty pings for 10 s, "
                                + "reading no pong", () -> floods.pingFlood(scaled(50, scale), 10)),
                        new Scenario("tiny flood", scaled(600, scale) + " clients sending one-byte texts for 10 s, "
                                + "reading nothing", () -> floods.tinyFlood(scaled(600, scale), 10)),
                        new Scenario("200k fragments", scaled(50, scale) + " messages of 200,000 one-byte fragments",
                                () -> messages.fragments(scaled(50, scale), 200_000)),
                        new Scenario("garbage", n10k + " connections sending 4 KiB of random bytes after the "
                                + "upgrade", () -> messages.garbage(n10k, 4096)),
                        new Scenario("idle", n10k + " upgraded connections held 20 s", () -> lives.idle(n10k, 20)),
                        new Scenario("heavy idle", scaled(6000, scale) + " connections upgraded with a 15 KiB head,"
                                + " held 20 s", () -> lives.heavyIdle(scaled(6000, scale), 20)),
                        new Scenario("SIGTERM", scaled(200, scale) + " busy clients, then SIGTERM",
                                () -> lives.sigterm(scaled(200, scale), 3))));
                if (tls) {
                    scenarios.add(1, new Scenario("TLS slowloris", n1000 + " TLS handshakes stalled for 13 s (a third "
                            + "each: half a ClientHello; a whole one, then silence; one byte a second)",
                            () -> tlsAttacks.tlsSlowloris(n1000, 13)));
                    scenarios.add(2, new Scenario("TLS hellos", scaled(3000, scale) + " whole ClientHellos, then "
                            + "silence for 13 s", () -> tlsAttacks.tlsHellos(scaled(3000, scale), 13)));
                    javax.net.ssl.SSLSocketFactory clients = tlsClients;
                    scenarios.add(3, new Scenario("TLS idle", scaled(8000, scale) + " wss connections upgraded, "
                            + "then idle for 20 s", () -> tlsAttacks.tlsIdle(scaled(8000, scale), 20, clients)));
                    scenarios.add(4, new Scenario("TLS part records", scaled(2000, scale) + " wss connections "
                            + "upgraded, then 12,000 bytes of a 16,401-byte record and silence for 13 s",
                            () -> tlsAttacks.tlsPartRecords(scaled(2000, scale), 13, clients)));
                    scenarios.add(5, new Scenario("TLS churn", scaled(3000, scale) + " connections reset, a third "
                            + "each: after a ClientHello, after the TLS handshake, after the upgrade and an echo",
                            () -> tlsAttacks.tlsChurn(scaled(3000, scale), clients)));
                    int flooders = scaled(50, scale);
                    int readers = scaled(300, scale);
                    scenarios.add(6, new Scenario("TLS never-reading", readers + " wss clients sending 256 KiB "
                            + "messages for 10 s, reading nothing",
                            () -> tlsAttacks.tlsNeverReading(readers, 10, clients)));
                    scenarios.add(7, new Scenario("TLS ping flood", flooders + " wss clients sending empty pings "
                            + "for 10 s, reading no pong", () -> tlsAttacks.tlsPingFlood(flooders, 10, clients)));
                    int busy = scaled(200, scale);
                    scenarios.set(scenarios.size() - 1, new Scenario("SIGTERM", busy + " busy clients, every second "
                            + "one on wss, then SIGTERM", () -> lives.sigterm(busy, 3, clients)));
                }
                for (Scenario s : scenarios) {
                    if (only != null && !only.contains(s.name())) {
                        continue;
                    }
                    if (!target.alive()) {
                        System.out.println("the server is gone: " + s.name() + " not run");
                        continue;
                    }
                    rows.add(run(s, target, healthy, attacks, calmP99, calmLive));
                }
            } finally {
                attacks.shutdown();
                healthy.close();
            }
            String report = report(rows, calmP50, calmP99, calmLive, heap, scale, renice, tls, target.stderr());
            System.out.println(report);
            Files.writeString(out.resolve(name + ".md"), report, StandardCharsets.UTF_8);
        }
        boolean failed = rows.stream().anyMatch(r -> !r.failures().isEmpty());
        System.exit(failed ? 1 : 0);
    }

    private record Scenario(String name, String attack, Attack body) {
    }

    private interface Attack {
        Attacks.Tally run() throws Exception;
    }

    private static Row run(Scenario s, Target target, HealthyClient.Remote healthy, Attacks attacks, long calmP99,
            long calmLive) throws Exception {
        System.out.println("== " + s.name() + ": " + s.attack());
        long rssBefore = target.rss();
        long fdsBefore = target.fds();
        target.takePeakRss();
        healthy.window();
        // The floods end with their attackers reading everything the server queued, at full speed: a bulk load of
        // the suite's making, not the attack. Their healthy window ends when the attack does; the rest is a note.
        java.util.concurrent.atomic.AtomicReference<HealthyClient.Window> during =
                new java.util.concurrent.atomic.AtomicReference<>();
        attacks.attackOver = () -> during.compareAndSet(null, healthy.window());
        long start = System.nanoTime();
        Attacks.Tally tally = s.body().run();
        double seconds = (System.nanoTime() - start) / 1e9;
        HealthyClient.Window rest = healthy.window();
        attacks.attackOver = () -> { };
        HealthyClient.Window w = during.get() != null ? during.get() : rest;
        if (during.get() != null) {
            tally.notes.add(String.format("healthy p99 %.2f ms while the attackers then read it all and reset",
                    rest.percentile(99) / 1e6));
        }
        long rssPeak = target.takePeakRss();
        boolean sigterm = s.name().equals("SIGTERM");
        long fdsAfter = sigterm ? -1 : target.awaitFds(fdsBefore, 15_000);
        boolean alive = sigterm || target.alive();
        long liveHeap = sigterm || !alive ? -1 : target.liveHeap();   // outside the healthy window, which has ended

        List<String> failures = new ArrayList<>();
        long p99 = w.percentile(99);
        if (!sigterm && p99 > P99_FACTOR * calmP99) {
            failures.add(String.format("healthy p99 %.2f ms > %.0f x calm", p99 / 1e6, P99_FACTOR));
        }
        if (!sigterm && w.errors() > 0) {
            failures.add(w.errors() + " healthy exchanges failed");
        }
        if (rssPeak - rssBefore > RSS_GROWTH) {
            failures.add("RSS grew " + (rssPeak - rssBefore) / 1048576 + " MiB");
        }
        if (liveHeap > calmLive + LIVE_GROWTH) {
            failures.add(String.format("live heap %.1f MiB after it, %.1f MiB when calm", liveHeap / 1048576.0,
                    calmLive / 1048576.0));
        }
        if (!sigterm && fdsAfter > fdsBefore) {
            failures.add("fds " + fdsBefore + " -> " + fdsAfter);
        }
        if (!alive) {
            failures.add("the server died");
        }
        String err = target.stderr();
        if (err.contains("Exception in thread") || err.contains("OutOfMemoryError")) {
            failures.add("a thread died or the heap ran out (see the server log)");
        }
        failures.addAll(tally.broken);
        if (sigterm) {
            int total = tally.snapshot().values().stream().mapToInt(Integer::intValue).sum();
            if (tally.get("1001") < 0.95 * total) {
                failures.add("only " + tally.get("1001") + " of " + total + " got 1001");
            }
        }
        List<String> notes = new ArrayList<>(tally.notes.stream().distinct().limit(5).toList());
        notes.add(String.format("%.1f s", seconds));
        Row row = new Row(s.name(), s.attack(), tally.snapshot(), notes, w.percentile(50), p99, w.errors(),
                rssBefore, rssPeak, fdsBefore, fdsAfter, liveHeap, alive, failures);
        System.out.println("   " + row.outcomes() + " " + notes + (failures.isEmpty() ? " ok" : " FAILED " + failures));
        System.out.println("   healthy: slowest round trip per ~1 s (ms): " + w.timeline());
        return row;
    }

    private static String report(List<Row> rows, long calmP50, long calmP99, long calmLive, String heap,
            double scale, boolean reniced, boolean tls, String serverLog) {
        StringBuilder sb = new StringBuilder();
        sb.append(tls ? "# Abuse and soak run over TLS\n\n" : "# Abuse and soak run\n\n");
        sb.append(String.format("%s, `bash benchmarks/abuse.sh%s%s`: the echo example with `-Xmx%s`%s, java %s. The "
                + "attackers (one JVM, 32 threads), the healthy client (its own JVM) and the server share the same 2 "
                + "cores%s.%n%n", Instant.now(), tls ? " --tls true" : "", scale == 1 ? "" : " --scale " + scale,
                heap, tls ? " and `--tls-cert --tls-key --same-port` (wss and ws on one port; the healthy client on "
                        + "wss, the plain attacks on ws)" : "",
                System.getProperty("java.version"), reniced ? "; the attackers run under SCHED_IDLE (CPU only when "
                        + "nobody else wants it), the server at nice 0 and the healthy client at -10, since real "
                        + "attackers would be on other machines" : ""));
        sb.append(String.format("Healthy client when calm: p50 %.3f ms, p99 %.3f ms (32-byte echo every 10 ms). "
                + "Server's live heap when calm: %.1f MiB (after a full collection, `jcmd <pid> GC.run`, then "
                + "`GC.heap_info`); the same is measured after each scenario, once its connections are gone, and "
                + "more than %d MiB above the calm figure fails the scenario as a leak.%n%n",
                calmP50 / 1e6, calmP99 / 1e6, calmLive / 1048576.0, LIVE_GROWTH >> 20));
        sb.append("The healthy p99 covers each attack. For the floods (never-reading, ping flood, tiny flood, and "
                + "their TLS forms when they run) that is the 10 s of flooding; afterwards the suite makes the "
                + "attackers read everything queued for them, at full speed, to see their close codes, and the p99 of "
                + "that phase is given as a note.\n\n");
        sb.append("| scenario | attack | what the attackers got | healthy p50 / p99 (ms) | p99 ÷ calm "
                + "| RSS before → peak (MiB) | live heap after (MiB) | fds before → after | result |\n");
        sb.append("|---|---|---|---:|---:|---:|---:|---:|---|\n");
        for (Row r : rows) {
            sb.append(String.format("| %s | %s | %s | %.2f / %.2f | %.1f | %.0f → %.0f | %s | %s | %s |%n", r.name(),
                    r.attack(), outcomes(r) + "; " + String.join("; ", r.notes()), r.p50() / 1e6, r.p99() / 1e6,
                    calmP99 > 0 ? (double) r.p99() / calmP99 : 0, r.rssBefore() / 1048576.0, r.rssPeak() / 1048576.0,
                    r.liveHeap() < 0 ? "–" : String.format("%.1f", r.liveHeap() / 1048576.0),
                    r.fdsAfter() < 0 ? r.fdsBefore() + " → (exited)" : r.fdsBefore() + " → " + r.fdsAfter(),
                    r.failures().isEmpty() ? "ok" : "**FAILED**: " + String.join("; ", r.failures())));
        }
        boolean died = serverLog.contains("Exception in thread") || serverLog.contains("OutOfMemoryError");
        sb.append(String.format("%nServer log: %s.%n", died ? "**a thread died or the heap ran out**"
                : "no thread died, no OutOfMemoryError"));
        return sb.toString();
    }

    private static String outcomes(Row r) {
        List<String> parts = new ArrayList<>();
        r.outcomes().forEach((k, v) -> parts.add(k.matches("\\d{4}") ? v + " × close " + k : v + " × " + k));
        return parts.isEmpty() ? "nothing" : String.join(", ", parts);
    }

    /** @return {@code [cert.pem, key.pem]}: a self-signed EC certificate for localhost, made by openssl */
    private static Path[] selfSigned(Path dir) throws IOException, InterruptedException {
        Path cert = dir.resolve("abuse-cert.pem");
        Path key = dir.resolve("abuse-key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days",
                "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl req failed: " + output);
        }
        return new Path[] {cert, key};
    }

    private static int scaled(int n, double scale) {
        return Math.max(1, (int) Math.round(n * scale));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: Abuse [--jar PATH] [--heap 64m] [--scale F] [--tls true] "
                        + "[--only a,b] [--out DIR], or Abuse --fan-out true [--jar PATH] [--pages N] [--flooders N] "
                        + "[--seconds N] [--out DIR]; got " + args[i]);
            }
            m.put(args[i], args[++i]);
        }
        return m;
    }
}
