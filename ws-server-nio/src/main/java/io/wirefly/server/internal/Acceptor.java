package io.wirefly.server.internal;

import io.wirefly.core.Role;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * Accepts connections on its own thread (a blocking accept is fine here: this thread does nothing else) and hands
 * each one to an event loop, round-robin. Closing the server channel ends it.
 */
public final class Acceptor implements Runnable {
    private static final System.Logger LOG = System.getLogger(Acceptor.class.getName());

    private final ServerSocketChannel server;
    private final EventLoopGroup loops;
    private final Settings settings;
    private final ServerUpgrader upgrader;
    private final Set<Connection> connections;
    private final Thread thread;

    /**
     * @param server a bound, blocking server channel
     * @param loops where connections go
     * @param settings connection settings
     * @param upgrader the server's handshake rules
     * @param connections the registry of live connections
     */
    public Acceptor(ServerSocketChannel server, EventLoopGroup loops, Settings settings, ServerUpgrader upgrader,
            Set<Connection> connections) {
        this.server = server;
        this.loops = loops;
        this.settings = settings;
        this.upgrader = upgrader;
        this.connections = connections;
        this.thread = new Thread(this, "wirefly-acceptor-" + server.socket().getLocalPort());
        this.thread.setDaemon(true);
    }

    /** Starts accepting. */
    public void start() {
        thread.start();
    }

    /**
     * Waits for the acceptor to end after its channel was closed.
     *
     * @param millis the longest wait
     * @throws InterruptedException if interrupted
     */
    public void join(long millis) throws InterruptedException {
        thread.join(millis);
    }

    @Override
    public void run() {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "accept failed", e);
                continue;
            }
            try {
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
                EventLoop loop = loops.next();
                Connection c = new Connection(loop, channel, settings, Role.SERVER, remote, upgrader.newHandshake());
                connections.add(c);
                loop.execute(() -> c.register(SelectionKey.OP_READ, () -> connections.remove(c)));
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "could not set up an accepted connection", e);
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // already failing
                }
            }
        }
    }
}
