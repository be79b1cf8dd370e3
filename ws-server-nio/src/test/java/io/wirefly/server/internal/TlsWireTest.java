package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.server.internal.SessionTest.ManualLoop;
import io.wirefly.server.internal.SessionTest.MemoryWire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TlsWire} on its own: a server wire and a client wire over two in-memory sockets, with the JDK's engines and a
 * certificate that keytool makes for the run. The test moves the ciphertext between them, in one piece or a byte at a
 * time, so the engine's underflows and overflows, the handshake's turns, close_notify and a bad record are all
 * exercised without a network.
 */
class TlsWireTest {
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    @BeforeAll
    static void certificate() throws Exception {
        Path dir = Files.createTempDirectory("wirefly-tlswire");
        Path keystore = dir.resolve("server.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=localhost", "-validity", "2", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool made the key pair");
        char[] password = "changeit".toCharArray();
        KeyStore keys = KeyStore.getInstance(keystore.toFile(), password);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, password);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", keys.getCertificate("server"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);
        Files.delete(keystore);
        Files.delete(dir);
    }

    /** Both ends of one connection, and the pump between them. */
    private static final class Pair {
        final ManualLoop loop = new ManualLoop();
        final MemoryWire serverNet = new MemoryWire();
        final MemoryWire clientNet = new MemoryWire();
        final TlsWire server;
        final TlsWire client;
        final ByteArrayOutputStream serverGot = new ByteArrayOutputStream();
        final ByteArrayOutputStream clientGot = new ByteArrayOutputStream();
        /** Ciphertext bytes moved per direction per step; Integer.MAX_VALUE moves all there is. */
        int chunk = Integer.MAX_VALUE;
        boolean serverEof;
        boolean clientEof;

        Pair(String protocol) throws IOException {
            SSLEngine s = serverContext.createSSLEngine();
            s.setUseClientMode(false);
            SSLEngine c = clientContext.createSSLEngine("localhost", 443);
            c.setUseClientMode(true);
            if (protocol != null) {
                s.setEnabledProtocols(new String[] {protocol});
                c.setEnabledProtocols(new String[] {protocol});
            }
            // delegated tasks run at once here; their resumption still goes through the loop's task queue
            server = new TlsWire(serverNet, s, loop, Runnable::run);
            client = new TlsWire(clientNet, c, loop, Runnable::run);
            server.onResume(() -> { });
            client.onResume(() -> { });
        }

        /** One step: each side writes what it holds, the bytes cross, each side reads. */
        void step() throws IOException {
            server.flushPending();
            client.flushPending();
            cross(serverNet, clientNet);
            cross(clientNet, serverNet);
            loop.runTasks();
            serverEof |= drain(server, serverGot);
            clientEof |= drain(client, clientGot);
        }

        private void cross(MemoryWire from, MemoryWire to) {
            byte[] all = from.written.toByteArray();
            int n = Math.min(chunk, all.length);
            to.feed(java.util.Arrays.copyOf(all, n));
            from.written.reset();
            from.written.write(all, n, all.length - n);
        }

        private static boolean drain(TlsWire wire, ByteArrayOutputStream into) throws IOException {
            ByteBuffer dst = ByteBuffer.allocate(100);   // smaller than a record: the wire keeps the rest
            while (true) {
                dst.clear();
                int n = wire.read(dst);
                if (n < 0) {
                    return true;
                }
                if (n == 0) {
                    return false;
                }
                into.write(dst.array(), 0, n);
            }
        }

        void pumpUntil(java.util.function.BooleanSupplier done, int maxSteps) throws IOException {
            for (int i = 0; i < maxSteps && !done.getAsBoolean(); i++) {
                step();
            }
            assertTrue(done.getAsBoolean(), "not done after " + maxSteps + " steps");
        }

