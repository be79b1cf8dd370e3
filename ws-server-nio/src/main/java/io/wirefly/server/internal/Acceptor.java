package io.wirefly.server.internal;

import io.wirefly.core.Role;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * Accepts connections on its own thread (a blocking accept is fine here: this thread does nothing else) and hands
 * each one to an event loop, round-robin. Closing the server channel ends it.
 *
 * <p>It does not spin and does not die: when {@code accept} fails (the process is out of file descriptors,
 * {@code EMFILE}/{@code ENFILE}, or out of memory) it counts the failure in the metrics, backs off for
 * {@link #BACKOFF_MILLIS} and tries again, so the connections being served can finish and free what it needs.
 *
 * <p>At most {@code maxHandshakes} connections are in their opening handshake at once (see {@link HandshakeSlots}):
 * beyond that, the oldest handshake in progress is closed to make room, so that a flood of handshakes that stall
 * can neither fill the heap nor lock honest clients out until its timeout. With a per-address limit, a connection
 * from an address at its limit first closes that address's own oldest handshake.
 */
public final class Acceptor implements Runnable {
    /** How long the acceptor waits after a failed accept. */
    static final long BACKOFF_MILLIS = 100;
    private static final long FULL_LOG_INTERVAL_NANOS = 60_000_000_000L;
    private static final System.Logger LOG = System.getLogger(Acceptor.class.getName());

    private final ServerSocketChannel server;
    private final EventLoopGroup loops;
    private final Settings settings;
    private final ServerUpgrader upgrader;
    private final Registry registry;
    /** Every session's release: one object for all of them, not one per connection. */
    private final Consumer<SessionHandle> release;
    private final TlsSetup tls;
    private final HandshakeSlots slots;
    private final int maxHandshakes;
    /** The most handshakes in progress from one address, or 0 for no limit of its own. */
    private final int perAddress;
    /** Connections per address, for maxConnectionsPerAddress; null without that limit. */
    private final AddressCounts connectionsByAddress;
    /** When the acceptor last logged a refusal at maxConnectionsPerAddress; acceptor thread only. */
    private long lastRefusalLog = System.nanoTime() - FULL_LOG_INTERVAL_NANOS - 1;
    /** When the acceptor last logged that every handshake slot was taken; acceptor thread only. */
    private long lastFullLog = System.nanoTime() - FULL_LOG_INTERVAL_NANOS - 1;
    private final Thread thread;

    /** Where the server keeps its live connections. */
    public interface Registry {
        /** @param handle a connection that has just been accepted */
        void add(SessionHandle handle);

        /** @param handle a connection that is gone: forget it everywhere */
        void remove(SessionHandle handle);
    }

    /**
     * @param server a bound, blocking server channel
     * @param loops where connections go
     * @param settings connection settings
     * @param upgrader the server's handshake rules
     * @param registry the registry of live connections
     * @param tls the TLS layer every connection gets, or null for plain connections
     * @param maxHandshakes the most connections whose handshake is in progress; beyond it the oldest is closed
     * @param perAddress the most of those from one address (beyond it that address's oldest is closed), or 0
     * @param connectionsPerAddress the most connections from one address, handshakes included (beyond it a new one
     *     is closed at once), or 0 for no such limit
     */
    public Acceptor(ServerSocketChannel server, EventLoopGroup loops, Settings settings, ServerUpgrader upgrader,
            Registry registry, TlsSetup tls, int maxHandshakes, int perAddress, int connectionsPerAddress) {
        this.tls = tls;
        this.slots = new HandshakeSlots(maxHandshakes, perAddress);
        this.maxHandshakes = maxHandshakes;
        this.perAddress = perAddress;
        this.server = server;
        this.loops = loops;
        this.settings = settings;
        this.upgrader = upgrader;
        this.registry = registry;
        this.connectionsByAddress = connectionsPerAddress > 0 ? new AddressCounts(connectionsPerAddress) : null;
        this.release = this::forget;
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
            try {
                acceptLoop();
            } catch (Throwable escaped) {
                // Each step has its own catch; this one is for what escapes even those, such as an OutOfMemoryError
                // thrown while a message is built. Accepting goes on after a pause that allocates nothing.
                EventLoop.pauseQuietly();
            }
        }
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (Throwable t) {
                if (!server.isOpen()) {
                    return;
                }
                backOff(t);
                continue;
            }
            InetAddress peer = null;
            if (perAddress > 0 || connectionsByAddress != null) {
                peer = peerAddress(channel);
                if (peer == null) {
                    continue;   // gone already: closed
                }
            }
            if (connectionsByAddress != null && !connectionsByAddress.tryAdd(peer)) {
                settings.metrics().connectionRefused();   // counted before the peer can see the close
                closeQuietly(channel);   // before reading a byte: it costs the server nothing more
                logRefusal(peer);
                continue;
            }
            boolean evictedOwn = perAddress > 0 && evictOwnOldest(peer);
            while (!takeSlot(evictedOwn)) {
                if (!server.isOpen()) {
                    closeQuietly(channel);
                    uncount(peer);
                    return;
                }
            }
            HandshakeSlots.Held held = null;
            try {
                held = slots.holding(upgrader.newHandshake());
                handOver(channel, held);
            } catch (Throwable t) {
                if (held != null) {
                    held.onEnded();   // gives the slot back, once, whether or not a session was made
                } else {
                    slots.give();
                }
                log(Level.DEBUG, "could not set up an accepted connection", t);
                try {
                    channel.close();
                } catch (Throwable ignored) {
                    // already failing
                }
                uncount(peer);   // handOver throws only before the connection was handed to its loop
            }
        }
    }

    private void handOver(SocketChannel channel, HandshakeSlots.Held handshake) throws IOException {
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
        EventLoop loop = loops.next();
        SocketWire wire = new SocketWire(channel);
        Wire top;
        if (tls == null) {
            top = wire;
        } else if (tls.sniffs()) {
            top = new SniffWire(wire, tls, loop, remote);   // SNI or plain-too: look at the first bytes first
        } else {
            top = tls.wrap(wire, loop, remote);
        }
        Session session = new Session(loop, top, settings, Role.SERVER,
                new SessionHandle.Info(remote, (InetSocketAddress) channel.getLocalAddress()), handshake);
        handshake.attach(session, remote.getAddress());
        if (top instanceof TlsWire secure) {
            secure.onResume(() -> session.onReady(false, true, true));
        } else if (top instanceof SniffWire sniffing) {
            sniffing.onResume(() -> session.onReady(false, true, true));
        }
        SessionHandle handle = session.handle();
        registry.add(handle);
        try {
            loop.executeArrival(() -> {
                try {
                    wire.attach(loop.register(channel, SelectionKey.OP_READ, session), SelectionKey.OP_READ);
                } catch (Throwable t) {
                    log(Level.DEBUG, "could not register an accepted connection", t);
                    session.terminate(t);   // gives the handshake slot back
                    forget(handle);
                    return;
                }
                session.start(true, release);
            });
        } catch (RuntimeException notHandedOver) {
            registry.remove(handle);
            throw notHandedOver;
        }
    }

    /** A connection is gone, its socket closed: the registry and the per-address count forget it. */
    private void forget(SessionHandle handle) {
        registry.remove(handle);
        uncount(handle.remoteAddress().getAddress());
    }

    /** @param peer an address counted by {@link #connectionsByAddress}, or null */
    private void uncount(InetAddress peer) {
        if (connectionsByAddress != null && peer != null) {
            connectionsByAddress.remove(peer);
        }
    }

    private void logRefusal(InetAddress peer) {
        long now = System.nanoTime();
        if (now - lastRefusalLog >= FULL_LOG_INTERVAL_NANOS) {
            lastRefusalLog = now;
            LOG.log(Level.WARNING, "closed a new connection from " + peer.getHostAddress() + ": it already holds "
                    + connectionsByAddress.max() + " (maxConnectionsPerAddress); logged at most once a minute");
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (Throwable ignored) {
            // closing anyway
        }
    }

    /** @return the peer's address, or null if the connection is already gone (it was closed here) */
    private static InetAddress peerAddress(SocketChannel channel) {
        try {
            return ((InetSocketAddress) channel.getRemoteAddress()).getAddress();
        } catch (IOException | RuntimeException gone) {
            closeQuietly(channel);   // reset before we looked at it
            return null;
        }
    }

    /**
     * Applies the per-address limit.
     *
     * @return true if one of that address's own handshakes was asked to end
     */
    private boolean evictOwnOldest(InetAddress peer) {
        try {
            return slots.makeRoomFor(peer);
        } catch (RuntimeException stopping) {
            return false;   // a loop that no longer takes tasks: the server is stopping
        }
    }

    /**
     * Takes a handshake slot for a connection just accepted; when every one is taken, evicts the oldest handshake
     * in progress and waits a little for its slot. Meanwhile new connections wait in the kernel's backlog.
     *
     * @param evictedOwn whether this connection's address just had its oldest handshake asked to end: its slot
     *     is coming back, so it is waited for before anyone else's handshake is evicted
     * @return true if a slot is now held; false to look at the channel again first
     */
    private boolean takeSlot(boolean evictedOwn) {
        try {
            if (slots.take(0) || evictedOwn && slots.take(BACKOFF_MILLIS)) {
                return true;
            }
            long now = System.nanoTime();
            if (now - lastFullLog > FULL_LOG_INTERVAL_NANOS) {
                lastFullLog = now;
                log(Level.WARNING, "handshake limit", new IllegalStateException("every one of the " + maxHandshakes
                        + " handshake slots is taken: the oldest handshakes in progress are closed to make room"
                        + " (logged at most once a minute)"));
            }
            try {
                slots.evictOldest();
            } catch (RuntimeException stopping) {
                // a loop that no longer takes tasks: the server is stopping, the slot will not be needed
            }
            return slots.take(BACKOFF_MILLIS);
        } catch (InterruptedException e) {
            return false;   // nobody but close() should stop this thread, and it closes the channel: look at it
        }
    }

    private void backOff(Throwable cause) {
        settings.metrics().acceptFailed();
        log(Level.WARNING, "accept failed; retrying after a pause", cause);
        try {
            Thread.sleep(BACKOFF_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void log(Level level, String what, Throwable t) {
        try {
            LOG.log(level, what + ": " + t);
        } catch (Throwable ignored) {
            // out of memory even for the message: nothing to do but go on
        }
    }
}
