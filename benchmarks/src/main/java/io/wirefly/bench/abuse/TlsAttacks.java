package io.wirefly.bench.abuse;

import io.wirefly.bench.abuse.Attacks.Tally;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import javax.net.ssl.SSLSocketFactory;

/**
 * The attacks on the TLS layer of a server that serves wss: stalled and abandoned TLS handshakes, idle wss
 * connections, and records left unfinished after the upgrade. Like {@link Attacks}, whose attacker pool and helpers
 * they use, every one is bounded in connections and in time and talks to 127.0.0.1 only.
 *
 * <pre>{@code
 * TlsAttacks tls = new TlsAttacks(attacks, floods, lives, target.port);
 * Tally t = tls.tlsHellos(3000, 13);
 * }</pre>
 */
final class TlsAttacks {
    private final Attacks attacks;
    private final FloodAttacks floods;
    private final LifecycleAttacks lives;
    private final int port;

    /**
     * @param attacks the plain attacks, whose pool and helpers these share
     * @param floods the floods, which these run over wss
     * @param lives the attacks on a connection's life, whose idle connections these hold over wss
     * @param port the server's port
     */
    TlsAttacks(Attacks attacks, FloodAttacks floods, LifecycleAttacks lives, int port) {
        this.attacks = attacks;
        this.floods = floods;
        this.lives = lives;
        this.port = port;
    }

    /**
     * {@code n} connections that each send a whole, real ClientHello and then never answer the server's flight:
     * each leaves a TLS engine in mid-handshake on the server (about 48 KiB). 2,500 of them exhausted a 64 MiB heap
     * before the handshake limit.
     */
    Tally tlsHellos(int n, int seconds) throws InterruptedException {
        return attacks.stallAfter(n, seconds, this::clientHello);
    }

