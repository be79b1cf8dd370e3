package io.wirefly.server.internal;

import io.wirefly.core.internal.protocol.InboundBudget;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * A server's TLS: its {@link SSLContext} (and more per server name, chosen by the ClientHello's SNI), whether plain
 * connections share the port, the engine settings every connection gets (server mode, TLS 1.2 and 1.3, ALPN
 * {@code http/1.1}), and the threads that run the engines' delegated tasks off the event loops. Contexts can be
 * replaced while the server runs (a renewed certificate): connections accepted afterwards get the new one.
 *
 * <pre>{@code
 * TlsSetup tls = new TlsSetup(context, Map.of("chat.example.com", chatContext), false);
 * Wire wire = tls.sniffs() ? new SniffWire(socketWire, tls, loop, remote) : tls.wrap(socketWire, loop, remote);
 * tls.close();   // when the server stops
 * }</pre>
 */
public final class TlsSetup implements AutoCloseable {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private volatile SSLContext context;
    /** Per server name (lower case; {@code *.example.com} for a wildcard), copied on every change. */
    private volatile Map<String, SSLContext> named;
    private final boolean plainToo;
    private final InboundBudget budget;
    private final ExecutorService tasks;

    /** @param context the server's keys and trust */
    public TlsSetup(SSLContext context) {
        this(context, Map.of(), false);
    }

    /**
     * @param context the keys for clients that name no server, or a name without a context of its own
     * @param named contexts by server name ({@code chat.example.com}, or {@code *.example.com} for any one label
     *     before {@code example.com})
     * @param plainToo true to serve plain connections on the same port (those whose first byte is not 0x16)
     */
    public TlsSetup(SSLContext context, Map<String, SSLContext> named, boolean plainToo) {
        this(context, named, plainToo, InboundBudget.UNLIMITED);
    }

    /**
     * @param context the keys for clients that name no server, or a name without a context of its own
     * @param named contexts by server name ({@code chat.example.com}, or {@code *.example.com} for any one label
     *     before {@code example.com})
     * @param plainToo true to serve plain connections on the same port (those whose first byte is not 0x16)
     * @param budget the server's inbound budget, where each connection's TLS buffers kept between reads count
     */
    public TlsSetup(SSLContext context, Map<String, SSLContext> named, boolean plainToo, InboundBudget budget) {
        this.budget = budget;
        this.context = Objects.requireNonNull(context, "context");
        this.named = lowerCased(named);
        this.plainToo = plainToo;
        AtomicInteger n = new AtomicInteger();
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        // Bounded threads, unbounded queue: a task is small and the handshake timeout bounds how long it may wait.
        this.tasks = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "wirefly-tls-task-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ((ThreadPoolExecutor) tasks).allowCoreThreadTimeOut(true);
    }

    /**
     * @param net an accepted connection
     * @param loop its event loop
     * @param peer the client's address (a hint for session resumption)
     * @return the TLS layer over it, its handshake about to begin
     * @throws SSLException if the engine cannot be set up
     */
    TlsWire wrap(SocketWire net, Scheduler loop, InetSocketAddress peer) throws SSLException {
        return wrap(net, loop, peer, null, null);
    }

    /**
     * @param net an accepted connection
     * @param loop its event loop
     * @param peer the client's address
     * @param serverName the name the ClientHello asks for (SNI), or null
     * @param alreadyRead the ciphertext read to find that name, in read mode, or null
     * @return the TLS layer over it, with the context for that name
     * @throws SSLException if the engine cannot be set up
     */
    TlsWire wrap(SocketWire net, Scheduler loop, InetSocketAddress peer, String serverName, ByteBuffer alreadyRead)
            throws SSLException {
        SSLEngine engine = contextFor(serverName).createSSLEngine(peer.getHostString(), peer.getPort());
        engine.setUseClientMode(false);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(supported(engine));
        params.setApplicationProtocols(new String[] {"http/1.1"});
        engine.setSSLParameters(params);
        return new TlsWire(net, engine, loop, tasks, alreadyRead, budget);
    }

    /**
     * @param serverName a name from SNI, lower case, or null
     * @return its context: the exact name's, else the wildcard's for its parent domain, else the default
     */
    SSLContext contextFor(String serverName) {
        if (serverName != null) {
            Map<String, SSLContext> byName = named;
            SSLContext exact = byName.get(serverName);
            if (exact != null) {
                return exact;
            }
            int dot = serverName.indexOf('.');
            if (dot > 0) {
                SSLContext wildcard = byName.get("*" + serverName.substring(dot));
                if (wildcard != null) {
                    return wildcard;
                }
            }
        }
        return context;
    }

    /** @return true if connections must be looked at before TLS begins: for SNI, or to let plain ones in */
    boolean sniffs() {
        return plainToo || hasNames();
    }

    /** @return true if some server names have contexts of their own */
    boolean hasNames() {
        return !named.isEmpty();
    }

    /** @return true if plain connections share the port */
    boolean plainToo() {
        return plainToo;
    }

    /**
     * Replaces the context for connections accepted from now on (a renewed certificate); open ones keep theirs.
     *
     * @param context the new context
     */
    public void context(SSLContext context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    /**
     * Replaces (or adds) the context of one server name for connections accepted from now on.
     *
     * @param serverName a name as given to the constructor
     * @param context the new context
     */
    public synchronized void context(String serverName, SSLContext context) {
        Map<String, SSLContext> next = new HashMap<>(named);
        next.put(serverName.toLowerCase(Locale.ROOT), Objects.requireNonNull(context, "context"));
        named = Map.copyOf(next);
    }

    private static Map<String, SSLContext> lowerCased(Map<String, SSLContext> named) {
        Map<String, SSLContext> copy = new HashMap<>();
        named.forEach((name, ctx) -> copy.put(name.toLowerCase(Locale.ROOT), ctx));
        return Map.copyOf(copy);
    }

    /**
     * @param net a connection being opened to {@code host}
     * @param loop its event loop
     * @param host the server's name as the URI gives it: sent as SNI (unless an IP address) and checked against its
     *     certificate (HTTPS endpoint identification)
     * @param port the server's port
     * @return the TLS layer over it, in client mode
     * @throws SSLException if the engine cannot be set up
     */
    TlsWire wrapClient(Wire net, Scheduler loop, String host, int port) throws SSLException {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(supported(engine));
        params.setApplicationProtocols(new String[] {"http/1.1"});
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (!isIpLiteral(host)) {
            params.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName(host)));
        }
        engine.setSSLParameters(params);
        return new TlsWire(net, engine, loop, tasks);
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    private static String[] supported(SSLEngine engine) {
        java.util.List<String> all = java.util.List.of(engine.getSupportedProtocols());
        return java.util.Arrays.stream(PROTOCOLS).filter(all::contains).toArray(String[]::new);
    }

    /** Stops the task threads. */
    @Override
    public void close() {
        tasks.shutdownNow();
    }
}
