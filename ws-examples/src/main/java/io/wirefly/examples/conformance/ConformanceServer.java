package io.wirefly.examples.conformance;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.WebSocketServer;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * The echo server that the Autobahn|Testsuite's fuzzingclient tests: every text and binary message comes back
 * unchanged, permessage-deflate is enabled (so sections 12 and 13 negotiate it), and the limits admit the suite's
 * largest messages (16 MiB in section 9). It binds to 127.0.0.1 only, prints {@code listening on port N} once the
 * port is bound, and stops cleanly on SIGTERM or Ctrl-C. {@code ws-examples/conformance/run.sh} starts it.
 *
 * <pre>{@code
 * java -cp ws-core/target/classes:ws-server-nio/target/classes:ws-examples/target/classes \
 *     io.wirefly.examples.conformance.ConformanceServer 9002
 * }</pre>
 */
public final class ConformanceServer {
    /** Frame and message limit: the suite's 16 MiB messages (9.1.6, 9.2.6) plus headroom. */
    static final int LIMIT = 32 << 20;
    private static final int DEFAULT_PORT = 9002;

    private ConformanceServer() {
    }

    /**
     * Starts the server and serves until the JVM is stopped.
     *
     * @param args optionally the port to listen on (default 9002)
     * @throws InterruptedException if the main thread is interrupted while serving
     */
    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_PORT;
        WebSocketConfig config = WebSocketConfig.builder()
                .maxFrameSize(LIMIT)
                .maxMessageSize(LIMIT)
                .deflate(true)
                .build();
        WebSocketServer server = WebSocketServer.builder()
                .bind(InetAddress.getLoopbackAddress())
                .port(port)
                .config(config)
                .maxWriteBuffer(2L * LIMIT)   // an echoed 16 MiB message must fit in the outbound queue
                .route("/", new Echo())
                .build()
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(Duration.ofSeconds(2)), "stop"));
        System.out.println("listening on port " + server.port());
        Thread.currentThread().join();   // serve until the JVM is stopped (SIGTERM runs the hook above)
    }

    /** Sends every message back as it came: text as text, binary as binary. */
    static final class Echo implements WebSocketHandler {
        @Override
        public void onText(WebSocket ws, String text) {
            ws.sendText(text);
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            ws.sendBinary(data);
        }
    }
}