    /**
     * {@code n} connections that stop inside the TLS handshake, a third each way: half a ClientHello record and then
     * nothing; a whole ClientHello and then no answer to the server's flight; a ClientHello dripped one byte a second.
     * Each hello is a real one, made by a JDK client engine. The server should close them all when its handshake
     * timeout runs out, whatever it already spent on them (key exchange, signature) in the second case.
     */
    Tally tlsSlowloris(int n, int seconds) throws InterruptedException {
        Tally tally = new Tally();
        List<Socket> sockets = new ArrayList<>();
        List<byte[]> drips = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Socket s;
            try {
                byte[] hello = clientHello();
                s = RawPeer.connect(port);
                OutputStream out = s.getOutputStream();
                switch (i % 3) {
                    case 0 -> out.write(hello, 0, hello.length / 2);
                    case 1 -> out.write(hello);
                    default -> out.write(hello, 0, 1);
                }
                drips.add(i % 3 == 2 ? hello : null);
            } catch (IOException e) {
                tally.add("connect failed");
                continue;
            }
            sockets.add(s);
        }
        boolean[] cut = new boolean[sockets.size()];
        for (int second = 1; second <= seconds; second++) {
            Thread.sleep(1000);
            for (int i = 0; i < sockets.size(); i++) {
                byte[] hello = drips.get(i);
                if (hello != null && !cut[i] && second < hello.length) {
                    try {
                        sockets.get(i).getOutputStream().write(hello, second, 1);
                    } catch (IOException e) {
                        cut[i] = true;
                    }
                }
            }
        }
        byte[] sink = new byte[4096];
        for (Socket s : sockets) {
            try (s) {
                s.setSoTimeout(200);
                // the whole-hello third got the server's flight first: read past it to the end
                int total = 0;
                for (int r; (r = s.getInputStream().read(sink)) >= 0 && total < (1 << 20); ) {
                    total += r;
                }
                tally.add(total > 0 ? "closed by the server after its TLS flight" : "closed by the server");
            } catch (SocketTimeoutException e) {
                tally.add("still open");
            } catch (IOException e) {
                tally.add("reset");
            }
        }
        return tally;
    }

    /** @return a real TLS ClientHello record (TLS 1.3 and 1.2 offered, SNI localhost), from a JDK engine */
    private byte[] clientHello() throws IOException {
        try {
            javax.net.ssl.SSLEngine engine = javax.net.ssl.SSLContext.getDefault().createSSLEngine("localhost", port);
            engine.setUseClientMode(true);
            java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.beginHandshake();
            engine.wrap(java.nio.ByteBuffer.allocate(0), out);
            out.flip();
            byte[] hello = new byte[out.remaining()];
            out.get(hello);
            return hello;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    /**
     * {@code n} wss connections that finish the TLS handshake and the upgrade, then stay idle for {@code seconds}.
     * An idle TLS connection holds about 12 KiB of the server's heap (the JDK's engine and session), seven times a
     * plain one, so enough of them fill a small heap unless the server turns the ones past its connection limit
     * away (503). All connections come from one client context, so after the first they resume its TLS session,
     * which is cheap for the attacker and dear for the server: the JDK gives each resumed session its own copy of
     * the certificate chain, about 10 KiB a connection where a full handshake holds about 7.
     *
     * @param tls the client's socket factory, trusting the server's certificate
     */
    Tally tlsIdle(int n, int seconds, SSLSocketFactory tls) throws InterruptedException {
        return lives.idle(n, seconds, "", tls);
    }

    /**
     * {@code n} connections reset at three points, a third each: right after a whole ClientHello (the server has
     * begun its handshake, key exchange included); after the TLS handshake, before the upgrade; after the upgrade and
     * one echo. Each leaves a TLS engine or session that the server must let go of; the live heap and descriptors
     * after the scenario show whether it did.
     *
     * @param tls the client's socket factory, trusting the server's certificate
     */
    Tally tlsChurn(int n, SSLSocketFactory tls) throws InterruptedException, IOException {
        Tally tally = new Tally();
        byte[] hello = clientHello();
        byte[] echo = RawPeer.frame(RawPeer.TEXT, "churn".getBytes(java.nio.charset.StandardCharsets.US_ASCII), true);
        attacks.parallel(n, 600, i -> {
            Socket raw = RawPeer.connect(port);
            try {
                switch (i % 3) {
                    case 0 -> {
                        raw.getOutputStream().write(hello);
                        tally.add("reset after the ClientHello");
                    }
                    case 1 -> {
                        javax.net.ssl.SSLSocket secure = (javax.net.ssl.SSLSocket) tls.createSocket(raw, "localhost",
                                port, false);
                        secure.startHandshake();
                        tally.add("reset after the TLS handshake");
                    }
                    default -> {
                        javax.net.ssl.SSLSocket secure = (javax.net.ssl.SSLSocket) tls.createSocket(raw, "localhost",
                                port, false);
                        secure.startHandshake();
                        secure.getOutputStream().write(RawPeer.request(port, false));
                        String head = RawPeer.readHead(secure.getInputStream());
                        if (!head.startsWith("HTTP/1.1 101")) {
                            tally.add("not upgraded");
                            return;
                        }
                        secure.getOutputStream().write(echo);
                        secure.getInputStream().readNBytes(2 + 5);
                        tally.add("echoed over wss, then reset");
                    }
                }
            } finally {
                raw.setSoLinger(true, 0);   // a reset, below TLS: no close_notify
                raw.close();
            }
        }, tally);
        return tally;
    }

    /**
     * {@code n} wss connections that send 256 KiB messages as fast as the server takes them and read nothing. The
     * server's echoes then wait in its TLS layer as well as in its write queue; that layer should hold at most one
     * record per connection, whatever the peer leaves unread.
     *
     * @param tls the client's socket factory, trusting the server's certificate
     */
    Tally tlsNeverReading(int n, int seconds, SSLSocketFactory tls) throws InterruptedException {
        return floods.neverReading(n, seconds, tls);
    }

    /**
     * {@code n} wss connections that send empty pings as fast as the server takes them and read no pong: each ping is
     * a TLS record of its own to decrypt, and each pong one to encrypt.
     *
     * @param tls the client's socket factory, trusting the server's certificate
     */
    Tally tlsPingFlood(int n, int seconds, SSLSocketFactory tls) {
        return floods.pingFlood(n, seconds, tls);
    }

    /**
     * {@code n} wss connections that finish the TLS handshake and the upgrade, then write below TLS a record header
     * that announces 16,401 bytes and 12,000 of them, and stop for {@code seconds}. The server keeps each part record
     * in a buffer of about 33 KiB until the rest comes: 2,000 of them ran a {@code -Xmx64m} server out of heap before
     * those buffers counted in its inbound budget. Tallies, at the end, which connections the server had closed.
     *
     * @param tls the client's socket factory, trusting the server's certificate
     */
    Tally tlsPartRecords(int n, int seconds, SSLSocketFactory tls) throws InterruptedException {
        Tally tally = new Tally();
        byte[] part = new byte[12_000];
        new java.util.Random(12).nextBytes(part);
        byte[] header = {0x17, 0x03, 0x03, 0x40, 0x11};   // application data, 16,401 bytes
        ConcurrentLinkedQueue<Socket> raws = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Socket> secured = new ConcurrentLinkedQueue<>();
        attacks.parallel(n, 600, i -> {
            Socket raw = RawPeer.connect(port);
            try {
                javax.net.ssl.SSLSocket secure = (javax.net.ssl.SSLSocket) tls.createSocket(raw, "localhost", port,
                        true);
                secure.startHandshake();
                secure.getOutputStream().write(RawPeer.request(port, false));
                String head = RawPeer.readHead(secure.getInputStream());
                if (!head.startsWith("HTTP/1.1 101")) {
                    tally.add(head.startsWith("HTTP/1.1 503") ? "503 at the connection limit" : "not upgraded");
                    raw.close();
                    return;
                }
                raw.getOutputStream().write(header);
                raw.getOutputStream().write(part);
                raws.add(raw);
                secured.add(secure);   // kept referenced: a collected SSLSocket closes its socket
            } catch (IOException e) {
                raw.close();
                throw e;
            }
        }, tally);
        Thread.sleep(seconds * 1000L);
        Attacks.closeAndTally(new ArrayList<>(raws), tally, 5);
        secured.clear();
        return tally;
    }
}
