package io.wirefly.bench.servers;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * The load test's Java-WebSocket echo server: default decoder threads, echo on {@code /}, and the library's own
 * {@code broadcast(..., clients)} on {@code /broadcast}.
 *
 * <pre>{@code
 * java -cp ... io.wirefly.bench.servers.JavaWebSocketEchoServer 9002
 * }</pre>
 */
public final class JavaWebSocketEchoServer extends WebSocketServer {
    private final Set<WebSocket> subscribers = ConcurrentHashMap.newKeySet();
    private final CountDownLatch started = new CountDownLatch(1);

    private JavaWebSocketEchoServer(int port) {
        // permessage-deflate when a client offers it (the deflate scenario), plain otherwise
        super(new InetSocketAddress("127.0.0.1", port),
                java.util.List.of(new org.java_websocket.drafts.Draft_6455(
                        new org.java_websocket.extensions.permessage_deflate.PerMessageDeflateExtension())));
        setTcpNoDelay(true);
        setReuseAddr(true);
    }

    /**
     * @param args the port
     * @throws InterruptedException if interrupted while starting
     */
    public static void main(String[] args) throws InterruptedException {
        int port = ServerControl.port(args);
        JavaWebSocketEchoServer server = new JavaWebSocketEchoServer(port);
        server.start();
        if (!server.started.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("Java-WebSocket server did not start within 30 s");
        }
        ServerControl.serve("java-websocket", port, () -> server.stop(2000));
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        if (handshake.getResourceDescriptor().startsWith(ServerControl.BROADCAST_PATH)) {
            subscribers.add(conn);
        }
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        subscribers.remove(conn);
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        if (subscribers.contains(conn)) {
            broadcast(message, subscribers);
        } else {
            conn.send(message);
        }
    }

    @Override
    public void onMessage(WebSocket conn, ByteBuffer message) {
        if (subscribers.contains(conn)) {
            broadcast(message, subscribers);
        } else {
            conn.send(message);
        }
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        if (conn == null) {
            System.err.println("Java-WebSocket server error: " + ex);
        }
    }
}
