package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocketConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two TLS options that look at a connection's first bytes: {@code plainOnSamePort} (ws and wss on one port, the
 * first byte decides) and per-name contexts (the ClientHello's SNI picks the certificate). Certificates are made by
 * openssl for each run.
 */
class TlsSamePortIT {
    @TempDir
    Path dir;

    /** A self-signed EC certificate for {@code name} (and 127.0.0.1): {@code [cert.pem, key.pem]}. */
    private Path[] selfSigned(String name) throws Exception {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + "-key.pem");
        Peers.run(Duration.ofSeconds(60), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name + ",IP:127.0.0.1");
        return new Path[] {cert, key};
    }

    /**
     * One port, both schemes: our client, the JDK client and Python websockets each over ws:// and wss://, OpenSSL's
     * client over TLS; then bad input of both kinds: a non-TLS first byte that is no HTTP gets 400, half a TLS record
     * and half a request line are both closed by the handshake timeout, and everyone is forgotten.
     */
    @Test
    void plainAndTlsShareOnePort() throws Exception {
        Path[] cert = selfSigned("localhost");
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .tls(TlsContexts.fromPem(cert[0], cert[1])).plainOnSamePort(true)
                .handshakeTimeout(Duration.ofSeconds(2))
                .config(WebSocketConfig.builder().maxMessageSize(4 << 20).maxFrameSize(4 << 20).deflate(true).build()).route("/echo", Recorder.echo()).build().start();
        try {
            int port = server.port();
            assertEquals("plain", ourEcho(URI.create("ws://127.0.0.1:" + port + "/echo"), null, "plain"));
            assertEquals("secure", ourEcho(URI.create("wss://localhost:" + port + "/echo"),
                    TlsContexts.trusting(cert[0]), "secure"));

            assertEquals("jdk plain", TlsSniEcho.jdkEcho(URI.create("ws://127.0.0.1:" + port + "/echo"), null,
                    "jdk plain"));
            assertEquals("jdk secure", TlsSniEcho.jdkEcho(URI.create("wss://localhost:" + port + "/echo"),
                    TlsContexts.trusting(cert[0]), "jdk secure"));

            Peers.requirePythonWebsockets();
            for (String url : List.of("ws://127.0.0.1:" + port + "/echo", "wss://localhost:" + port + "/echo")) {
                String out = Peers.run(Duration.ofSeconds(90), Peers.PYTHON,
                        Peers.script("python_client.py").toString(), url, cert[0].toString());
                assertTrue(out.contains("ALL OK"), url + "\n" + out);
            }
            String openssl = Peers.run(Duration.ofSeconds(30), "sh", "-c", "openssl s_client -connect 127.0.0.1:"
                    + port + " -tls1_3 -CAfile " + cert[0] + " -servername localhost </dev/null 2>&1");
            assertTrue(openssl.contains("Verify return code: 0 (ok)"), openssl);

            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write("\u0001\u0002 not HTTP\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
                assertEquals("HTTP/1.1 400", head);
            }
            for (byte[] half : List.of(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 1, 2},
                    "GET /echo HT".getBytes(StandardCharsets.US_ASCII))) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write(half);
                    long start = System.nanoTime();
                    drain(s.getInputStream());
                    long millis = (System.nanoTime() - start) / 1_000_000;
                    assertTrue(millis >= 1_500 && millis < 8_000, "closed after " + millis + " ms");
                }
            }
            Peers.await(Duration.ofSeconds(5), "every connection forgotten",
                    () -> server.metrics().openConnections() == 0);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /** Without plainOnSamePort, a plain request to the TLS port is closed (no HTTP answer in clear text). */
    @Test
    void aTlsOnlyPortWithServerNamesStillRefusesPlainText() throws Exception {
        Path[] fallback = selfSigned("localhost");
        Path[] chat = selfSigned("chat.test");
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .tls(TlsContexts.fromPem(fallback[0], fallback[1]))
                .tls("chat.test", TlsContexts.fromPem(chat[0], chat[1]))
                .route("/echo", Recorder.echo()).build().start();
        try {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(drain(s.getInputStream()) < 100, "at most an alert");
            }
            IllegalStateException notTls = assertThrows(IllegalStateException.class, () -> WebSocketServer.builder()
                    .port(0).route("/", Recorder.echo()).build().reloadTls("chat.test", SSLContext.getDefault()));
            assertTrue(notTls.getMessage().contains("TLS"), notTls.getMessage());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * SNI picks the certificate: an exact name, a wildcard, and the default for another name or none (OpenSSL's
     * client and the JDK's, reading the certificate they were given); a reload of one name changes that name only.
     */
    @Test
    void theClientHellosServerNamePicksTheCertificate() throws Exception {
        Path[] fallback = selfSigned("localhost");
        Path[] chat = selfSigned("chat.test");
        Path[] wild = selfSigned("any.example.test");
        Path[] renewed = selfSigned("chat.test-renewed");
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .tls(TlsContexts.fromPem(fallback[0], fallback[1]))
                .tls("Chat.Test", TlsContexts.fromPem(chat[0], chat[1]))
                .tls("*.example.test", TlsContexts.fromPem(wild[0], wild[1]))
                .route("/echo", Recorder.echo()).build().start();
        try {
            int port = server.port();
            assertEquals("CN=chat.test", TlsSniEcho.subjectFor(port, "chat.test"));
            assertEquals("CN=chat.test", TlsSniEcho.subjectFor(port, "CHAT.test"));
            assertEquals("CN=any.example.test", TlsSniEcho.subjectFor(port, "api.example.test"));
            assertEquals("CN=localhost", TlsSniEcho.subjectFor(port, "deep.api.example.test"), "one label only");
            assertEquals("CN=localhost", TlsSniEcho.subjectFor(port, "other.test"));
            assertEquals("CN=localhost", TlsSniEcho.subjectFor(port, null));

            String openssl = Peers.run(Duration.ofSeconds(30), "sh", "-c", "openssl s_client -connect 127.0.0.1:"
                    + port + " -servername chat.test -CAfile " + chat[0] + " </dev/null 2>&1");
            assertTrue(openssl.contains("Verify return code: 0 (ok)"), openssl);
            assertTrue(openssl.contains("CN=chat.test") || openssl.contains("CN = chat.test"), openssl);

            // A WebSocket over the name-selected certificate, verified by the JDK client against that certificate.
            assertEquals("hi chat", TlsSniEcho.sniEcho(port, "chat.test", chat[0], "hi chat"));

            server.reloadTls("chat.test", TlsContexts.fromPem(renewed[0], renewed[1]));
            assertEquals("CN=chat.test-renewed", TlsSniEcho.subjectFor(port, "chat.test"));
            assertEquals("CN=any.example.test", TlsSniEcho.subjectFor(port, "api.example.test"));
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void badTlsSettingsFailAtBuildNamingTheValue() {
        IllegalArgumentException noDefault = assertThrows(IllegalArgumentException.class, () -> WebSocketServer
                .builder().tls("chat.test", SSLContext.getDefault()).route("/", Recorder.echo()).build());
        assertTrue(noDefault.getMessage().contains("chat.test"), noDefault.getMessage());
        IllegalArgumentException nothingToShare = assertThrows(IllegalArgumentException.class, () -> WebSocketServer
                .builder().plainOnSamePort(true).route("/", Recorder.echo()).build());
        assertTrue(nothingToShare.getMessage().contains("plainOnSamePort"), nothingToShare.getMessage());
        for (String bad : List.of("", "127.0.0.1", "a b.test", "*.*.test", "x.*.test", "end.")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WebSocketServer.builder().tls(bad, SSLContext.getDefault()), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }

    /** The handler learns from the request whether its connection is TLS, and which; so does our client. */
    @Test
    void theRequestCarriesTheTlsSessionOfAWssConnectionOnly() throws Exception {
        Path[] cert = selfSigned("localhost");
        io.wirefly.core.WebSocketHandler who = new io.wirefly.core.WebSocketHandler() {
            @Override
            public void onOpen(io.wirefly.core.WebSocket ws) {
                ws.sendText(ws.request().tlsSession().map(t -> t.getProtocol() + " " + t.getPeerHost())
                        .orElse("plain"));
            }
        };
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .tls(TlsContexts.fromPem(cert[0], cert[1])).plainOnSamePort(true).route("/who", who).build().start();
        try (WebSocketClient client = WebSocketClient.builder().tls(TlsContexts.trusting(cert[0])).build()) {
            for (String scheme : List.of("wss", "ws")) {
                Recorder events = new Recorder();
                io.wirefly.core.WebSocket ws = client.connect(URI.create(scheme + "://localhost:" + server.port()
                        + "/who"), events).toCompletableFuture().get(10, TimeUnit.SECONDS);
                String seen = (String) events.next();
                if (scheme.equals("wss")) {
                    assertTrue(seen.startsWith("TLSv1."), seen);
                    assertEquals("localhost", ws.request().tlsSession().orElseThrow().getPeerHost(),
                            "our client's side of the session");
                } else {
                    assertEquals("plain", seen);
                    assertTrue(ws.request().tlsSession().isEmpty());
                }
                ws.close();
            }
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    private static String ourEcho(URI uri, SSLContext trust, String text) throws Exception {
        WebSocketClient.Builder builder = WebSocketClient.builder();
        if (trust != null) {
            builder.tls(trust);
        }
        try (WebSocketClient client = builder.build()) {
            Recorder events = new Recorder();
            io.wirefly.core.WebSocket ws = client.connect(uri, events).toCompletableFuture().get(10, TimeUnit.SECONDS);
            ws.sendText(text);
            Object echoed = events.next();
            ws.close(1000, "");
            assertEquals(1000, events.closeCode());
            return (String) echoed;
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

    /** JDK-side helpers: a TLS socket with a chosen SNI that reports the certificate, and the JDK WebSocket client. */
    static final class TlsSniEcho {
        private TlsSniEcho() {
        }

        /** @return the subject of the certificate the server presents for {@code serverName} (null: no SNI sent) */
        static String subjectFor(int port, String serverName) throws Exception {
            SSLContext trustAll = SSLContext.getInstance("TLS");
            trustAll.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // this client only reads which certificate it was given
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            try (SSLSocket s = (SSLSocket) trustAll.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    port)) {
                s.setSoTimeout(10_000);
                SSLParameters params = s.getSSLParameters();
                params.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
                s.setSSLParameters(params);
                s.startHandshake();
                X509Certificate cert = (X509Certificate) s.getSession().getPeerCertificates()[0];
                return cert.getSubjectX500Principal().getName();
            }
        }

        /**
         * The JDK's WebSocket client connecting to 127.0.0.1 with SNI {@code serverName} (a name this machine
         * cannot resolve). It trusts only that name's certificate, so the handshake succeeds only if SNI chose it.
         */
        static String sniEcho(int port, String serverName, Path trustedPem, String text) throws Exception {
            SSLParameters params = new SSLParameters();
            params.setServerNames(List.of(new SNIHostName(serverName)));
            params.setEndpointIdentificationAlgorithm(null);   // 127.0.0.1 is not in its SAN
            java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                    .sslContext(TlsContexts.trusting(trustedPem)).sslParameters(params).build();
            return jdkEcho(http, URI.create("wss://127.0.0.1:" + port + "/echo"), text);
        }

        static String jdkEcho(URI uri, SSLContext trust, String text) throws Exception {
            java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder();
            if (trust != null) {
                b.sslContext(trust);
            }
            return jdkEcho(b.build(), uri, text);
        }

        private static String jdkEcho(java.net.http.HttpClient http, URI uri, String text) throws Exception {
            java.util.concurrent.CompletableFuture<String> got = new java.util.concurrent.CompletableFuture<>();
            java.net.http.WebSocket ws = http.newWebSocketBuilder().buildAsync(uri, new java.net.http.WebSocket
                    .Listener() {
                @Override
                public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data,
                        boolean last) {
                    got.complete(data.toString());
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            ws.sendText(text, true);
            String echoed = got.get(10, TimeUnit.SECONDS);
            ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
            return echoed;
        }
    }
}
