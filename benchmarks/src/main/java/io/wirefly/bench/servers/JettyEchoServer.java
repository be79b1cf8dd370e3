package io.wirefly.bench.servers;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The load test's Jetty 12 echo server: Jetty's core (no servlet) WebSocket API, the default thread pool, echo on
 * {@code /} and a loop over the open sessions on {@code /broadcast}.
 *
 * <pre>{@code
 * java -cp ... io.wirefly.bench.servers.JettyEchoServer 9003
 * }</pre>
 */
public final class JettyEchoServer {
    private JettyEchoServer() {
    }

    /**
     * @param args the port
     * @throws Exception if Jetty fails to start
     */
    public static void main(String[] args) throws Exception {
        int port = ServerControl.port(args);
        Set<Session> subscribers = ConcurrentHashMap.newKeySet();
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        connector.setAcceptQueueSize(4096);
        connector.setIdleTimeout(Duration.ofMinutes(10).toMillis());
        server.addConnector(connector);
        server.setHandler(WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxBinaryMessageSize(ServerControl.MAX_MESSAGE);
            container.setMaxTextMessageSize(ServerControl.MAX_MESSAGE);
            container.setIdleTimeout(Duration.ofMinutes(10));
            container.addMapping(ServerControl.ECHO_PATH, (request, response, callback) -> new Echo());
            container.addMapping(ServerControl.BROADCAST_PATH,
                    (request, response, callback) -> new Broadcast(subscribers));
        }));
        server.start();
        ServerControl.serve("jetty", port, server::stop);
    }

    /** Echoes each message; the incoming buffer is released when the echo is written. */
    public static final class Echo implements Session.Listener.AutoDemanding {
        private Session session;

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
        }

        @Override
        public void onWebSocketText(String message) {
            session.sendText(message, Callback.NOOP);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            session.sendBinary(payload, callback);
        }
    }

    /** Sends each message to every session open on the broadcast path. */
    public static final class Broadcast implements Session.Listener.AutoDemanding {
        private final Set<Session> subscribers;
        private Session session;

        Broadcast(Set<Session> subscribers) {
            this.subscribers = subscribers;
        }

        @Override
        public void onWebSocketOpen(Session session) {
            this.session = session;
            subscribers.add(session);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            subscribers.remove(session);
            callback.succeed();
        }

        @Override
        public void onWebSocketText(String message) {
            for (Session s : subscribers) {
                s.sendText(message, Callback.NOOP);
            }
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            // Copy once, release Jetty's buffer, and share the read-only copy among the sends.
            ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
            callback.succeed();
            for (Session s : subscribers) {
                s.sendBinary(copy.slice(), Callback.NOOP);
            }
        }
    }
}
