package io.wirefly.bench.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one scenario against one running server and returns its metrics. The load generator runs on the calling
 * thread; its CPU time (from {@link ThreadMXBean}) is reported beside the server's (from {@code /proc}) so a
 * reader can see that the generator was not the bottleneck.
 *
 * <p>Metric names carry their unit: {@code msg_per_s}, {@code p99_us}, {@code rss_per_conn_bytes}, ...
 */
final class Scenarios {
    private static final long CONNECT_TIMEOUT_NANOS = 180_000_000_000L;
    private static final int MAX_PENDING_HANDSHAKES = 100;
    private static final int MASK_KEY = 0x1B2C_3D4E;
    private static final int PARALLEL_HANDSHAKES = 50;
    /** The deflate scenario's message: 1 KiB of JSON-like text, as a dashboard or a device fleet sends. */
    static final String JSON_TEXT = jsonText(1024);

    private static String jsonText(int size) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; sb.length() < size - 90; i++) {
            sb.append(i == 0 ? "" : ",").append(String.format(java.util.Locale.ROOT,
                    "{\"id\":%d,\"device\":\"sensor-%02d\",\"temp\":%.1f,\"ok\":%b}", i, i % 17,
                    20 + (i * 7 % 50) / 10.0, i % 5 != 0));
        }
        sb.append(']');
        while (sb.length() < size) {
            sb.insert(sb.length() - 1, ' ');
        }
        return sb.toString();
    }
    /** An echo later than this counts as stalled (the slowest healthy 64 KiB echo here takes a few ms). */
    private static final long STALL_NANOS = 500_000_000L;

    private final Sizing sizing;
    private long stalls;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** The client context of the wss scenarios (trusting the run's certificate), or null when none runs. */
    private final javax.net.ssl.SSLContext tls;
    /** The TLS protocol and suite the last wss run negotiated. */
    private String negotiated;

    Scenarios(Sizing sizing) {
        this(sizing, null);
    }

    Scenarios(Sizing sizing, javax.net.ssl.SSLContext tls) {
        this.sizing = sizing;
        this.tls = tls;
    }

    /** @return the TLS protocol and cipher suite of the last wss run, such as {@code TLSv1.3 TLS_AES_256_GCM_SHA384} */
    String negotiated() {
        return negotiated;
    }

    Map<String, Double> run(Scenario scenario, ServerProcess server) throws IOException {
        return switch (scenario) {
            case LATENCY -> echo(server, 1, sizing.latencyPayload(), true, null, false);
            case ECHO -> echo(server, sizing.echoConnections(), sizing.echoPayload(), false, null, false);
            case BULK -> echo(server, sizing.bulkConnections(), sizing.bulkPayload(), false, null, false);
            case WSS_ECHO -> echo(server, sizing.echoConnections(), sizing.echoPayload(), false, requireTls(), false);
            case WSS_BULK -> echo(server, sizing.bulkConnections(), sizing.bulkPayload(), false, requireTls(), false);
            case WSS_PAIRED -> paired(server, requireTls());
            case DEFLATE -> echo(server, sizing.echoConnections(), JSON_TEXT.length(), false, null, true);
            case IDLE -> idle(server);
            case BROADCAST -> broadcast(server);
            case HANDSHAKE -> handshakes(server);
        };
    }

    private javax.net.ssl.SSLContext requireTls() {
        if (tls == null) {
            throw new IllegalStateException("a wss scenario without a client TLS context");
        }
        return tls;
    }

    /**
     * Closed-loop echo: every connection keeps exactly one message in flight; over TLS when {@code tls} is set; with
     * {@code deflate}, {@link #JSON_TEXT} compressed with permessage-deflate (the echo's compressed size is not
     * checked, only that it is a text message).
     */
    private Map<String, Double> echo(ServerProcess server, int connections, int payload, boolean latency,
            javax.net.ssl.SSLContext tls, boolean deflate) throws IOException {
        ByteBuffer frame = deflate ? ClientFrames.deflatedText(JSON_TEXT, MASK_KEY)
                : ClientFrames.masked(ClientFrames.BINARY, ClientFrames.payload(payload, 0), MASK_KEY);
        ByteBuffer[] views = new ByteBuffer[connections];
        long[] samples = new long[latency ? sizing.maxLatencySamples() : 0];
        int[] sampleCount = new int[1];
        long[] counts = new long[2]; // messages, payload bytes
        boolean[] recording = new boolean[1];
        ClientEngine[] engineRef = new ClientEngine[1];
        ClientEngine.Listener listener = (c, opcode, length, prefix) -> {
            long now = System.nanoTime();
            if (deflate ? opcode != ClientFrames.TEXT : length != payload) {
                throw new IOException("echo of " + length + " bytes (opcode " + opcode + "), sent " + payload);
            }
            counts[0]++;
            counts[1] += payload;
            if (--c.inFlight > 0) {
                return; // the echo of a stalled message; the echo of its nudge follows
            }
            if (recording[0] && sampleCount[0] < samples.length) {
                samples[sampleCount[0]++] = now - c.sentAt;
            }
            ByteBuffer view = views[c.id].clear();
            c.sentAt = System.nanoTime();
            c.inFlight = 1;
            engineRef[0].send(c, view);
        };
        try (ClientEngine engine = new ClientEngine(server.port(), tls, listener)) {
            engineRef[0] = engine;
            if (deflate) {
                engine.offerDeflate();
            }
            connectAll(engine, "/", connections);
            if (deflate && !engine.connections().stream().allMatch(c -> c.deflateAccepted)) {
                throw new IOException("the server did not negotiate permessage-deflate");
            }
            if (tls != null) {
                negotiated = engine.tlsDescription();
            }
            for (ClientConnection c : engine.connections()) {
                views[c.id] = frame.duplicate();
                c.sentAt = System.nanoTime();
                c.inFlight = 1;
                engine.send(c, views[c.id]);
            }
            runWithWatchdog(engine, frame, System.nanoTime() + sizing.warmupMillis() * 1_000_000L);
            requireAllOpen(engine, connections);
            long stalls0 = stalls;

            long messages0 = counts[0];
            long bytes0 = counts[1];
            long serverCpu0 = server.cpuNanos();
            long serverSys0 = server.systemCpuNanos();
            long clientCpu0 = threads.getCurrentThreadCpuTime();
            long processCpu0 = os.getProcessCpuTime();
            long start = System.nanoTime();
            recording[0] = true;
            runWithWatchdog(engine, frame, start + sizing.measureMillis() * 1_000_000L);
            recording[0] = false;
            long wall = System.nanoTime() - start;
            long serverCpu = server.cpuNanos() - serverCpu0;
            long serverSys = server.systemCpuNanos() - serverSys0;
            long clientCpu = threads.getCurrentThreadCpuTime() - clientCpu0;
            long processCpu = os.getProcessCpuTime() - processCpu0;
            long messages = counts[0] - messages0;
            long bytes = counts[1] - bytes0;
            requireAllOpen(engine, connections);
            if (messages == 0) {
                throw new IOException("no echo arrived in " + sizing.measureMillis() + " ms");
            }

            Map<String, Double> m = new LinkedHashMap<>();
            double seconds = wall / 1e9;
            if (latency) {
                long[] sorted = Arrays.copyOf(samples, sampleCount[0]);
                Arrays.sort(sorted);
                m.put("p50_us", percentile(sorted, 0.50) / 1e3);
                m.put("p99_us", percentile(sorted, 0.99) / 1e3);
                m.put("p999_us", percentile(sorted, 0.999) / 1e3);
                m.put("samples", (double) sorted.length);
            }
            m.put("msg_per_s", messages / seconds);
            if (payload >= 1024) {
                m.put("mb_per_s", bytes / seconds / 1e6);
                m.put("server_cpu_ms_per_mb", serverCpu / 1e6 / (bytes / 1e6));
            }
            m.put("server_cpu_us_per_msg", serverCpu / 1e3 / messages);
            m.put("server_cpu_pct", 100.0 * serverCpu / wall);
            m.put("server_kernel_pct", serverCpu == 0 ? 0 : 100.0 * serverSys / serverCpu);
            m.put("client_cpu_us_per_msg", clientCpu / 1e3 / messages);
            m.put("client_cpu_pct", 100.0 * clientCpu / wall);
            m.put("client_process_cpu_pct", 100.0 * processCpu / wall);
            m.put("stalls", (double) (stalls - stalls0));
            return m;
        }
    }

    /** Pairs of windows in {@link #paired}. */
    private static final int PAIRED_WINDOWS = 10;

    /**
     * The closed-loop echo of {@link #echo}, over ws and wss at once to a server that serves both on its one port:
     * {@link #PAIRED_WINDOWS} pairs of windows, one ws and one wss, each a fifth of the measured time (the first of
     * each pair alternating), after the warm-up has run both. While one set of connections runs, the other waits
     * with its echo unread, so each window's server CPU is that set's. The ratio of server CPU per message, wss to
     * ws, is taken pair by pair: the machine's drift, minutes long, hits both windows of a pair alike.
     */
    private Map<String, Double> paired(ServerProcess server, javax.net.ssl.SSLContext tls) throws IOException {
        int connections = sizing.echoConnections();
        int payload = sizing.echoPayload();
        ByteBuffer frame = ClientFrames.masked(ClientFrames.BINARY, ClientFrames.payload(payload, 0), MASK_KEY);
        long[] counts = new long[2];   // ws, wss echoes
        ClientEngine[] engines = new ClientEngine[2];
        ByteBuffer[][] views = new ByteBuffer[2][connections];
        try (ClientEngine plain = new ClientEngine(server.port(), closedLoop(engines, 0, views, counts, payload));
                ClientEngine secure = new ClientEngine(server.port(), tls,
                        closedLoop(engines, 1, views, counts, payload))) {
            engines[0] = plain;
            engines[1] = secure;
            for (int e = 0; e < 2; e++) {
                connectAll(engines[e], "/", connections);
                for (ClientConnection c : engines[e].connections()) {
                    views[e][c.id] = frame.duplicate();
                    c.sentAt = System.nanoTime();
                    c.inFlight = 1;
                    engines[e].send(c, views[e][c.id]);
                }
            }
            negotiated = secure.tlsDescription();
            long window = Math.max(100, sizing.measureMillis() / 5) * 1_000_000L;
            for (long end = System.nanoTime() + sizing.warmupMillis() * 1_000_000L; System.nanoTime() < end; ) {
                runWithWatchdog(plain, frame, System.nanoTime() + window / 4);
                runWithWatchdog(secure, frame, System.nanoTime() + window / 4);
            }
            double[][] cpuPerMessage = new double[2][PAIRED_WINDOWS];
            double[][] rate = new double[2][PAIRED_WINDOWS];
            double[] ratios = new double[PAIRED_WINDOWS];
            for (int pair = 0; pair < PAIRED_WINDOWS; pair++) {
                for (int turn = 0; turn < 2; turn++) {
                    int e = (pair + turn) % 2;
                    long messages0 = counts[e];
                    long cpu0 = server.cpuNanos();
                    long start = System.nanoTime();
                    runWithWatchdog(engines[e], frame, start + window);
                    long wall = System.nanoTime() - start;
                    long messages = counts[e] - messages0;
                    if (messages == 0) {
                        throw new IOException("no " + (e == 0 ? "ws" : "wss") + " echo in a window of "
                                + window / 1_000_000 + " ms");
                    }
                    cpuPerMessage[e][pair] = (server.cpuNanos() - cpu0) / 1e3 / messages;
                    rate[e][pair] = messages / (wall / 1e9);
                }
                ratios[pair] = cpuPerMessage[1][pair] / cpuPerMessage[0][pair];
            }
            requireAllOpen(plain, connections);
            requireAllOpen(secure, connections);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("wss_over_ws_cpu", median(ratios));
            m.put("wss_over_ws_cpu_min", Arrays.stream(ratios).min().orElse(Double.NaN));
            m.put("wss_over_ws_cpu_max", Arrays.stream(ratios).max().orElse(Double.NaN));
            m.put("ws_server_cpu_us_per_msg", median(cpuPerMessage[0]));
            m.put("wss_server_cpu_us_per_msg", median(cpuPerMessage[1]));
            m.put("ws_msg_per_s", median(rate[0]));
            m.put("wss_msg_per_s", median(rate[1]));
            m.put("windows", (double) (2 * PAIRED_WINDOWS));
            return m;
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return percentile(sorted, 0.5);
    }

    /**
     * @param engines the two engines, filled in before any echo arrives
     * @param e which of them this listener serves
     * @return a listener that counts each echo in {@code counts[e]} and sends the connection's next message
     */
    private static ClientEngine.Listener closedLoop(ClientEngine[] engines, int e, ByteBuffer[][] views,
            long[] counts, int payload) {
        return (c, opcode, length, prefix) -> {
            if (length != payload) {
                throw new IOException("echo of " + length + " bytes (opcode " + opcode + "), sent " + payload);
            }
            counts[e]++;
            if (--c.inFlight > 0) {
                return;   // the echo of a stalled message; the echo of its nudge follows
            }
            c.sentAt = System.nanoTime();
            c.inFlight = 1;
            engines[e].send(c, views[e][c.id].clear());
        };
    }

    /**
     * Runs the closed loop until the deadline, nudging stalled connections: when an echo has not come back within
     * {@link #STALL_NANOS}, the same message is sent once more (some servers hold a reply until the connection
     * reads again). Each nudge is counted in {@code stalls}; the stalled round trip stays in the latency samples.
     */
    private void runWithWatchdog(ClientEngine engine, ByteBuffer frame, long deadline) throws IOException {
        while (System.nanoTime() < deadline) {
            engine.runUntil(Math.min(deadline, System.nanoTime() + 100_000_000L), () -> false);
            long now = System.nanoTime();
            for (ClientConnection c : engine.connections()) {
                if (c.isOpen() && c.inFlight == 1 && now - c.sentAt > STALL_NANOS) {
                    c.inFlight = 2;
                    stalls++;
                    engine.send(c, frame.duplicate());
                }
            }
        }
    }

    /** Opens many connections and holds them; measures the server's heap after GC and RSS per connection. */
    private Map<String, Double> idle(ServerProcess server) throws IOException {
        int count = sizing.idleConnections();
        int warm = 10;
        ByteBuffer frame = ClientFrames.masked(ClientFrames.BINARY, ClientFrames.payload(16, 0), MASK_KEY);
        int[] echoed = new int[1];
        try (ClientEngine engine = new ClientEngine(server.port(), (c, opcode, length, prefix) -> echoed[0]++)) {
            // A few connections that exchange a message first, so that the baseline includes the code paths
            // (classes, JIT, buffer pools) every connection shares.
            connectAll(engine, "/", warm);
            for (ClientConnection c : engine.connections()) {
                engine.send(c, frame.duplicate());
            }
            engine.runUntil(System.nanoTime() + 10_000_000_000L, () -> echoed[0] == warm);
            if (echoed[0] != warm) {
                throw new IOException("only " + echoed[0] + " of " + warm + " warm-up echoes arrived");
            }
            long heap0 = server.heapAfterGc();
            long rss0 = server.rssBytes();

            long start = System.nanoTime();
            connectAll(engine, "/", count);
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            engine.runUntil(System.nanoTime() + 2_000_000_000L, () -> false);
            requireAllOpen(engine, warm + count);
            long heap1 = server.heapAfterGc();
            long rss1 = server.rssBytes();
            requireAllOpen(engine, warm + count);

            Map<String, Double> m = new LinkedHashMap<>();
            m.put("connections", (double) count);
            m.put("heap_per_conn_bytes", (double) (heap1 - heap0) / count);
            m.put("rss_per_conn_bytes", (double) (rss1 - rss0) / count);
            m.put("heap_after_gc_mb", heap1 / 1e6);
            m.put("rss_mb", rss1 / 1e6);
            m.put("connect_per_s", count / connectSeconds);
            return m;
        }
    }

    /** One subscriber publishes; the server sends the message to every subscriber; time until the last has it. */
    private Map<String, Double> broadcast(ServerProcess server) throws IOException {
        int subscribers = sizing.broadcastSubscribers();
        long[] round = {-1};
        int[] received = new int[1];
        long[] lastAt = new long[1];
        ClientEngine.Listener listener = (c, opcode, length, prefix) -> {
            if (prefix == round[0] && c.lastStamp != prefix) {
                c.lastStamp = prefix;
                if (++received[0] == subscribers) {
                    lastAt[0] = System.nanoTime();
                }
            }
        };
        try (ClientEngine engine = new ClientEngine(server.port(), listener)) {
            connectAll(engine, "/broadcast", subscribers);
            ClientConnection publisher = engine.connections().get(0);
            int rounds = sizing.broadcastWarmupRounds() + sizing.broadcastRounds();
            double[] millis = new double[sizing.broadcastRounds()];
            long serverCpu0 = 0;
            for (int r = 0; r < rounds; r++) {
                if (r == sizing.broadcastWarmupRounds()) {
                    serverCpu0 = server.cpuNanos();
                }
                ByteBuffer frame = ClientFrames.masked(ClientFrames.BINARY,
                        ClientFrames.payload(sizing.broadcastPayload(), r), MASK_KEY);
                round[0] = r;
                received[0] = 0;
                long start = System.nanoTime();
                engine.send(publisher, frame);
                boolean warmup = r < sizing.broadcastWarmupRounds();
                // A warm-up round may miss subscribers whose registration the server completes just after their
                // handshake; measured rounds must reach everyone.
                engine.runUntil(start + (warmup ? 2_000_000_000L : 30_000_000_000L),
                        () -> received[0] == subscribers);
                requireAllOpen(engine, subscribers);
                if (!warmup && received[0] != subscribers) {
                    List<Integer> missing = engine.connections().stream().filter(c -> c.lastStamp != round[0])
                            .map(c -> c.id).limit(10).toList();
                    throw new IOException("broadcast " + r + " reached " + received[0] + " of " + subscribers
                            + " subscribers in 30 s; missing connections " + missing + errorOf(engine));
                }
                if (!warmup) {
                    millis[r - sizing.broadcastWarmupRounds()] = (lastAt[0] - start) / 1e6;
                }
                // Let the server's queues drain before the next round.
                engine.runUntil(System.nanoTime() + 20_000_000L, () -> false);
            }
            long serverCpu = server.cpuNanos() - serverCpu0;
            Arrays.sort(millis);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("subscribers", (double) subscribers);
            m.put("last_ms_p50", percentile(millis, 0.5));
            m.put("last_ms_p90", percentile(millis, 0.9));
            m.put("last_ms_min", millis[0]);
            m.put("server_cpu_us_per_delivery", serverCpu / 1e3 / ((double) subscribers * millis.length));
            return m;
        }
    }

    /**
     * Connection churn at a steady {@value #PARALLEL_HANDSHAKES} in flight: each new connection upgrades, sends one
     * 16-byte message, waits for its echo, sends a close frame and ends at the server's close frame; a finished one
     * is replaced at once. Warm-up, then handshakes per second and server CPU per handshake over the measured time.
     */
    private Map<String, Double> handshakes(ServerProcess server) throws IOException {
        ByteBuffer frame = ClientFrames.masked(ClientFrames.BINARY, ClientFrames.payload(16, 0), MASK_KEY);
        ClientEngine[] engineRef = new ClientEngine[1];
        ClientEngine.Listener listener = new ClientEngine.Listener() {
            @Override
            public void onOpen(ClientConnection c) {
                engineRef[0].send(c, frame.duplicate());
            }

            @Override
            public void onMessage(ClientConnection c, int opcode, long length, long prefix) {
                engineRef[0].closeGracefully(c);
            }
        };
        try (ClientEngine engine = new ClientEngine(server.port(), listener)) {
            engineRef[0] = engine;
            long warmupEnd = System.nanoTime() + sizing.warmupMillis() * 1_000_000L;
            long end = warmupEnd + sizing.measureMillis() * 1_000_000L;
            int started = 0;
            int finished0 = 0;
            long serverCpu0 = 0;
            long clientCpu0 = 0;
            boolean measuring = false;
            while (System.nanoTime() < end) {
                if (!measuring && System.nanoTime() >= warmupEnd) {
                    measuring = true;
                    finished0 = engine.finishedCount();
                    serverCpu0 = server.cpuNanos();
                    clientCpu0 = threads.getCurrentThreadCpuTime();
                }
                int failed = engine.closedCount() - engine.finishedCount();
                if (failed > 0) {
                    throw new IOException(failed + " connections failed" + errorOf(engine));
                }
                while (started - engine.closedCount() < PARALLEL_HANDSHAKES) {
                    engine.startOne("/");
                    started++;
                }
                int before = engine.closedCount();
                engine.runUntil(Math.min(end, System.nanoTime() + 50_000_000L), () -> engine.closedCount() != before);
            }
            int done = engine.finishedCount() - finished0;
            long serverCpu = server.cpuNanos() - serverCpu0;
            long clientCpu = threads.getCurrentThreadCpuTime() - clientCpu0;
            double seconds = sizing.measureMillis() / 1e3;
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("handshakes_per_s", done / seconds);
            m.put("server_cpu_us_per_handshake", serverCpu / 1e3 / Math.max(1, done));
            m.put("client_cpu_pct", 100.0 * clientCpu / (seconds * 1e9));
            return m;
        }
    }

    private static void connectAll(ClientEngine engine, String path, int count) throws IOException {
        int opened = engine.connect(path, count, MAX_PENDING_HANDSHAKES, System.nanoTime() + CONNECT_TIMEOUT_NANOS);
        if (opened != count) {
            throw new IOException("opened " + opened + " of " + count + " connections to " + path + errorOf(engine));
        }
    }

    private static void requireAllOpen(ClientEngine engine, int expected) throws IOException {
        if (engine.openCount() != expected) {
            throw new IOException((expected - engine.openCount()) + " of " + expected + " connections closed"
                    + errorOf(engine));
        }
    }

    private static String errorOf(ClientEngine engine) {
        return engine.firstError() == null ? "" : " (first error: " + engine.firstError() + ")";
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))];
    }

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[(int) Math.max(0, Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1))];
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
