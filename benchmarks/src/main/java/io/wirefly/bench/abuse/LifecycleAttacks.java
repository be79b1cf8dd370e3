package io.wirefly.bench.abuse;

import io.wirefly.bench.abuse.Attacks.Tally;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The attacks on a connection's life: many short lives (churn, also behind a stalled handshake), many idle
 * connections, and SIGTERM while clients are busy. Like {@link Attacks}, whose attacker pool they use, every one is
 * bounded in connections and in time and talks to 127.0.0.1 only.
 *
 * <pre>{@code
 * LifecycleAttacks lives = new LifecycleAttacks(attacks, target);
 * Tally t = lives.idle(10_000, 20);
 * }</pre>
 */
final class LifecycleAttacks {
    private final Attacks attacks;
    private final Target target;
    private final int port;

    /**
     * @param attacks the attacks whose pool these share
     * @param target the server: its port, its memory, and its process for SIGTERM
     */
    LifecycleAttacks(Attacks attacks, Target target) {
        this.attacks = attacks;
        this.target = target;
        this.port = target.port;
    }

    /** {@code n} short lives: upgrade, one echo, then half end with a TCP reset and half with a close handshake. */
    Tally churn(int n) throws InterruptedException {
        Tally tally = new Tally();
        byte[] hello = "churn".getBytes(StandardCharsets.US_ASCII);
        attacks.parallel(n, 600, i -> {
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
        AtomicInteger left = new AtomicInteger(n);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(9);
        byte[] close = RawPeer.close(1000);
        attacks.parallel(16, 60, worker -> {
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
        attacks.parallel(n, 600, i -> {
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
        attacks.parallel(all.size(), 300, i -> {
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
