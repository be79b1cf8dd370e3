package io.wirefly.bench.abuse;

import io.wirefly.bench.abuse.Attacks.Tally;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floods: peers that write as fast as the server reads (big messages, pings, one-byte texts) and read nothing
 * back, over ws or wss. Each lasts a fixed time, then its peers read what the server sent them to find out how it
 * closed them. Like {@link Attacks}, whose attacker pool they use, every one is bounded in connections and in time
 * and talks to 127.0.0.1 only.
 *
 * <pre>{@code
 * FloodAttacks floods = new FloodAttacks(attacks, target.port);
 * Tally t = floods.pingFlood(50, 10);
 * }</pre>
 */
final class FloodAttacks {
    private final Attacks attacks;
    private final int port;

    /**
     * @param attacks the attacks whose pool and end-of-attack signal these share
     * @param port the server's port
     */
    FloodAttacks(Attacks attacks, int port) {
        this.attacks = attacks;
        this.port = port;
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
        attacks.attackOver.run();
        tally.notes.add(String.format("%.1f MB sent by the attackers", sent.get() / 1e6));
        // Now read what the server sent: its close code if it closed, "no answer" if it only stopped reading.
        List<Future<?>> readers = new ArrayList<>();
        for (RawPeer p : peers) {
            readers.add(attacks.submit(() -> tally.code(p.awaitClose(3_000))));
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
}
