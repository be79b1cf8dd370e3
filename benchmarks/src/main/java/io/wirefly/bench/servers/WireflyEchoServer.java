package io.wirefly.bench.servers;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.WebSocketServer;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The load test's Wirefly echo server: {@code ws-server-nio} with its defaults (one event loop per core), the
 * message limits raised to match the peers' servers, echo on {@code /} (binary messages borrowed through
 * {@code onBinaryBorrowed}, as Netty's echo writes back the buffer it read), and the server's topic
 * {@code subscribe}/{@code publish} on {@code /broadcast} (each frame encoded once and shared).
 *
 * <pre>{@code
 * java -cp ... io.wirefly.bench.servers.WireflyEchoServer 9000
 * java -cp ... io.wirefly.bench.servers.WireflyEchoServer 9443 --tls server.p12      # wss
 * java -cp ... io.wirefly.bench.servers.WireflyEchoServer 9443 --tls server.p12 --same-port true   # both
 * java -cp ... io.wirefly.bench.servers.WireflyEchoServer 9001 --bus redis://127.0.0.1:6379   # a cluster node
 * }</pre>
 */
public final class WireflyEchoServer {
    private static final String TOPIC = "broadcast";

    private WireflyEchoServer() {
    }

    /**
     * @param args the port, {@code --tls KEYSTORE.p12} for wss, {@code --same-port true} to serve ws too on the
     *     same port, {@code --bus nats://...} or {@code redis://...} to share the broadcast topic with other nodes
     * @throws java.io.IOException if the key store cannot be read or the broker reached
     */
    public static void main(String[] args) throws java.io.IOException {
        int port = ServerControl.port(args);
        AtomicReference<WebSocketServer> self = new AtomicReference<>();
        WebSocketServer server = WebSocketServer.builder()
                .bind(InetAddress.getLoopbackAddress())
                .port(port)
                .tls(ServerControl.tls(args))
                .plainOnSamePort("true".equals(ServerControl.option(args, "--same-port")))
                .topicBus(bus(ServerControl.option(args, "--bus")))
                .config(WebSocketConfig.builder()
                        .maxFrameSize(ServerControl.MAX_MESSAGE)
                        .maxMessageSize(ServerControl.MAX_MESSAGE)
                        .deflate(true)   // when a client offers it (the deflate scenario)
                        .build())
                .route(ServerControl.ECHO_PATH, new WebSocketHandler() {
                    @Override
                    public void onText(WebSocket ws, String text) {
                        ws.sendText(text);
                    }

                    @Override
                    public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                        ws.sendBinary(data);   // lent, not copied, on the way in; the frame is the one copy
                    }
                })
                .route(ServerControl.BROADCAST_PATH, new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        self.get().subscribe(ws, TOPIC);
                    }

                    @Override
                    public void onText(WebSocket ws, String text) {
                        self.get().publish(TOPIC, text);
                    }

                    @Override
                    public void onBinary(WebSocket ws, ByteBuffer data) {
                        self.get().publish(TOPIC, data);
                    }
                })
                .build();
        self.set(server);
        server.start();
        ServerControl.serve("wirefly", port, () -> server.stop(Duration.ofSeconds(5)));
    }

    private static io.wirefly.server.cluster.TopicBus bus(String url) throws java.io.IOException {
        if (url == null) {
            return null;
        }
        return url.startsWith("redis://") ? io.wirefly.server.cluster.RedisTopicBus.connect(url)
                : io.wirefly.server.cluster.NatsTopicBus.connect(url);
    }
}
