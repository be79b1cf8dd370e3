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
    private final java.util.function.Supplier<TlsSetup> tls;

    private final java.util.Set<SessionHandle> connections = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final ProxyConfig proxy;

    /**
     * @param loops the client's loops
     * @param settings connection settings; the handshake timeout covers connect and handshake
     * @param tls the TLS setup for {@code wss://} URIs, asked for at the first one
     * @param proxy the HTTP proxy to go through, if any
     */
    public ClientConnector(EventLoopGroup loops, Settings settings, java.util.function.Supplier<TlsSetup> tls,
            ProxyConfig proxy) {
        this.loops = loops;
        this.settings = settings;
        this.tls = tls;
        this.proxy = proxy;
    }

    /** @return the connections started and not yet released (live, thread-safe) */
    public java.util.Set<SessionHandle> connections() {
        return connections;
    }

    /**
     * Connects. The host name is resolved on the calling thread.
     *
     * @param uri a {@code ws://} or {@code wss://} URI
     * @param handler the connection's handler
     * @param subprotocols subprotocols to offer
     * @param headers extra request headers
     * @return completed with the open connection, or failed
     */
    public CompletableFuture<WebSocket> connect(URI uri, WebSocketHandler handler, List<String> subprotocols,
            Map<String, String> headers) {
        CompletableFuture<WebSocket> result = new CompletableFuture<>();
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort() != -1 ? uri.getPort() : secure ? 443 : 80;
        TlsSetup tlsSetup;
        try {
            tlsSetup = secure ? tls.get() : null;
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        InetSocketAddress proxyAddress;
        try {
            proxyAddress = proxy.select(uri);
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return result;
        }
        // Through a proxy, the proxy resolves the server's name; the connection's remote address is the server's.
        InetSocketAddress address = proxyAddress != null ? InetSocketAddress.createUnresolved(uri.getHost(), port)
                : new InetSocketAddress(uri.getHost(), port);
        InetSocketAddress dial = proxyAddress != null ? proxyAddress : address;
        if (dial.isUnresolved()) {
            result.completeExceptionally(new IOException("cannot resolve host " + dial.getHostString()
                    + (proxyAddress != null ? " (the proxy)" : "")));
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
                boolean connected = channel.connect(dial);
                SocketWire wire = new SocketWire(channel);
                Wire net = proxyAddress == null ? wire
                        : new ProxyWire(wire, uri.getHost(), port, proxy.user(), proxy.password());
                TlsWire secureWire = tlsSetup == null ? null : tlsSetup.wrapClient(net, loop, uri.getHost(), port);
                Session session = new Session(loop, secureWire == null ? net : secureWire, settings, Role.CLIENT,
                        new SessionHandle.Info(address, (InetSocketAddress) channel.getLocalAddress()), upgrader);
                if (secureWire != null) {
                    secureWire.onResume(() -> session.onReady(false, true, true));
                }
                int ops = connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT;
                wire.attach(loop.register(channel, ops, session), ops);
                SessionHandle handle = session.handle();
                connections.add(handle);
                session.start(connected, connections::remove);
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
