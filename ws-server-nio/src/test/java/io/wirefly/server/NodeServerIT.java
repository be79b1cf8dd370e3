package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Our client against Node's `ws` as a server that keeps its compression context and so declines an offer asking it
 * not to (as Netty's default server handshaker does): the client's second offer, without
 * {@code server_no_context_takeover}, is the one agreed, and compressed messages go both ways.
 */
class NodeServerIT {
    private static final Path NODE_DIR = Path.of("src", "test", "node");

    @BeforeAll
    static void installWs() throws Exception {
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("ws"))) {
            Peers.run(Duration.ofMinutes(3), "npm", "ci", "--prefix", NODE_DIR.toString(), "--no-audit", "--no-fund");
        }
    }

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
