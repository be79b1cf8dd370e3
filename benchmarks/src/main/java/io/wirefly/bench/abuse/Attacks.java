package io.wirefly.bench.abuse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;

/**
 * The attacks, one method each. Every one is bounded in connections and in time, talks to 127.0.0.1 only, and
 * returns what the attackers saw of the server's answers: close codes, or what happened instead ({@code EOF},
 * {@code reset}, {@code timeout}, {@code echoed}).
 *
 * <p>Why one class of ~770 lines: it is a catalogue, a dozen attacks of 20 to 60 lines each sharing one attacker
 * pool, one tally and the target's port; each reads on its own, and the suite's table lists them in this order.
 * The attacks on the TLS layer are in {@link TlsAttacks}, which uses this class's pool and helpers.
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
     * @param inflatedBytes what the message inflates to
     * @return a permessage-deflate payload (RFC 7692 §7.2.1: the trailing {@code 00 00 ff ff} removed) of that
     *     many zero bytes
     */
    static byte[] bomb(long inflatedBytes) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] zeros = new byte[1 << 16];
        byte[] buf = new byte[1 << 16];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long left = inflatedBytes; left > 0; left -= zeros.length) {
            deflater.setInput(zeros, 0, (int) Math.min(zeros.length, left));
            while (!deflater.needsInput()) {
                out.write(buf, 0, deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
            }
        }
        int n;
        while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(buf, 0, n);
            if (n < buf.length) {
                break;
            }
        }
        deflater.end();
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - 4);
    }

    /** {@code n} connections that each send one compressed message that inflates to {@code bomb}'s size. */
    Tally decompressionBomb(int n, byte[] bomb) throws InterruptedException {
        Tally tally = new Tally();
        parallel(n, 120, i -> {
            try (RawPeer p = RawPeer.open(port, true)) {
                if (!p.deflate) {
                    tally.add("deflate not negotiated");
                    return;
                }
                try {
                    p.send(RawPeer.frame(RawPeer.BINARY, bomb, true, true));
                } catch (IOException e) {
                    tally.add("cut while sending");
                }
                tally.code(p.awaitClose(20_000));
            }
        }, tally);
        return tally;
    }

    /**
     * {@code n} connections that each negotiate permessage-deflate, exchange one compressed message of 16 KiB of text
     * with the server, and stay; every other one then sends the first frame of a second compressed message (half of
     * it) and nothing more. All are held {@code seconds}. zlib's memory is native, outside the heap limit: the echo
     * example before {@code 9ff5ecf} kept a compressor and a decompressor per connection after its first message,
     * and its RSS grew by 638 MiB with 3,000 such connections (this suite's bar is 256 MiB); since then, by 62 MiB.
     * The half messages each hold a decompressor and the half message's text: the server answers 1013 to those its
     * inbound budget has no room for (1009 before {@code InboundBudget.refusal}), and the others wait, open, for the
     * rest of their message.
     */
    Tally compressedThenIdle(int n, int seconds) throws InterruptedException {
        Tally tally = new Tally();
        byte[] whole = RawPeer.frame(RawPeer.TEXT, compressedText(16 << 10, 1), true, true);
        byte[] compressed = compressedText(64 << 10, 2);
        byte[] half = RawPeer.frame(RawPeer.TEXT, java.util.Arrays.copyOf(compressed, compressed.length / 2), false,
                true);
        System.gc();
        long before = target.rss();
        ConcurrentLinkedQueue<RawPeer> open = new ConcurrentLinkedQueue<>();
        parallel(n, 600, i -> {
            RawPeer p = RawPeer.open(port, true);
            if (!p.deflate) {
                tally.add("deflate not negotiated");
                p.close();
                return;
            }
            p.send(whole);
            RawPeer.Frame echo = p.readFrame(1 << 20);   // compressed by the server, in one frame
            if (echo.opcode() == RawPeer.CLOSE) {
                tally.add("close " + echo.closeCode() + " at the first message");
                p.close();
                return;
            }
            open.add(p);
        }, tally);
        Thread.sleep(2_000);
        long idle = target.rss();
        List<RawPeer> all = new ArrayList<>(open);
        for (int i = 1; i < all.size(); i += 2) {
            try {
                all.get(i).send(half);
            } catch (IOException e) {
                tally.add("cut while sending");
            }
        }
        Thread.sleep(Math.max(0, seconds - 2) * 1000L);
        long after = target.rss();
        tally.notes.add(String.format("server RSS %+.1f MiB with %d connections idle after a compressed echo, then "
                + "%+.1f MiB once %d of them were mid-message", (idle - before) / 1048576.0, all.size(),
                (after - idle) / 1048576.0, all.size() / 2));
        parallel(all.size(), 300, i -> {
            RawPeer p = all.get(i);
            try {
                tally.code(p.awaitClose(200));   // a 1013 is there already; "no answer": still open
            } finally {
                p.reset();
            }
        }, tally);
        return tally;
    }

    /**
     * {@code n} connections that each announce a binary frame of {@code announced} bytes, send {@code sent} of them
     * and then one more byte a second for {@code seconds} (so that no idle timeout ends them): the lie makes the
     * server hold a part message per connection, in its inbound budget, for as long as the liar likes. Halfway
     * through, a fresh client sends a 64 KiB message of its own in two writes, so that it needs room in the same
     * budget; the note says what it got. Before {@code SharedBudget}, the first liars kept the budget full and the
     * fresh client got 1009; now a message in progress for a second gives way to newer ones (1013).
     */
    Tally lyingLengths(int n, int announced, int sent, int seconds) throws InterruptedException {
        Tally tally = new Tally();
        byte[] whole = RawPeer.frame(RawPeer.BINARY, new byte[announced], true);
        byte[] opening = java.util.Arrays.copyOf(whole, whole.length - announced + sent);
        System.gc();
        long before = target.rss();
        ConcurrentLinkedQueue<RawPeer> open = new ConcurrentLinkedQueue<>();
        parallel(n, 600, i -> {
            RawPeer p = RawPeer.open(port, false);
            p.send(opening);
            open.add(p);
        }, tally);
        List<RawPeer> all = new ArrayList<>(open);
        int[] at = new int[all.size()];
        java.util.Arrays.fill(at, opening.length);
        String fresh = null;
        for (int second = 0; second < seconds; second++) {
            Thread.sleep(1_000);
            for (int i = 0; i < all.size(); i++) {
                RawPeer p = all.get(i);
                if (p.socket.isClosed() || at[i] >= whole.length) {
                    continue;
                }
                try {
                    if (p.socket.getInputStream().available() > 0) {
                        tally.code(p.awaitClose(200));   // the server said something: its close, read before
                        p.close();                        // a byte more would make its kernel reset us
                        continue;
                    }
                    p.send(java.util.Arrays.copyOfRange(whole, at[i], at[i] + 1));
                    at[i]++;
                } catch (IOException e) {
                    tally.add("reset");
                    p.close();
                }
            }
            if (second == seconds / 2) {
                fresh = freshClientSends(64 << 10);
            }
        }
        long after = target.rss();
        tally.notes.add(String.format("a fresh client's 64 KiB message, sent while the liars held on: %s; server RSS"
                + " %+.1f MiB with %d liars", fresh, (after - before) / 1048576.0, all.size()));
        parallel(all.size(), 300, i -> {
            RawPeer p = all.get(i);
            if (p.socket.isClosed()) {
                return;   // tallied above
            }
            try {
                tally.code(p.awaitClose(200));   // "no answer": still holding its part message
            } finally {
                p.reset();
            }
        }, tally);
        return tally;
    }

    /** @return what a new connection got for one binary message of {@code size} bytes: "echoed" or a close code */
    private String freshClientSends(int size) {
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

    /**
     * @param textBytes how much JSON-like text to compress
     * @param seed which text
     * @return its permessage-deflate payload (raw DEFLATE, sync-flushed, the trailing {@code 00 00 ff ff} removed)
     */
    private static byte[] compressedText(int textBytes, long seed) {
        StringBuilder text = new StringBuilder(textBytes);
        java.util.Random random = new java.util.Random(seed);
        while (text.length() < textBytes) {
            text.append("{\"id\":").append(random.nextInt(1_000_000)).append(",\"v\":").append(random.nextDouble())
                    .append("} ");
        }
        try (io.wirefly.core.internal.deflate.MessageDeflater deflater =
                new io.wirefly.core.internal.deflate.MessageDeflater(6, true)) {
            java.nio.ByteBuffer payload = deflater.compress(java.nio.ByteBuffer.wrap(
                    text.toString().getBytes(StandardCharsets.US_ASCII)));
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            return bytes;
        }
    }

    /**
     * {@code n} connections that send big messages as fast as the server takes them and never read a byte: the
     * echoes pile up in the server until back-pressure stops it reading.
     */
    Tally neverReading(int n, int seconds) throws InterruptedException {
        return neverReading(n, seconds, null);
    }

    /** The same, over wss when {@code tls} is given: the server's TLS layer then holds what the peer does not read. */
    Tally neverReading(int n, int seconds, javax.net.ssl.SSLSocketFactory tls) throws InterruptedException {
        return flood(n, seconds, RawPeer.frame(RawPeer.BINARY, new byte[256 * 1024], true), tls);
    }

    /** {@code n} connections that send empty pings as fast as the server takes them and never read a pong. */
    Tally pingFlood(int n, int seconds) {
        return pingFlood(n, seconds, null);
    }

    /** The same, over wss when {@code tls} is given. */
    Tally pingFlood(int n, int seconds, javax.net.ssl.SSLSocketFactory tls) {
        byte[] ping = RawPeer.frame(RawPeer.PING, new byte[0], true);
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            batch.writeBytes(ping);
        }
        try {
            return flood(n, seconds, batch.toByteArray(), tls);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Tally();
        }
    }

    /**
     * {@code n} connections that send one-byte text messages as fast as the server takes them and never read an
     * echo. A read brings more than a turn's share of frames, and the server keeps the rest for a later turn; once
     * the echoes pass its output limits it stops reading them, and that turn never comes. 600 of them kept 38 MB of
     * a {@code -Xmx64m} heap that way before the kept input counted in the inbound budget.
     */
    Tally tinyFlood(int n, int seconds) throws InterruptedException {
        byte[] one = RawPeer.frame(RawPeer.TEXT, new byte[] {'a'}, true);
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 1000; i++) {
            batch.writeBytes(one);
        }
        return flood(n, seconds, batch.toByteArray(), null);
    }

    private Tally flood(int n, int seconds, byte[] unit, javax.net.ssl.SSLSocketFactory tls)
            throws InterruptedException {
        Tally tally = new Tally();
        List<RawPeer> peers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                peers.add(RawPeer.open(port, false, tls));
            } catch (IOException e) {
                tally.add("connect failed");
            }
        }
        AtomicLong sent = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        for (RawPeer p : peers) {
            Thread t = new Thread(() -> {
                try {
                    OutputStream out = p.socket.getOutputStream();
                    while (!Thread.currentThread().isInterrupted()) {
                        out.write(unit);   // blocks once the server stops reading
                        sent.addAndGet(unit.length);
                    }
                } catch (IOException e) {
                    // closed by the server, or by us at the end
                }
            }, "flooder");
            t.setDaemon(true);
            t.start();
            writers.add(t);
        }
        Thread.sleep(seconds * 1000L);
        attackOver.run();
        tally.notes.add(String.format("%.1f MB sent by the attackers", sent.get() / 1e6));
        // Now read what the server sent: its close code if it closed, "no answer" if it only stopped reading.
        List<Future<?>> readers = new ArrayList<>();
        for (RawPeer p : peers) {
            readers.add(pool.submit(() -> tally.code(p.awaitClose(3_000))));
        }
        for (Future<?> f : readers) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                tally.add("client gave up");
            }
        }
        for (RawPeer p : peers) {
            p.reset();
        }
        for (Thread t : writers) {
            t.interrupt();
            t.join(5_000);
        }
        return tally;
    }

    /** {@code n} connections that each send one text message in {@code fragments} one-byte frames, then read it. */
    Tally fragments(int n, int fragments) throws InterruptedException {
        Tally tally = new Tally();
        ByteArrayOutputStream stream = new ByteArrayOutputStream(fragments * 7);
        byte[] one = {'f'};
        for (int i = 0; i < fragments; i++) {
            int opcode = i == 0 ? RawPeer.TEXT : RawPeer.CONTINUATION;
            stream.writeBytes(RawPeer.frame(opcode, one, i == fragments - 1));
        }
        byte[] bytes = stream.toByteArray();
        parallel(n, 300, i -> {
            try (RawPeer p = RawPeer.open(port, false)) {
                p.socket.setSoTimeout(60_000);
                p.send(bytes);
                try {
                    byte[] echo = p.readMessage(16 << 20);
                    tally.add(echo.length == fragments ? "echoed whole" : "echoed " + echo.length + " bytes");
                } catch (IOException e) {
                    tally.add(String.valueOf(e.getMessage()));
                }
                p.send(RawPeer.close(1000));
                p.awaitClose(10_000);
            }
        }, tally);
        return tally;
    }

    /** {@code n} connections that upgrade and then send {@code bytes} random bytes. */
    Tally garbage(int n, int bytes) throws InterruptedException {
        Tally tally = new Tally();
        parallel(n, 300, i -> {
            try (RawPeer p = RawPeer.open(port, false)) {
                byte[] junk = new byte[bytes];
                ThreadLocalRandom.current().nextBytes(junk);
                try {
                    p.send(junk);
                } catch (IOException e) {
                    tally.add("cut while sending");
                }
                tally.code(p.awaitClose(5_000));
            }
        }, tally);
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
