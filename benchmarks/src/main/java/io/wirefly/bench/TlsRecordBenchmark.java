package io.wirefly.bench;

import io.wirefly.server.TlsContexts;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The JDK's own cost of TLS per echoed message, the floor under any Java server's wss that uses the JDK provider
 * (Wirefly's {@code TlsWire}, Netty's {@code SslHandler} over a JDK engine): a client engine wraps one WebSocket frame
 * into a TLS 1.3 record, the server engine unwraps it and wraps the echo, and the client unwraps that. Both engines
 * do the same work, so the server's share is half the time. Heap buffers, an EC P-256 certificate that keytool makes
 * at set-up, the cipher suite the engines choose (TLS_AES_256_GCM_SHA384 here).
 *
 * <pre>{@code
 * java -cp ... org.openjdk.jmh.Main TlsRecordBenchmark -p size=131 -prof gc
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TlsRecordBenchmark {
    /** Plaintext per record: a 125-B message in its 6-B masked frame header, or a 64 KiB one. */
    @Param({"131", "65546"})
    public int size;

    private SSLEngine client;
    private SSLEngine server;
    private ByteBuffer message;
    private ByteBuffer clientNet;
    private ByteBuffer serverNet;
    private ByteBuffer plain;

    /**
     * Makes the certificate and runs the handshake between the two engines in memory.
     *
     * @throws Exception if keytool or the handshake fails
     */
    @Setup
    public void setUp() throws Exception {
        SSLContext[] contexts = contexts();
        server = contexts[0].createSSLEngine();
        server.setUseClientMode(false);
        client = contexts[1].createSSLEngine("localhost", 443);
        client.setUseClientMode(true);
        int packet = server.getSession().getPacketBufferSize();
        int app = server.getSession().getApplicationBufferSize();
        clientNet = ByteBuffer.allocate(8 * packet);
        serverNet = ByteBuffer.allocate(8 * packet);
        plain = ByteBuffer.allocate(Math.max(2 * app, 2 * size));
        handshake();
        message = ByteBuffer.wrap(Payloads.random(size, 1));
    }

    /** @return the running count of plaintext bytes that came back, so the work cannot be eliminated */
    @Benchmark
    public long echoOneMessage() throws IOException {
        clientNet.clear();
        message.clear();
        while (message.hasRemaining()) {
            client.wrap(message, clientNet);   // a record holds at most 16 KiB
        }
        clientNet.flip();
        plain.clear();
        while (clientNet.hasRemaining()) {
            server.unwrap(clientNet, plain);
        }
        plain.flip();
        serverNet.clear();
        while (plain.hasRemaining()) {
            server.wrap(plain, serverNet);
        }
        serverNet.flip();
        plain.clear();
        while (serverNet.hasRemaining()) {
            client.unwrap(serverNet, plain);
        }
        return plain.position();
    }

    /** Moves handshake records between the engines until both are done, and the server's session tickets too. */
    private void handshake() throws IOException {
        client.beginHandshake();
        server.beginHandshake();
        ByteBuffer empty = ByteBuffer.allocate(0);
        for (int i = 0; i < 1_000; i++) {
            boolean clientDone = step(client, clientNet, serverNet, empty);
            boolean serverDone = step(server, serverNet, clientNet, empty);
            if (clientDone && serverDone) {
                break;
            }
        }
        if (client.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING
                || server.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
            throw new IOException("the handshake did not finish");
        }
        // Records sent after the handshake (TLS 1.3 session tickets) are read before measuring.
        drain(serverNet, client);
        drain(clientNet, server);
    }

    private void drain(ByteBuffer net, SSLEngine reader) throws IOException {
        net.flip();
        while (net.hasRemaining()) {
            plain.clear();
            if (reader.unwrap(net, plain).bytesConsumed() == 0) {
                throw new IOException("a part record was left after the handshake");
            }
        }
        net.clear();
    }

    /**
     * One turn of {@code engine}: wraps into {@code out} or unwraps from {@code in} (both in write mode between
     * turns), or runs its delegated tasks.
     *
     * @return true if it has nothing more to do
     */
    private boolean step(SSLEngine engine, ByteBuffer out, ByteBuffer in, ByteBuffer empty) throws IOException {
        switch (engine.getHandshakeStatus()) {
            case NEED_TASK -> {
                for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
                    task.run();
                }
            }
            case NEED_WRAP -> engine.wrap(empty, out);
            case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                in.flip();
                plain.clear();
                engine.unwrap(in, plain);
                in.compact();
            }
            default -> {
                return true;
            }
        }
        return false;
    }

    /** @return a server context with a fresh EC P-256 key and certificate, and a client context trusting it */
    private static SSLContext[] contexts() throws IOException {
        RunCertificate run = RunCertificate.make();
        return new SSLContext[] {
            TlsContexts.fromPkcs12(run.keystore(), RunCertificate.PASSWORD.toCharArray()),
            TlsContexts.trusting(run.certificate())};
    }
}
