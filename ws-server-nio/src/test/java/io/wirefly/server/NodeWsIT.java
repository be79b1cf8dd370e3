package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocketConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Node's `ws` (from npm, pinned by package-lock.json) as a client of our server, with and without deflate. */
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
}
