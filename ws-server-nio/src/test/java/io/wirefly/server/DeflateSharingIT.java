package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocketConfig;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * permessage-deflate's memory with real clients (Python websockets): by default no side takes context over, so the
 * server's connections share their event loop's compressor and borrow a decompressor only while a message
 * arrives; with context takeover, each connection's decompressor counts against maxInboundBuffer.
 */
class DeflateSharingIT {

    @Test
    void fortyCompressingClientsOnOneLoopEachGetTheirOwnMessagesBack() throws Exception {
        Peers.requirePythonWebsockets();
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .eventLoops(1)
                .config(WebSocketConfig.builder().deflate(true).build())
                .route("/", Recorder.echo()).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(120), Peers.PYTHON,
                    Peers.script("deflate_clients.py").toString(), "ws://127.0.0.1:" + server.port() + "/", "40",
                    "15");
            assertTrue(out.contains("ALL OK"), out);
            assertTrue(out.contains("answer permessage-deflate; server_no_context_takeover;"
                    + " client_no_context_takeover; server_max_window_bits=15"), out);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void withContextTakeoverEachConnectionsDecompressorCountsAgainstTheInboundBudget() throws Exception {
        Peers.requirePythonWebsockets();
        // Room for two decompressors (48 KiB each) and the messages, not for a third.
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .config(WebSocketConfig.builder().deflate(true).deflateServerNoContextTakeover(false)
                        .deflateClientNoContextTakeover(false).build())
                .maxInboundBuffer(2 * 48 * 1024 + 16 * 1024)
                .route("/", Recorder.echo()).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(60), Peers.PYTHON,
                    Peers.script("deflate_clients.py").toString(), "ws://127.0.0.1:" + server.port() + "/", "3",
                    "hold");
            assertTrue(out.contains("client 0 echo\nclient 1 echo\nclient 2 closed 1013\n"), out);
            assertTrue(out.contains("client 0 again echo"), "the others go on: " + out);
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }
}
