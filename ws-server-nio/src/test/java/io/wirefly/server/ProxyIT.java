package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our client through a real HTTP proxy: Debian's {@code tinyproxy} (installed by .ci/install-peers.sh), started here
 * on a free loopback port with Basic authentication, in front of our servers: ws:// and wss:// through the tunnel,
 * the proxy picked explicitly or by a {@link ProxySelector}, and wrong credentials answered with 407.
 */
class ProxyIT {
    private static final Path TINYPROXY = Path.of("/usr/bin/tinyproxy");

    @TempDir
    Path dir;

    private Process proxy;
    private final StringBuffer proxyLog = new StringBuffer();
    private int proxyPort;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @BeforeEach
    void startTinyproxy() throws Exception {
        assertTrue(Files.isExecutable(TINYPROXY), "install Debian's tinyproxy (bash .ci/install-peers.sh)");
        proxyPort = freePort();
        Path conf = dir.resolve("tinyproxy.conf");
        Files.writeString(conf, String.join("\n",
                "User nobody", "Group nogroup", "Port " + proxyPort, "Listen 127.0.0.1", "Timeout 30",
                "MaxClients 20", "Allow 127.0.0.1", "BasicAuth alice s3cret", "LogLevel Info", ""));
        proxy = new ProcessBuilder(TINYPROXY.toString(), "-d", "-c", conf.toString()).redirectErrorStream(true)
                .start();
        Thread reader = new Thread(() -> {
            try {
                byte[] buf = new byte[4096];
                for (int n; (n = proxy.getInputStream().read(buf)) >= 0; ) {
                    proxyLog.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the proxy stopped
            }
        }, "tinyproxy-log");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", proxyPort)) {
                assertTrue(probe.isConnected());
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !proxy.isAlive()) {
                    throw new AssertionError("tinyproxy did not start: " + proxyLog);
                }
                Thread.sleep(50);
            }
        }
    }

    @AfterEach
    void stopTinyproxy() throws InterruptedException {
        if (proxy != null) {
            proxy.destroy();
            if (!proxy.waitFor(5, TimeUnit.SECONDS)) {
                proxy.destroyForcibly();
            }
        }
    }

    private Proxy httpProxy() {
        return new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", proxyPort));
    }

    private static String echoOnce(WebSocketClient client, URI uri, String text) throws Exception {
        Recorder events = new Recorder();
        WebSocket ws = client.connect(uri, events).toCompletableFuture().get(15, TimeUnit.SECONDS);
        ws.sendText(text);
        Object echoed = events.next();
        ws.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return (String) echoed;
    }

    @Test
    void wsAndWssThroughTheProxyPickedExplicitlyOrBySelector() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Peers.run(Duration.ofSeconds(60), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        WebSocketServer plain = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .route("/echo", Recorder.echo()).build().start();
        WebSocketServer secure = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .tls(TlsContexts.fromPem(cert, key)).route("/echo", Recorder.echo()).build().start();
        try {
            try (WebSocketClient client = WebSocketClient.builder().proxy(httpProxy())
                    .proxyCredentials("alice", "s3cret").tls(TlsContexts.trusting(cert)).build()) {
                assertEquals("via proxy", echoOnce(client, URI.create("ws://127.0.0.1:" + plain.port() + "/echo"),
                        "via proxy"));
                // TLS inside the tunnel, the certificate checked against the server's name, not the proxy's
                assertEquals("wss via proxy", echoOnce(client,
                        URI.create("wss://localhost:" + secure.port() + "/echo"), "wss via proxy"));
            }
            try (WebSocketClient client = WebSocketClient.builder()
                    .proxySelector(ProxySelector.of(new InetSocketAddress("127.0.0.1", proxyPort)))
                    .proxyCredentials("alice", "s3cret").build()) {
                assertEquals("selected", echoOnce(client, URI.create("ws://127.0.0.1:" + plain.port() + "/echo"),
                        "selected"));
            }
            String log = proxyLog.toString();
            assertTrue(log.contains("CONNECT 127.0.0.1:" + plain.port()), "the proxy saw the tunnels:\n" + log);
            assertTrue(log.contains("CONNECT localhost:" + secure.port()), "the proxy saw the tunnels:\n" + log);

            // Without the proxy running, the same client cannot connect: it really went through it.
            stopTinyproxy();
            try (WebSocketClient client = WebSocketClient.builder().proxy(httpProxy())
                    .proxyCredentials("alice", "s3cret").build()) {
                ExecutionException e = assertThrows(ExecutionException.class, () -> client.connect(
                        URI.create("ws://127.0.0.1:" + plain.port() + "/echo"), new Recorder())
                        .toCompletableFuture().get(15, TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof IOException, e.getCause().toString());
            }
        } finally {
            plain.stop(Duration.ofSeconds(2));
            secure.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void wrongOrMissingCredentialsFailTheConnectWithTheProxysStatus() throws Exception {
        WebSocketServer plain = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .route("/echo", Recorder.echo()).build().start();
        try {
            for (WebSocketClient.Builder b : List.of(
                    WebSocketClient.builder().proxy(httpProxy()).proxyCredentials("alice", "wrong"),
                    WebSocketClient.builder().proxy(httpProxy()))) {
                try (WebSocketClient client = b.build()) {
                    ExecutionException e = assertThrows(ExecutionException.class, () -> client.connect(
                            URI.create("ws://127.0.0.1:" + plain.port() + "/echo"), new Recorder())
                            .toCompletableFuture().get(15, TimeUnit.SECONDS));
                    assertTrue(e.getCause() instanceof IOException, e.getCause().toString());
                    // RFC 9110 says 407; tinyproxy 1.11 answers a CONNECT without valid credentials with 401
                    assertTrue(e.getCause().getMessage().matches("the proxy refused the tunnel: HTTP/1\\.. 40[17] .*"),
                            e.getCause().getMessage());
                }
            }
            assertEquals(0, plain.metrics().openConnections());
        } finally {
            plain.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aBadProxySettingFailsAtBuild() {
        IllegalArgumentException socks = assertThrows(IllegalArgumentException.class, () -> WebSocketClient.builder()
                .proxy(new Proxy(Proxy.Type.SOCKS, new InetSocketAddress("127.0.0.1", 1080))).build());
        assertTrue(socks.getMessage().startsWith("proxy must be an HTTP proxy"), socks.getMessage());
        IllegalArgumentException user = assertThrows(IllegalArgumentException.class, () -> WebSocketClient.builder()
                .proxyCredentials("a:b", "c").build());
        assertTrue(user.getMessage().startsWith("proxyCredentials"), user.getMessage());
    }
}
