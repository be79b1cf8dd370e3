package io.wirefly.server.internal;

import io.wirefly.core.Role;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Opens client connections on a group of event loops. */
public final class ClientConnector {
    private final EventLoopGroup loops;
    private final Settings settings;

    /**
     * @param loops the client's loops
     * @param settings connection settings; the handshake timeout covers connect and handshake
     */
    public ClientConnector(EventLoopGroup loops, Settings settings) {
        this.loops = loops;
        this.settings = settings;
    }

    /**
     * Connects. The host name is resolved on the calling thread.
     *
     * @param uri a {@code ws://} URI
     * @param handler the connection's handler
     * @param subprotocols subprotocols to offer
     * @param headers extra request headers
     * @return completed with the open connection, or failed
     */
    public CompletableFuture<WebSocket> connect(URI uri, WebSocketHandler handler, List<String> subprotocols,
            Map<String, String> headers) {
        CompletableFuture<WebSocket> result = new CompletableFuture<>();
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        InetSocketAddress address = new InetSocketAddress(uri.getHost(), port);
        if (address.isUnresolved()) {
            result.completeExceptionally(new IOException("cannot resolve host " + uri.getHost()));
            return result;
        }
        ClientUpgrader upgrader;
        try {
            upgrader = new ClientUpgrader(uri, subprotocols, headers, settings.config(), handler, result);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        EventLoop loop = loops.next();
        loop.execute(() -> {
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                boolean connected = channel.connect(address);
                SocketWire wire = new SocketWire(channel);
                Session session = new Session(loop, wire, settings, Role.CLIENT,
                        new SessionHandle.Info(Role.CLIENT, address), upgrader);
                int ops = connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT;
                wire.attach(loop.register(channel, ops, session), ops);
                session.start(connected, () -> { });
            } catch (IOException | RuntimeException e) {
                // a synchronous failure (refused at once, no route): nothing may stay open
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // already failing
                    }
                }
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}
