package io.wirefly.bench.abuse;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attacks, one method each. Every one is bounded in connections and in time, talks to 127.0.0.1 only, and
 * returns what the attackers saw of the server's answers: close codes, or what happened instead ({@code EOF},
 * {@code reset}, {@code timeout}, {@code echoed}).
 *
 * <p>Here are the attacker pool and the attacks on the opening handshake (stalled heads, answers left unclosed).
 * What upgraded peers send is in {@link MessageAttacks}, the floods in {@link FloodAttacks}, the attacks on a
 * connection's life (churn, idle connections, SIGTERM) in {@link LifecycleAttacks}, the attacks on the TLS layer in
 * {@link TlsAttacks}; all of them use this class's pool and helpers.
 */
final class Attacks {
    /** What one attack saw, by outcome. */
    static final class Tally {
        private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<String> notes = new ConcurrentLinkedQueue<>();
        /** Bars the attack itself saw broken (a fresh client locked out, say); each fails the scenario. */
        final ConcurrentLinkedQueue<String> broken = new ConcurrentLinkedQueue<>();

        void add(String outcome) {
            counts.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
        }

        void code(int code) {
            add(switch (code) {
                case RawPeer.EOF -> "EOF";
                case RawPeer.RESET -> "reset";
                case RawPeer.TIMEOUT -> "no answer";
                default -> Integer.toString(code);
            });
        }

        int get(String outcome) {
            AtomicInteger n = counts.get(outcome);
            return n == null ? 0 : n.get();
        }

        Map<String, Integer> snapshot() {
            Map<String, Integer> m = new TreeMap<>();
            counts.forEach((k, v) -> m.put(k, v.get()));
            return m;
        }
    }

    /**
     * Called by an attack whose attackers then stay to read what the server sent (the floods): the attack proper is
     * over, what follows is the suite collecting close codes. Set by the suite before each scenario.
     */
    volatile Runnable attackOver = () -> { };

    private final int port;
    private final ExecutorService pool;

