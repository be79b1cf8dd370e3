package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Node's `ws` (from npm, pinned by package-lock.json) as a client of our server, with and without deflate, over ws://
 * and over wss:// (Node's own TLS, OpenSSL underneath, trusting only a certificate made by openssl for the run); and
 * as a server for our client.
 */
class NodeWsIT {
    private static final Path NODE_DIR = Path.of("src", "test", "node");

    @BeforeAll
    static void installWs() throws Exception {
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("ws"))) {
            Peers.run(Duration.ofMinutes(3), "npm", "ci", "--prefix", NODE_DIR.toString(), "--no-audit", "--no-fund");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void nodeWsClientAgainstOurServer(boolean deflate) throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0)
                .config(WebSocketConfig.builder().deflate(true).build())
                .route("/", Recorder.echo()).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(60), "node", NODE_DIR.resolve("node_client.js").toString(),
                    "ws://127.0.0.1:" + server.port() + "/", deflate ? "deflate" : "plain");
            assertTrue(out.contains("ALL OK"), out);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void nodeWsClientOverWss(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Peers.run(Duration.ofSeconds(60), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .tls(TlsContexts.fromPem(cert, key))
                .config(WebSocketConfig.builder().deflate(true).build())
                .route("/", Recorder.echo()).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(60), "node", NODE_DIR.resolve("node_client.js").toString(),
                    "wss://127.0.0.1:" + server.port() + "/", "deflate", cert.toString());
            assertTrue(out.contains("ALL OK") && out.contains("certificate verified"), out);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * Our client against Node's `ws` as a server that keeps its compression context and so declines an offer
     * asking it not to (as Netty's default server handshaker does): the client's second offer, without
     * {@code server_no_context_takeover}, is the one agreed, and compressed messages go both ways.
     */
    @Test
    void aServerThatKeepsItsContextStillAgreesToCompress() throws Exception {
        try (Peers.Server node = new Peers.Server("node", NODE_DIR.resolve("node_server.js").toString(),
                "deflate-keep-context");
                WebSocketClient client = WebSocketClient.builder()
                        .config(WebSocketConfig.builder().deflate(true).build()).build()) {
            Recorder events = new Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + node.port + "/"), events)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertTrue(ws.request().extensions().stream().anyMatch(e -> e.startsWith("permessage-deflate")
                    && !e.contains("server_no_context_takeover")), "the second offer: " + ws.request().extensions());
            for (int i = 0; i < 5; i++) {
                String text = ("message " + i + ": ") + "compressible text, ".repeat(500);
                ws.sendText(text);
                assertEquals(text, events.next(), "with the server's context carried over from message to message");
            }
            byte[] blob = new byte[100_000];
            new Random(3).nextBytes(blob);
            ws.sendBinary(ByteBuffer.wrap(blob));
            assertArrayEquals(blob, (byte[]) events.next());
            ws.close(1000, "done").toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
