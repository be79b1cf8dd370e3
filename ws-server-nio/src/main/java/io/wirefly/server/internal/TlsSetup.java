package io.wirefly.server.internal;

import java.net.InetSocketAddress;
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
 * A server's TLS: its {@link SSLContext}, the engine settings every connection gets (server mode, TLS 1.2 and 1.3,
 * ALPN {@code http/1.1}), and the threads that run the engines' delegated tasks off the event loops.
 *
 * <pre>{@code
 * TlsSetup tls = new TlsSetup(context);
 * Wire wire = tls.wrap(new SocketWire(channel), loop, remoteAddress);
 * tls.close();   // when the server stops
 * }</pre>
 */
public final class TlsSetup implements AutoCloseable {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private volatile SSLContext context;
    private final ExecutorService tasks;

    /** @param context the server's keys and trust */
    public TlsSetup(SSLContext context) {
        this.context = context;
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
        SSLEngine engine = context.createSSLEngine(peer.getHostString(), peer.getPort());
        engine.setUseClientMode(false);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(supported(engine));
        params.setApplicationProtocols(new String[] {"http/1.1"});
        engine.setSSLParameters(params);
        return new TlsWire(net, engine, loop, tasks);
    }

    /**
     * Replaces the context for connections accepted from now on (a renewed certificate); open ones keep theirs.
     *
     * @param context the new context
     */
    public void context(SSLContext context) {
        this.context = java.util.Objects.requireNonNull(context, "context");
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
    TlsWire wrapClient(SocketWire net, Scheduler loop, String host, int port) throws SSLException {
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
