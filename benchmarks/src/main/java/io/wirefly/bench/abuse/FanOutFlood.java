package io.wirefly.bench.abuse;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Amplification against the LED example ({@code java -Xmx64m -jar ws-examples.jar led}): every change of the LED is
 * pushed to every page, so one TOGGLE costs the server a write per page. {@code pages} connections on {@code /led}
 * read everything; {@code flooders} more send TOGGLE as fast as the server takes it for {@code seconds}; every
 * 500 ms a new client asks for the page ({@code GET /}) and times the answer. The bar: every new client answered
 * within 2 s, the heap back within 16 MiB of where it was, the descriptors back, no thread dead.
 *
 * <pre>{@code
 * bash benchmarks/abuse.sh --fan-out true                 # writes benchmarks/results/fan-out.md
 * bash benchmarks/abuse.sh --fan-out true --jar OLD.jar --out /tmp/before
 * }</pre>
 */
final class FanOutFlood {
    private static final Pattern LISTENING = Pattern.compile("LED demo on https?://localhost:(\\d+)/");
    private static final long BAR_MILLIS = Attacks.FRESH_CLIENT_BAR_MILLIS;
    private static final long LIVE_GROWTH = 16L << 20;

    private FanOutFlood() {
    }

    static boolean run(Map<String, String> opts, List<String> serverPrefix) throws Exception {
        Path jar = Path.of(opts.getOrDefault("--jar", "ws-examples/target/ws-examples.jar"));
        String heap = opts.getOrDefault("--heap", "64m");
        int pages = Integer.parseInt(opts.getOrDefault("--pages", "2000"));
        int flooders = Integer.parseInt(opts.getOrDefault("--flooders", "4"));
        int seconds = Integer.parseInt(opts.getOrDefault("--seconds", "15"));
        Path out = Path.of(opts.getOrDefault("--out", "benchmarks/results"));
        Files.createDirectories(out.resolve("logs"));
        try (Target target = Target.start(serverPrefix, jar, heap, List.of("led", "--port", "0", "--stop-timeout",
                "5"), LISTENING, out.resolve("logs").resolve("fan-out-server.log"))) {
            Thread.sleep(2_000);
            long calmProbe = probe(target.port);
            long liveBefore = target.liveHeap();
            long fdsBefore = target.fds();
            target.takePeakRss();
            long rssBefore = target.rss();

            List<SocketChannel> all = new ArrayList<>();
            AtomicBoolean on = new AtomicBoolean(true);
            AtomicLong pageBytes = new AtomicLong();
            java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
            List<Long> probes = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            long sent;
            try (Selector selector = Selector.open()) {
                for (int i = 0; i < pages + flooders; i++) {
                    SocketChannel ch = upgraded(target.port);
                    all.add(ch);
                    ch.register(selector, SelectionKey.OP_READ);   // flooders get the pushes too, and read them
                }
                threads.add(new Thread(() -> drain(selector, on, pageBytes, closed), "pages"));
                byte[] toggle = RawPeer.frame(RawPeer.TEXT, "TOGGLE".getBytes(StandardCharsets.US_ASCII), true);
                ByteBuffer batch = ByteBuffer.allocate(toggle.length * 2_000);
                while (batch.remaining() >= toggle.length) {
                    batch.put(toggle);
                }
                AtomicLong toggles = new AtomicLong();
                for (int f = 0; f < flooders; f++) {
                    SocketChannel ch = all.get(pages + f);
                    threads.add(new Thread(() -> flood(ch, batch.duplicate(), toggle.length, on, toggles,
                            seconds), "flooder"));
                }
                threads.forEach(Thread::start);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                while (System.nanoTime() < end) {
                    probes.add(probe(target.port));
                    Thread.sleep(500);
                }
                on.set(false);
                for (Thread t : threads) {
                    t.join(10_000);
                }
                sent = toggles.get();
            } finally {
                for (SocketChannel ch : all) {
                    ch.close();
                }
            }
            long rssPeak = target.takePeakRss();
            long fdsAfter = target.awaitFds(fdsBefore, 15_000);
            long liveAfter = target.liveHeap();
            String err = target.stderr();
            List<Long> sorted = new ArrayList<>(probes);
            Collections.sort(sorted);
            long worst = sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1);
            long median = sorted.isEmpty() ? -1 : sorted.get(sorted.size() / 2);
            List<String> failures = new ArrayList<>();
            if (worst < 0 || worst > TimeUnit.MILLISECONDS.toNanos(BAR_MILLIS)) {
                failures.add(String.format("a new client waited %.0f ms (bar %d ms)", worst / 1e6, BAR_MILLIS));
            }
            if (liveAfter > liveBefore + LIVE_GROWTH) {
                failures.add(String.format("live heap %.1f MiB after, %.1f before", liveAfter / 1048576.0,
                        liveBefore / 1048576.0));
            }
            if (fdsAfter > fdsBefore) {
                failures.add("fds " + fdsBefore + " -> " + fdsAfter);
            }
            if (!target.alive() || err.contains("Exception in thread") || err.contains("OutOfMemoryError")) {
                failures.add("a thread died, the heap ran out or the server is gone (see the server log)");
            }
            String report = String.format("""
                    # Fan-out flood

                    %s, `bash benchmarks/abuse.sh --fan-out true` (%s): the LED example with `-Xmx%s`, java %s, the \
                    simulated HAL. %d pages on `/led` read every push; %d flooders send TOGGLE as fast as the server \
                    takes it for %d s (each TOGGLE makes the server push `LED ON` or `LED OFF` to every page); every \
                    500 ms a new client asks for the page and times the answer.

                    | new client's answer: calm | during the flood: median | max | flooders' TOGGLEs sent | bytes \
                    the pages got | pages and flooders the server closed | server RSS before → peak (MiB) | live heap \
                    before → after (MiB) | fds before → after | result |
                    |---:|---:|---:|---:|---:|---:|---:|---:|---:|---|
                    | %.1f ms | %.1f ms (%d probes) | %.1f ms | %,d | %,d | %d | %.0f → %.0f | %.1f → %.1f | %d → %d | %s |

                    Server log: %s.
                    """, java.time.Instant.now(), jar, heap, System.getProperty("java.version"), pages, flooders,
                    seconds, calmProbe / 1e6, median / 1e6, sorted.size(), worst / 1e6, sent, pageBytes.get(),
                    closed.get(), rssBefore / 1048576.0, rssPeak / 1048576.0, liveBefore / 1048576.0, liveAfter / 1048576.0,
                    fdsBefore, fdsAfter, failures.isEmpty() ? "ok" : "**FAILED**: " + String.join("; ", failures),
                    err.contains("Exception in thread") || err.contains("OutOfMemoryError")
                            ? "a thread died or the heap ran out" : "no thread died, no OutOfMemoryError");
            System.out.println(report);
            Files.writeString(out.resolve("fan-out.md"), report, StandardCharsets.UTF_8);
            return failures.isEmpty();
        }
    }

    /** @return a non-blocking channel upgraded on {@code /led} (nothing after the 101 is taken) */
    private static SocketChannel upgraded(int port) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        String request = new String(RawPeer.request(port, false), StandardCharsets.US_ASCII)
                .replaceFirst("GET / ", "GET /led ");
        ch.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("closed during the upgrade: " + head);
            }
            head.append((char) one.get(0));
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("not upgraded: " + head);
        }
        ch.configureBlocking(false);
        return ch;
    }

    /** Reads every page (and flooder) until the flood is over; counts the bytes. */
    /** Reads every push until the flood is over; counts in {@code closed} the connections the server closed. */
    private static void drain(Selector selector, AtomicBoolean on, AtomicLong bytes,
            java.util.concurrent.atomic.AtomicInteger closed) {
        ByteBuffer sink = ByteBuffer.allocate(64 << 10);
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        try {
            while (on.get() && System.nanoTime() < end) {
                selector.select(k -> {
                    sink.clear();
                    try {
                        int n = ((SocketChannel) k.channel()).read(sink);
                        if (n < 0) {
                            k.cancel();
                            closed.incrementAndGet();
                        } else {
                            bytes.addAndGet(n);
                        }
                    } catch (IOException e) {
                        k.cancel();   // reset: the others read on
                        closed.incrementAndGet();
                    }
                }, 100);
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            // the run is over
        }
    }

    /** Sends the batch of TOGGLEs over and over while the flood is on, for {@code seconds} at most. */
    private static void flood(SocketChannel ch, ByteBuffer batch, int frameBytes, AtomicBoolean on,
            AtomicLong toggles, int seconds) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 5L);
        try {
            while (on.get() && System.nanoTime() < end) {
                batch.clear();
                while (batch.hasRemaining() && on.get()) {
                    int n = ch.write(batch);
                    if (n == 0) {
                        Thread.sleep(1);   // the server reads no more from us for now: TCP holds the rest
                    }
                }
                toggles.addAndGet((batch.position()) / frameBytes);
            }
        } catch (IOException | InterruptedException e) {
            // closed by the server, or the run is over
        }
    }

    /** @return nanoseconds from connecting to the first line of the page's answer (30 s at most) */
    private static long probe(int port) {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            for (int b; (b = in.read()) >= 0 && b != '\n'; ) {
                // the status line
            }
        } catch (IOException e) {
            return TimeUnit.SECONDS.toNanos(30);
        }
        return System.nanoTime() - start;
    }
}
