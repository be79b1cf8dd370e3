package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocketConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code wss://}: our server with {@code tls(SSLContext)} against independent TLS stacks (the JDK's HTTP client,
 * Python's ssl module under {@code websockets}, OpenSSL's {@code s_client}), and against bad input on a TLS port. The
 * certificate is made by {@code keytool} for each run; no private key is committed.
 */
class TlsIT {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static Path dir;
    private static Path certPem;
    private static Path keyPem;
    private static SSLContext serverContext;
    private static SSLContext clientContext;

    private WebSocketServer server;

    @BeforeAll
    static void certificate() throws Exception {
        dir = Files.createTempDirectory("wirefly-tls");
        Path keystore = dir.resolve("server.p12");
        certPem = dir.resolve("server.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Peers.run(Duration.ofSeconds(60), keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass",
                "changeit");
        Peers.run(Duration.ofSeconds(60), keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore",
                keystore.toString(), "-storepass", "changeit", "-file", certPem.toString());

        keyPem = dir.resolve("server-key.pem");   // for the Python server, which wants PEM
        Peers.run(Duration.ofSeconds(60), "openssl", "pkcs12", "-in", keystore.toString(), "-nocerts", "-nodes",
                "-passin", "pass:changeit", "-out", keyPem.toString());

        KeyStore keys = KeyStore.getInstance(keystore.toFile(), PASSWORD);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);

        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(certPem)) {
            Certificate cert = CertificateFactory.getInstance("X.509").generateCertificate(in);
            trust.setCertificateEntry("server", cert);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, tmf.getTrustManagers(), null);
    }

    @AfterAll
    static void removeCertificate() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @BeforeEach
    void start() {
        server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0).tls(serverContext)
                .handshakeTimeout(Duration.ofSeconds(2))
                .config(WebSocketConfig.builder().maxMessageSize(4 << 20).maxFrameSize(4 << 20).deflate(true).build())
                .route("/echo", Recorder.echo()).build().start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    /** The JDK's own TLS and WebSocket client, with hostname verification on: text, 1 MiB binary, close. */
    @Test
    void jdkHttpClientOverWss() throws Exception {
        jdkClientEchoes();
    }

    private void jdkClientEchoes() throws Exception {
        LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<ByteBuffer> binaries = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private ByteBuffer binary = ByteBuffer.allocate(0);

            @Override
            public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    texts.add(text.toString());
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(java.net.http.WebSocket ws, ByteBuffer data, boolean last) {
                ByteBuffer grown = ByteBuffer.allocate(binary.remaining() + data.remaining());
                grown.put(binary).put(data).flip();
                binary = grown;
                if (last) {
                    binaries.add(binary);
                    binary = ByteBuffer.allocate(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
                closed.complete(code);
                return null;
            }
        };
        HttpClient http = HttpClient.newBuilder().sslContext(clientContext).build();
        java.net.http.WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(URI.create("wss://localhost:" + server.port() + "/echo"), listener).get(10, TimeUnit.SECONDS);
        ws.sendText("hello over TLS", true).get(10, TimeUnit.SECONDS);
        assertEquals("hello over TLS", texts.poll(10, TimeUnit.SECONDS));
        byte[] blob = new byte[1 << 20];
        new Random(9).nextBytes(blob);
        ws.sendBinary(ByteBuffer.wrap(blob), true).get(10, TimeUnit.SECONDS);
        ByteBuffer echoed = binaries.poll(20, TimeUnit.SECONDS);
        byte[] got = new byte[echoed.remaining()];
        echoed.get(got);
        assertArrayEquals(blob, got, "1 MiB across many TLS records");
        ws.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
        assertEquals(1000, closed.get(10, TimeUnit.SECONDS));
    }

    /**
     * A TLS slowloris beyond the handshake limit: connections that send a real ClientHello (a JDK client engine's)
     * and then never answer the server's flight each hold a TLS engine in mid-handshake, about 48 KiB. With 8
     * slots, the 16 oldest of 24 are closed to make room, the 8 newest wait for their timeout, and the JDK's client
     * still connects over wss and echoes.
     */
    @Test
    void stalledTlsHandshakesBeyondTheLimitAreClosedOldestFirst() throws Exception {
        WebSocketServer limited = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .tls(serverContext).maxHandshakes(8).handshakeTimeout(Duration.ofSeconds(60))
                .route("/echo", Recorder.echo()).build().start();
        java.util.List<Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 24; i++) {
                javax.net.ssl.SSLEngine engine = clientContext.createSSLEngine("localhost", limited.port());
                engine.setUseClientMode(true);
                ByteBuffer hello = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
                engine.beginHandshake();
                engine.wrap(ByteBuffer.allocate(0), hello);
                Socket s = new Socket("127.0.0.1", limited.port());
                s.getOutputStream().write(hello.array(), 0, hello.position());
                stalled.add(s);
            }
            for (int i = 0; i < 16; i++) {
                assertTrue(HandshakeLimitIT.closedWithin(stalled.get(i), 10_000),
                        "stalled TLS handshake " + i + " (of the 16 oldest) is closed to make room");
            }
            for (int i = 16; i < 24; i++) {
                assertTrue(!HandshakeLimitIT.closedWithin(stalled.get(i), 100),
                        "stalled TLS handshake " + i + " (of the 8 newest) keeps its slot");
            }
            HandshakeLimitIT.honestClientEchoes(HttpClient.newBuilder().sslContext(clientContext).build(),
                    URI.create("wss://localhost:" + limited.port() + "/echo"));
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
            limited.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * Part of a TLS record that the server keeps between reads counts in its inbound budget once the handshake is
     * done. Before, 2,000 wss connections that each sent 12 KB of a 16 KB record and stopped ran a {@code -Xmx64m}
     * server out of heap (each kept a 33 KiB buffer that no limit saw). Here twelve such peers meet a 256 KiB
     * budget: no more than seven keep their part record, the others are closed; a second later a fresh client's
     * 48 KiB message takes the room of the oldest, and is echoed.
     */
    @Test
    void partTlsRecordsKeptBetweenReadsCountInTheInboundBudget() throws Exception {
        WebSocketServer limited = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .tls(serverContext).maxInboundBuffer(256 << 10)
                .config(WebSocketConfig.builder().maxMessageSize(1 << 20).maxFrameSize(1 << 20).build())
                .route("/echo", Recorder.echo()).build().start();
        java.util.List<Socket> raws = new java.util.ArrayList<>();
        java.util.List<Socket> secure = new java.util.ArrayList<>();
        byte[] part = new byte[12_000];
        new Random(5).nextBytes(part);
        try {
            for (int i = 0; i < 12; i++) {
                Socket raw = new Socket("127.0.0.1", limited.port());
                raw.setSoTimeout(10_000);
                javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) clientContext.getSocketFactory()
                        .createSocket(raw, "localhost", limited.port(), true);
                s.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 101", status, "connection " + i + " upgrades");
                OutputStream out = raw.getOutputStream();   // below TLS: a record header, then part of the record
                out.write(new byte[] {0x17, 0x03, 0x03, 0x40, 0x11});
                out.write(part);
                out.flush();
                raws.add(raw);
                secure.add(s);   // (kept referenced: a collected SSLSocket would close its socket)
            }
            long open = 0;
            for (Socket raw : raws) {
                open += HandshakeLimitIT.closedWithin(raw, 500) ? 0 : 1;
            }
            assertTrue(open <= 7, open + " of 12 keep a part record: about 33 KiB each, and 7 fill 256 KiB");
            assertTrue(open >= 1, "the first part records fit in the budget");
            Thread.sleep(1_100);   // those left are old enough to give way
            try (WebSocketClient client = WebSocketClient.builder().tls(TlsContexts.trusting(certPem))
                    .config(WebSocketConfig.builder().maxMessageSize(1 << 20).maxFrameSize(1 << 20).build())
                    .build()) {
                Recorder events = new Recorder();
                io.wirefly.core.WebSocket ws = client.connect(URI.create("wss://localhost:" + limited.port()
                        + "/echo"), events).toCompletableFuture().get(10, TimeUnit.SECONDS);
                byte[] blob = new byte[48 << 10];
                new Random(6).nextBytes(blob);
                ws.sendBinary(ByteBuffer.wrap(blob));
                assertArrayEquals(blob, (byte[]) events.next(), "the fresh message is served");
            }
            long still = 0;
            for (Socket raw : raws) {
                still += HandshakeLimitIT.closedWithin(raw, 200) ? 0 : 1;
            }
            assertTrue(still < open, "older part records gave way: " + still + " of " + open + " still open");
        } finally {
            for (Socket s : secure) {
                s.close();
            }
            limited.stop(Duration.ofSeconds(2));
        }
    }

    /** Python's ssl module (OpenSSL) under websockets: the whole interop script over wss, deflate included. */
    @Test
    void pythonWebsocketsClientOverWss() throws Exception {
        Peers.requirePythonWebsockets();
        String out = Peers.run(Duration.ofSeconds(90), Peers.PYTHON, Peers.script("python_client.py").toString(),
                "wss://127.0.0.1:" + server.port() + "/echo", certPem.toString());
        assertTrue(out.contains("ALL OK"), out);
        assertTrue(out.contains("ok   invalid UTF-8 closed with 1007"), out);
    }

    /** OpenSSL's own client completes a TLS 1.3 and a TLS 1.2 handshake, and ALPN selects http/1.1. */
    @ParameterizedTest
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void opensslHandshakes(String version) throws Exception {
        String out = Peers.run(Duration.ofSeconds(30), "sh", "-c", "openssl s_client -connect 127.0.0.1:"
                + server.port() + " " + version + " -alpn http/1.1 -CAfile " + certPem + " -servername localhost"
                + " </dev/null 2>&1");
        assertTrue(out.contains("Verify return code: 0 (ok)"), out);
        assertTrue(out.contains(version.equals("-tls1_3") ? "TLSv1.3" : "TLSv1.2"), out);
        assertTrue(out.contains("ALPN protocol: http/1.1"), out);
    }

    /**
     * Bad input on the TLS port: random bytes instead of a ClientHello, a plain-text upgrade request, a truncated
     * record followed by a reset, and a client that stalls inside the handshake. Each is closed alone; the server
     * serves a real client afterwards, and the stalled one is closed by the handshake timeout.
     */
    @Test
    void badInputClosesThatConnectionOnlyAndAStalledHandshakeTimesOut() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(3).nextBytes(garbage);
        garbage[0] = 0x16;   // looks like a handshake record, then nonsense
        assertClosedAfter(garbage);
        assertClosedAfter(("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));

        // A truncated record (a header announcing 512 bytes, 10 sent), then the client resets.
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            s.setSoLinger(true, 0);
        }

        // A stalled handshake: the same truncated record, then silence. The handshake timeout (2 s) closes it.
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 1, 2, 3});
            long start = System.nanoTime();
            int n = drain(s.getInputStream());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(millis >= 1_500 && millis < 8_000, "closed after " + millis + " ms (" + n + " bytes)");
        }

        jdkClientEchoes();
        Peers.await(Duration.ofSeconds(5), "every bad connection forgotten",
                () -> server.metrics().openConnections() == 0);
    }

    /**
     * A TLS 1.2 client that asks for a new handshake on an open connection (the JDK's {@code SSLSocket} renegotiates
     * when {@code startHandshake} is called again): a full handshake costs the server far more than the client, so a
     * peer could ask again and again. The server closes that connection instead; an echo it answered before stays
     * answered, and the next client is served.
     */
    @Test
    void aTls12RenegotiationClosesThatConnectionAndTheServerGoesOn() throws Exception {
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) clientContext.getSocketFactory()
                .createSocket("127.0.0.1", server.port())) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertEquals("TLSv1.2", s.getSession().getProtocol());
            // a masked text frame "hi" (mask 1 2 3 4), and its echo unmasked
            s.getOutputStream().write(new byte[] {(byte) 0x81, (byte) 0x82, 1, 2, 3, 4, 'h' ^ 1, 'i' ^ 2});
            s.getOutputStream().flush();
            assertArrayEquals(new byte[] {(byte) 0x81, 2, 'h', 'i'}, in.readNBytes(4), "echoed before");

            assertEquals(1, server.metrics().openConnections());
            try {
                s.startHandshake();   // a renegotiation: a ClientHello inside the open connection
            } catch (IOException refused) {
                // the server's alert or close may reach the handshake itself
            }
            int after;
            try {
                after = drain(in);
            } catch (javax.net.ssl.SSLException closedMidHandshake) {
                after = 0;   // the server's close_notify came inside the handshake the client started
            }
            assertEquals(0, after, "closed: no application data after the renegotiation");
        }
        jdkClientEchoes();
        Peers.await(Duration.ofSeconds(5), "the renegotiating connection forgotten",
                () -> server.metrics().openConnections() == 0);
    }

    /** @return the response head, read byte by byte up to its blank line */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("closed after " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** Our client over wss to our server, trusting the PEM certificate: text, 1 MiB binary, close. */
    @Test
    void ourClientOverWssToOurServer() throws Exception {
        try (WebSocketClient client = WebSocketClient.builder().tls(TlsContexts.trusting(certPem))
                .config(WebSocketConfig.builder().maxMessageSize(4 << 20).maxFrameSize(4 << 20).deflate(true).build())
                .build()) {
            Recorder events = new Recorder();
            io.wirefly.core.WebSocket ws = client.connect(URI.create("wss://localhost:" + server.port() + "/echo"),
                    events).toCompletableFuture().get(10, TimeUnit.SECONDS);
            ws.sendText("hello from our client");
            assertEquals("hello from our client", events.next());
            byte[] blob = new byte[1 << 20];
            new Random(4).nextBytes(blob);
            ws.sendBinary(ByteBuffer.wrap(blob));
            assertArrayEquals(blob, (byte[]) events.next());
            ws.close(1000, "bye");
            assertEquals(1000, events.closeCode());
        }
    }

    /** With the JDK's default trust store, our self-signed server is refused, asynchronously, with the TLS cause. */
    @Test
    void ourClientRefusesAnUntrustedCertificate() throws Exception {
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            java.util.concurrent.ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> client.connect(
                            URI.create("wss://localhost:" + server.port() + "/echo"), new Recorder())
                            .toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof javax.net.ssl.SSLHandshakeException, e.toString());
        }
        Peers.await(Duration.ofSeconds(5), "the server forgets the refused connection",
                () -> server.metrics().openConnections() == 0);
    }

    /** Our client over wss to Python websockets serving TLS with Python's ssl module (OpenSSL). */
    @ParameterizedTest
    @ValueSource(strings = {"plain", "deflate"})
    void ourClientOverWssToAPythonServer(String mode) throws Exception {
        Peers.requirePythonWebsockets();
        try (Peers.Server python = new Peers.Server(Peers.PYTHON, Peers.script("python_server.py").toString(), mode,
                certPem.toString(), keyPem.toString());
                WebSocketClient client = WebSocketClient.builder().tls(TlsContexts.trusting(certPem))
                        .config(WebSocketConfig.builder().deflate(mode.equals("deflate")).maxMessageSize(4 << 20)
                                .maxFrameSize(4 << 20).build()).build()) {
            Recorder events = new Recorder();
            io.wirefly.core.WebSocket ws = client.connect(URI.create("wss://127.0.0.1:" + python.port + "/"), events)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            ws.sendText("hello python over TLS");
            assertEquals("hello python over TLS", events.next());
            byte[] blob = new byte[1 << 20];
            new Random(5).nextBytes(blob);
            ws.sendBinary(ByteBuffer.wrap(blob));
            assertArrayEquals(blob, (byte[]) events.next());
            ws.sendText("close-4001");
            assertEquals(4001, events.closeCode());
        }
    }

    /** Sends bytes and waits for the server to close: an alert (a few bytes) at most, then EOF or a reset. */
    private void assertClosedAfter(byte[] bytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            int n = drain(s.getInputStream());
            assertTrue(n < 100, "at most an alert before the close, got " + n + " bytes");
        }
    }

    /** @return the bytes read until EOF or a reset */
    private static int drain(InputStream in) throws IOException {
        int total = 0;
        byte[] buf = new byte[1024];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        } catch (java.net.SocketException reset) {
            // a reset counts as closed
        }
        return total;
    }
}
