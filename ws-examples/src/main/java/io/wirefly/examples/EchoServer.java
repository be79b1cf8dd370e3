package io.wirefly.examples;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.WebSocketServer;
import java.nio.ByteBuffer;
import java.util.Set;

/** The seed's echo server: whatever a client sends comes back (发什么回什么), on {@code /} and {@code /echo}. */
public final class EchoServer {
    private EchoServer() {
    }

    static int run(String[] argv) throws InterruptedException {
        Args args = new Args(argv, Set.of("--port", "--max-message-size", GracefulStop.OPTION), Set.of());
        int port = args.intValue("--port", 9998, 0, 65535);
        int maxMessage = args.intValue("--max-message-size", 1 << 20, 1, Integer.MAX_VALUE);
        WebSocketServer server = start(port, maxMessage);
        GracefulStop.install(server, GracefulStop.timeout(args), () -> { });
        System.out.println("echo server on ws://localhost:" + server.port() + "/");
        GracefulStop.awaitSignal();
        return 0;
    }

    /**
     * @param port the port, 0 for any
     * @param maxMessageSize the largest message accepted
     * @return the started server
     */
    public static WebSocketServer start(int port, int maxMessageSize) {
        WebSocketHandler echo = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                ws.sendText(text);
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                ws.sendBinary(data);
            }
        };
        WebSocketConfig config = WebSocketConfig.builder().deflate(true)
                .maxMessageSize(maxMessageSize).maxFrameSize(maxMessageSize).build();
        return WebSocketServer.builder().port(port).config(config).route("/", echo).route("/echo", echo)
                .build().start();
    }
}