        /** Writes all of {@code data} through {@code wire}, pumping while it takes no more. */
        void send(TlsWire wire, byte[] data) throws IOException {
            ByteBuffer src = ByteBuffer.wrap(data);
            for (int i = 0; i < 1_000_000 && src.hasRemaining(); i++) {
                if (wire.write(src) == 0) {
                    step();
                }
            }
            assertTrue(!src.hasRemaining(), "the wire took everything");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void aHandshakeThenDataBothWaysThenCloseNotify(String protocol) throws Exception {
        Pair p = new Pair(protocol);
        assertNull(p.server.tlsSession(), "no session before the handshake");
        p.pumpUntil(() -> p.server.tlsSession() != null && p.client.tlsSession() != null, 50);
        assertEquals(protocol, p.server.tlsSession().getProtocol());

        p.send(p.client, "GET / HTTP/1.1".getBytes(StandardCharsets.US_ASCII));
        p.pumpUntil(() -> p.serverGot.size() == 14, 50);
        assertEquals("GET / HTTP/1.1", p.serverGot.toString(StandardCharsets.US_ASCII));

        byte[] big = new byte[100_000];   // several records, read through a 100-byte buffer
        new Random(7).nextBytes(big);
        p.send(p.server, big);
        p.pumpUntil(() -> p.clientGot.size() == big.length, 200);
        assertArrayEquals(big, p.clientGot.toByteArray());

        p.client.shutdownOutput();   // close_notify, then FIN
        p.pumpUntil(() -> p.serverEof, 50);
        assertTrue(p.clientNet.outputShut, "FIN after close_notify");
    }

    @Test
    void ciphertextThatArrivesAByteAtATimeIsReassembled() throws Exception {
        Pair p = new Pair(null);
        p.chunk = 1;   // every record arrives in pieces: the engine underflows until it is whole
        p.pumpUntil(() -> p.server.tlsSession() != null && p.client.tlsSession() != null, 20_000);
        byte[] message = "a record cut into single bytes".getBytes(StandardCharsets.US_ASCII);
        p.send(p.client, message);
        p.pumpUntil(() -> p.serverGot.size() == message.length, 5_000);
        assertArrayEquals(message, p.serverGot.toByteArray());
        assertNotNull(p.server.engine().getSession().getCipherSuite());
    }

    /**
     * A ClientHello makes the server's engine ask for a delegated task (the key exchange). If the connection is
     * closed while that task waits for a thread (evicted, timed out), the task does no work and the engine's
     * task is still there, not run.
     */
    @Test
    void aDelegatedTaskQueuedForAClosedConnectionDoesNoWork() throws Exception {
        java.util.ArrayDeque<Runnable> queued = new java.util.ArrayDeque<>();
        ManualLoop loop = new ManualLoop();
        MemoryWire net = new MemoryWire();
        SSLEngine engine = serverContext.createSSLEngine();
        engine.setUseClientMode(false);
        TlsWire server = new TlsWire(net, engine, loop, queued::add);
        server.onResume(() -> { });

        SSLEngine c = clientContext.createSSLEngine("localhost", 443);
        c.setUseClientMode(true);
        c.beginHandshake();
        ByteBuffer hello = ByteBuffer.allocate(c.getSession().getPacketBufferSize());
        c.wrap(ByteBuffer.allocate(0), hello);
        hello.flip();
        byte[] bytes = new byte[hello.remaining()];
        hello.get(bytes);
        net.feed(bytes);

        assertEquals(0, server.read(ByteBuffer.allocate(100)));
        assertEquals(1, queued.size(), "the key exchange waits for a task thread");
        server.close();
        queued.poll().run();
        assertNotNull(engine.getDelegatedTask(), "the engine's task was not run for a closed connection");
    }

    @Test
    void bytesThatAreNotTlsFailTheWireWithAnSslError() throws Exception {
        Pair p = new Pair(null);
        p.serverNet.feed("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        IOException e = assertThrows(IOException.class, () -> p.server.read(ByteBuffer.allocate(100)));
        assertTrue(e instanceof javax.net.ssl.SSLException || e.getCause() instanceof javax.net.ssl.SSLException,
                "an SSL error: " + e);
    }

    @Test
    void aCorruptedRecordAfterTheHandshakeFailsTheWire() throws Exception {
        Pair p = new Pair("TLSv1.3");
        p.pumpUntil(() -> p.server.tlsSession() != null && p.client.tlsSession() != null, 50);
        p.send(p.client, "hello".getBytes(StandardCharsets.US_ASCII));
        p.client.flushPending();
        byte[] record = p.clientNet.written.toByteArray();
        p.clientNet.written.reset();
        record[record.length - 1] ^= 0x01;   // the tag no longer matches: an AEAD failure
        p.serverNet.feed(record);
        assertThrows(IOException.class, () -> p.server.read(ByteBuffer.allocate(100)));
    }
}
