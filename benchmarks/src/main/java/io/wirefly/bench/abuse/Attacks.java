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
 * <p>Here are the attacker pool and the attacks on the opening handshake and on a connection's life (stalled heads,
 * churn, idle connections, SIGTERM). What upgraded peers send is in {@link MessageAttacks}, the floods in
 * {@link FloodAttacks}, the attacks on the TLS layer in {@link TlsAttacks}; all three use this class's pool and
 * helpers.
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
    private final Target target;

    Attacks(Target target, int threads) {
        this.target = target;
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

    /** {@code n} short lives: upgrade, one echo, then half end with a TCP reset and half with a close handshake. */
    Tally churn(int n) throws InterruptedException {
        Tally tally = new Tally();
        byte[] hello = "churn".getBytes(StandardCharsets.US_ASCII);
        parallel(n, 600, i -> {
            RawPeer p = RawPeer.open(port, false);
            try {
                p.send(RawPeer.frame(RawPeer.TEXT, hello, true));
                p.readMessage(64);
                if (i % 2 == 0) {
                    p.reset();
                    tally.add("echoed, then reset");
                } else {
                    p.send(RawPeer.close(1000));
                    tally.code(p.awaitClose(10_000));
                }
            } finally {
                p.close();
            }
        }, tally);
        return tally;
    }

    /**
     * A fast churn (upgrade, close, go) behind one handshake that stalls first, at the head of the accept order, and
     * sends a header line a second so that only the handshake timeout ends it. The server keeps its handshakes in accept
     * order to evict the oldest; before {@code HandshakeSlots} let go of finished ones behind a stalled head, every
     * connection of the churn stayed reachable from that queue until the stall ended (75,000 in 7 s filled a
     * {@code -Xmx64m} heap).
     *
     * @param n the most connections that upgrade and go (the churn also stops after 9 s)
     */
    Tally churnBehindStall(int n) throws InterruptedException {
        Socket stalled;
        try {
            stalled = RawPeer.connect(port);
            stalled.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            Tally failed = new Tally();
            failed.add("the stalled connection could not connect");
            return failed;
        }
        Thread trickle = new Thread(() -> {
            byte[] line = "X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII);
            try {
                for (int second = 0; second < 30; second++) {   // bounded; the server's timeout ends it first
                    Thread.sleep(1000);
                    stalled.getOutputStream().write(line);
                }
            } catch (IOException | InterruptedException e) {
                // closed by the server (or by us at the end)
            }
        }, "abuse-stalled-head");
        trickle.setDaemon(true);
        trickle.start();
        // As fast as 16 threads can: upgrade, send a close, go (no echo, no waiting for the answer), for at most n
        // connections and 9 s, so that all of it happens while the stalled handshake is still the oldest.
        Tally tally = new Tally();
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(n);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(9);
        byte[] close = RawPeer.close(1000);
        parallel(16, 60, worker -> {
            int mine = 0;
            while (left.getAndDecrement() > 0 && System.nanoTime() < end) {
                try (RawPeer p = RawPeer.open(port, false)) {
                    p.send(close);
                    mine++;
                }
            }
            for (int i = 0; i < mine; i++) {
                tally.add("upgraded, sent a close, went");
            }
        }, tally);
        trickle.interrupt();
        try (stalled) {
            stalled.setSoTimeout(200);
            int b = stalled.getInputStream().read();
            tally.add(b < 0 ? "stalled head: EOF" : "stalled head: answered");
        } catch (SocketTimeoutException e) {
            tally.add("stalled head: still open");
        } catch (IOException e) {
            tally.add("stalled head: reset");
        }
        return tally;
    }

    /**
     * {@code n} upgraded connections that say nothing for {@code seconds}; the note gives the server's resident
     * memory per connection.
     */
    Tally idle(int n, int seconds) throws InterruptedException {
        return idle(n, seconds, "", null);
    }

    /**
     * {@code n} connections that upgrade with four header lines of 3,900 bytes each (within every per-line and
     * per-head limit) and then stay idle: a connection keeps its request's headers for its whole life, so each holds
     * about 17 KiB of the server's heap instead of 1.7. Before such connections counted for more toward the
     * connection limit, 6,000 of them filled a {@code -Xmx64m} server's heap.
     */
    Tally heavyIdle(int n, int seconds) throws InterruptedException {
        StringBuilder heavy = new StringBuilder();
        for (int line = 0; line < 4; line++) {
            heavy.append("X-Heavy-").append(line).append(": ").append("h".repeat(3900)).append("\r\n");
        }
        return idle(n, seconds, heavy.toString(), null);
    }

    /**
     * {@code n} connections that upgrade (with {@code extraHeaders} in the request, over TLS if {@code tls} is given)
     * and stay idle for {@code seconds}; those past the server's connection limit are tallied as its 503s. Then each
     * closes with 1000 and the server's answer is tallied.
     */
    Tally idle(int n, int seconds, String extraHeaders, javax.net.ssl.SSLSocketFactory tls)
            throws InterruptedException {
        Tally tally = new Tally();
        System.gc();
        long before = target.rss();
        ConcurrentLinkedQueue<RawPeer> open = new ConcurrentLinkedQueue<>();
        parallel(n, 600, i -> {
            try {
                open.add(RawPeer.open(port, false, tls, extraHeaders));
            } catch (IOException e) {
                if (String.valueOf(e.getMessage()).contains(" 503 ")) {
                    tally.add("503 at the connection limit");
                } else {
                    throw e;
                }
            }
        }, tally);
        Thread.sleep(2_000);
        long after = target.rss();
        tally.notes.add(String.format("%d connections held %d s; server RSS %+.1f MiB (%.1f KiB per connection)",
                open.size(), seconds, (after - before) / 1048576.0, (after - before) / 1024.0 / Math.max(1,
                        open.size())));
        Thread.sleep(Math.max(0, seconds - 2) * 1000L);
        List<RawPeer> all = new ArrayList<>(open);
        parallel(all.size(), 300, i -> {
            RawPeer p = all.get(i);
            try {
                p.send(RawPeer.close(1000));
                tally.code(p.awaitClose(10_000));
            } finally {
                p.close();
            }
        }, tally);
        return tally;
    }

    /**
     * {@code n} clients in a send-and-wait-for-the-echo loop; after {@code busySeconds} the server gets SIGTERM.
     * Each client then reads until the close frame; the note says whether every echo came before it.
     */
    Tally sigterm(int n, int busySeconds) throws InterruptedException {
        return sigterm(n, busySeconds, null);
    }

    /** The same, with every second client on wss when {@code tls} is given. */
    Tally sigterm(int n, int busySeconds, javax.net.ssl.SSLSocketFactory tls) throws InterruptedException {
        Tally tally = new Tally();
        AtomicInteger lost = new AtomicInteger();
        AtomicInteger exchanges = new AtomicInteger();
        List<RawPeer> peers = new ArrayList<>();
        for (int c = 0; c < n; c++) {
            try {
                peers.add(RawPeer.open(port, false, c % 2 == 1 ? tls : null));
            } catch (IOException e) {
                tally.add("connect failed");
            }
        }
        List<Thread> clients = new ArrayList<>();
        long busySince = System.nanoTime();   // all connected first, so the busy time is the same with TLS
        for (RawPeer p : peers) {
            Thread t = new Thread(() -> {
                int sent = 0;
                int echoed = 0;
                try (p) {
                    while (true) {
                        p.send(RawPeer.frame(RawPeer.TEXT, ("message " + sent).getBytes(StandardCharsets.US_ASCII),
                                true));
                        sent++;
                        RawPeer.Frame f = p.readFrame(1024);
                        if (f.opcode() == RawPeer.CLOSE) {
                            tally.code(f.closeCode());
                            break;
                        }
                        echoed++;
                        exchanges.incrementAndGet();
                    }
                } catch (IOException e) {
                    tally.add(e instanceof java.io.EOFException ? "EOF" : "reset");
                }
                if (sent - echoed > 1) {
                    lost.addAndGet(sent - echoed - 1);
                }
            }, "busy-client");
            t.setDaemon(true);
            t.start();
            clients.add(t);
        }
        Thread.sleep(busySeconds * 1000L);
        int before = exchanges.get();
        double busyFor = (System.nanoTime() - busySince) / 1e9;
        long signalled = System.nanoTime();
        target.process.destroy();   // SIGTERM
        for (Thread t : clients) {
            t.join(20_000);
        }
        boolean exited = target.process.waitFor(20, TimeUnit.SECONDS);
        double stopping = (System.nanoTime() - signalled) / 1e9;
        tally.notes.add(String.format("%d echoes in %.1f s before the signal; %d messages lost beyond the one in "
                + "flight; server %s", before, busyFor, lost.get(), exited ? String.format("exited with %d %.1f s "
                + "after the signal", target.process.exitValue(), stopping) : "did NOT exit within 20 s"));
        return tally;
    }
}
