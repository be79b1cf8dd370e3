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
        Set<String> options = new java.util.HashSet<>(Set.of("--port", "--max-message-size", GracefulStop.OPTION));
        options.addAll(ExampleTls.OPTIONS);
        Args args = new Args(argv, options, ExampleTls.SWITCHES);
        int port = args.intValue("--port", 9998, 0, 65535);
        int maxMessage = args.intValue("--max-message-size", 1 << 20, 1, Integer.MAX_VALUE);
        ExampleTls tls = ExampleTls.from(args);
        WebSocketServer server = ExampleTls.apply(tls, builder(port, maxMessage)).build().start();
        ExampleTls.watch(tls, server);
        GracefulStop.install(server, GracefulStop.timeout(args), () -> { });
        System.out.println("echo server on " + ExampleTls.urls(tls, "ws", server.port(), "/"));
        GracefulStop.awaitSignal();
        return 0;
    }

    /**
     * @param port the port, 0 for any
     * @param maxMessageSize the largest message accepted
     * @return the started server
     */
    public static WebSocketServer start(int port, int maxMessageSize) {
        return start(port, maxMessageSize, null);
    }

    /**
     * @param port the port, 0 for any
     * @param maxMessageSize the largest message accepted
     * @param tls the TLS context for {@code wss://}, or null for {@code ws://}
     * @return the started server
     */
    public static WebSocketServer start(int port, int maxMessageSize, javax.net.ssl.SSLContext tls) {
        return builder(port, maxMessageSize).tls(tls).build().start();
    }

    private static WebSocketServer.Builder builder(int port, int maxMessageSize) {
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
        return WebSocketServer.builder().port(port).config(config).route("/", echo).route("/echo", echo);
    }
}