    Attacks(Target target, int threads) {
        this.port = target.port;
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "attacker");
            t.setDaemon(true);
            return t;
        });
    }

    void shutdown() {
        pool.shutdownNow();
    }

    /** Runs {@code n} tasks on the pool and waits for them (at most {@code timeoutSeconds} in all). */
    void parallel(int n, long timeoutSeconds, IndexedTask task, Tally tally) throws InterruptedException {
        List<Future<?>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                try {
                    task.run(index);
                } catch (IOException e) {
                    tally.add("client error: " + e.getClass().getSimpleName());
                    tally.notes.add(String.valueOf(e.getMessage()));
                }
                return null;
            }));
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        for (Future<?> f : futures) {
            try {
                f.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                tally.add("client error: " + e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                f.cancel(true);
                tally.add("client gave up");
            }
        }
    }

    /** Runs {@code task} on the attacker pool. */
    Future<?> submit(Runnable task) {
        return pool.submit(task);
    }

    /** @return what a new connection got for one binary message of {@code size} bytes: "echoed" or a close code */
    String freshClientSends(int size) {
        byte[] message = new byte[size];
        ThreadLocalRandom.current().nextBytes(message);
        try (RawPeer p = RawPeer.open(port, false)) {
            p.socket.setSoTimeout(5_000);
            byte[] frame = RawPeer.frame(RawPeer.BINARY, message, true);
            p.send(java.util.Arrays.copyOf(frame, frame.length / 2));
            Thread.sleep(100);   // two reads: the server must assemble the message, so it needs budget for it
            p.send(java.util.Arrays.copyOfRange(frame, frame.length / 2, frame.length));
            RawPeer.Frame f = p.readFrame(size);
            if (f.opcode() == RawPeer.CLOSE) {
                return "close " + f.closeCode();
            }
            return java.util.Arrays.equals(f.payload(), message) ? "echoed" : "a wrong echo";
        } catch (IOException e) {
            return e.getClass().getSimpleName();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    interface IndexedTask {
        void run(int index) throws IOException, InterruptedException;
    }

    // ---- The attacks ---------------------------------------------------------------------------------------------

    /** {@code n} connections that send half a handshake head and then one header line a second. */
    Tally slowloris(int n, int seconds) throws InterruptedException {
        Tally tally = new Tally();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s;
            try {
                s = RawPeer.connect(port);
                s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                tally.add("connect failed");
                continue;
            }
            sockets.add(s);
        }
        byte[] line = "X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII);
        boolean[] cut = new boolean[sockets.size()];
        for (int second = 0; second < seconds; second++) {
            Thread.sleep(1000);
            for (int i = 0; i < sockets.size(); i++) {
                if (!cut[i]) {
                    try {
                        sockets.get(i).getOutputStream().write(line);
                    } catch (IOException e) {
                        cut[i] = true;
                    }
                }
            }
        }
        for (Socket s : sockets) {
            try (s) {
                s.setSoTimeout(200);
                int b = s.getInputStream().read();
                tally.add(b < 0 ? "EOF" : "answered");
            } catch (SocketTimeoutException e) {
                tally.add("still open");
            } catch (IOException e) {
                tally.add("reset");
            }
        }
        return tally;
    }

    /**
     * {@code n} connections that each send a 15 KiB request head (four header lines of 3,900 bytes, under the 8 KiB
     * line limit and the 16 KiB head limit) without its blank line, then nothing for {@code seconds}: every
     * connection makes the server hold its head. Without a bound on handshakes in progress, 6,000 of them exhausted a
     * 64 MiB heap.
     */
    Tally heavyHeads(int n, int seconds) throws InterruptedException {
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n");
        for (int line = 0; line < 4; line++) {
            head.append("X-Heavy-").append(line).append(": ").append("h".repeat(3900)).append("\r\n");
        }
        byte[] bytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        return stallAfter(n, seconds, () -> bytes);
    }

    interface Opening {
        byte[] bytes() throws IOException;
    }

    /**
     * {@code n} connections that each send {@code opening} and then nothing for {@code seconds}; then each is read
     * to its end (100 ms at most) and closed, and what it got is tallied.
     */
    Tally stallAfter(int n, int seconds, Opening opening) throws InterruptedException {
        Tally tally = new Tally();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                byte[] bytes = opening.bytes();
                Socket s = RawPeer.connect(port);
                sockets.add(s);
                s.getOutputStream().write(bytes);
            } catch (IOException e) {
                tally.add("connect or write failed");
            }
        }
        Thread.sleep(seconds * 1000L);
        closeAndTally(sockets, tally);
        return tally;
    }

    /** Reads each socket to its end, for at most 100 ms, closes it and tallies what it got. */
    static void closeAndTally(List<Socket> sockets, Tally tally) {
        closeAndTally(sockets, tally, 100);
    }

    /** Reads each socket to its end, for at most {@code millis}, closes it and tallies what it got. */
    static void closeAndTally(List<Socket> sockets, Tally tally, int millis) {
        byte[] sink = new byte[4096];
        for (Socket s : sockets) {
            try (s) {
                s.setSoTimeout(millis);
                int total = 0;
                for (int r; (r = s.getInputStream().read(sink)) >= 0 && total < (1 << 20); ) {
                    total += r;
                }
                tally.add(total > 0 ? "answered, then closed" : "closed by the server");
            } catch (SocketTimeoutException e) {
                tally.add("still open");
            } catch (IOException e) {
                tally.add("reset");
            }
        }
    }

    /**
     * {@code n} connections that each send a whole plain GET, which the server answers (426: the echo example's one
     * path is a WebSocket route), and then neither read the answer nor close, for {@code seconds}. Every second a
     * fresh client upgrades, echoes a message and closes; one that takes more than {@link #FRESH_CLIENT_BAR_MILLIS}
     * breaks the scenario's bar. An answered connection keeps its handshake slot until its socket closes: before
     * {@code Session.abandonHandshake} pushed such connections out like stalled handshakes, 600 of them locked the
     * {@code -Xmx64m} echo example's new clients out for its 10 s close timeout.
     */
    Tally unclosedAnswers(int n, int seconds) throws InterruptedException {
        Tally tally = new Tally();
        byte[] get = ("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                Socket s = RawPeer.connect(port);
                sockets.add(s);
                s.getOutputStream().write(get);
            } catch (IOException e) {
                tally.add("connect or write failed");
            }
        }
        long worst = 0;
        int served = 0;
        for (int second = 0; second < seconds; second++) {
            Thread.sleep(1_000);
            long start = System.nanoTime();
            String fresh = freshClientSends(32);
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            worst = Math.max(worst, millis);
            if (fresh.equals("echoed") && millis <= FRESH_CLIENT_BAR_MILLIS) {
                served++;
            } else {
                tally.broken.add("a fresh client got \"" + fresh + "\" after " + millis + " ms");
            }
        }
        tally.notes.add(String.format("%d of %d fresh clients upgraded and echoed within %d ms while the answered "
                + "connections held on; the slowest took %d ms", served, seconds, FRESH_CLIENT_BAR_MILLIS, worst));
        closeAndTally(sockets, tally);
        return tally;
    }

    /** The longest a fresh client may take to connect, upgrade and get its echo while an attack holds on. */
    static final long FRESH_CLIENT_BAR_MILLIS = 2_000;
}
