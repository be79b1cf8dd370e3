package io.wirefly.server;

import io.wirefly.core.CloseCode;
import io.wirefly.core.CloseInfo;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.internal.ClientConnector;
import io.wirefly.server.internal.EventLoopGroup;
import io.wirefly.server.internal.MetricsCollector;
import io.wirefly.server.internal.OutboundTotal;
import io.wirefly.server.internal.ProxyConfig;
import io.wirefly.server.internal.SessionHandle;
import io.wirefly.server.internal.Settings;
import io.wirefly.server.internal.TlsSetup;
import io.wirefly.core.internal.protocol.InboundBudget;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket client on the same non-blocking event loops as the server: frames are masked, the handshake is
 * validated (accept key, subprotocol, extensions), and permessage-deflate is offered when
 * {@link WebSocketConfig#deflate()} is on. One client can hold many connections; close it when done.
 * {@code wss://} URIs use TLS with the JDK's default trust store and hostname verification, or the context given to
 * {@link Builder#tls(SSLContext)} (for a self-signed server: {@link TlsContexts#trusting}).
 *
 * <pre>{@code
 * try (WebSocketClient client = WebSocketClient.builder().build()) {
 *     WebSocket ws = client.connect(URI.create("ws://127.0.0.1:9998/"), new WebSocketHandler() {
 *         @Override public void onText(WebSocket ws, String text) { System.out.println("< " + text); }
 *     }).toCompletableFuture().get(10, TimeUnit.SECONDS);
 *     ws.sendText("hello");
 * }
 * }</pre>
 */
public final class WebSocketClient implements AutoCloseable {
    private final EventLoopGroup loops;
    private final ClientConnector connector;
    private final MetricsCollector metrics;
    private final SSLContext tlsContext;
    private TlsSetup tls;
    private volatile boolean closed;
    private final long closeTimeoutNanos;

    private WebSocketClient(Builder b) {
        this.metrics = new MetricsCollector(b.metricsListener);
        this.closeTimeoutNanos = b.closeTimeout.toNanos();
        Settings settings = new Settings(b.config, b.executor,
                b.connectTimeout.toNanos() + b.handshakeTimeout.toNanos(), b.idleTimeout.toNanos(),
                b.pongTimeout.toNanos(), b.closeTimeout.toNanos(), b.highWaterMark, b.lowWaterMark, b.maxWriteBuffer,
                InboundBudget.UNLIMITED, OutboundTotal.UNLIMITED, metrics);
        this.loops = new EventLoopGroup(b.eventLoops, "wirefly-client");
        this.loops.start();
        this.tlsContext = b.tls;
        this.connector = new ClientConnector(loops, settings, this::tls,
                new ProxyConfig(b.proxy, b.proxySelector, b.proxyUser, b.proxyPassword));
    }

    /** @return the TLS setup, made at the first {@code wss://} connect (the JDK default context unless one was given) */
    private synchronized TlsSetup tls() {
        if (tls == null) {
            try {
                tls = new TlsSetup(tlsContext != null ? tlsContext : SSLContext.getDefault());
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("no default TLS context in this JDK", e);
            }
        }
        return tls;
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens a connection.
     *
     * @param uri a {@code ws://} or {@code wss://} URI
     * @param handler receives the connection's events
     * @return completed with the open connection, or failed: every failure goes there, none is thrown (a
     *     {@code HandshakeException} carries the server's HTTP status, an {@code IOException} a refused connection,
     *     an {@code IllegalArgumentException} a URI that is not {@code ws://} or {@code wss://} with a host, an
     *     {@code IllegalStateException} a closed client)
     * @throws NullPointerException if {@code uri} or {@code handler} is null
     */
    public CompletionStage<WebSocket> connect(URI uri, WebSocketHandler handler) {
        return connect(uri, handler, List.of(), Map.of());
    }

    /**
     * Opens a connection, offering subprotocols and sending extra request headers.
     *
     * @param uri a {@code ws://} or {@code wss://} URI
     * @param handler receives the connection's events
     * @param subprotocols subprotocols to offer, most preferred first
     * @param headers extra request headers such as {@code Origin} or {@code Authorization}
     * @return completed with the open connection, or failed (see {@link #connect(URI, WebSocketHandler)})
     * @throws NullPointerException if {@code uri} or {@code handler} is null
     */
    public CompletionStage<WebSocket> connect(URI uri, WebSocketHandler handler, List<String> subprotocols,
            Map<String, String> headers) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(handler, "handler");
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("this WebSocketClient is closed"));
        }
        if (!("ws".equalsIgnoreCase(uri.getScheme()) || "wss".equalsIgnoreCase(uri.getScheme()))
                || uri.getHost() == null) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "uri must be ws://host[:port]/path or wss://..., was " + uri));
        }
        try {
            return connector.connect(uri, handler, List.copyOf(subprotocols), Map.copyOf(headers));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);   // a null in the lists, say: every failure is the future's
        }
    }

    /**
     * Opens a connection that reconnects when it is lost, following {@code policy}. It returns at once: the first
     * attempt is already under way, and a failed first attempt is retried like a lost connection. The handler's
     * {@code onOpen} tells when each connection is up.
     *
     * <pre>{@code
     * ReconnectingWebSocket ws = client.connect(uri, handler, Reconnect.builder().resendQueue(100).build());
     * }</pre>
     *
     * @param uri a {@code ws://} or {@code wss://} URI
     * @param handler receives the events of every underlying connection
     * @param policy backoff, limits, stop codes and resend queue
     * @return the reconnecting connection; keep it for sending
     * @throws NullPointerException if an argument is null
     */
    public ReconnectingWebSocket connect(URI uri, WebSocketHandler handler, Reconnect policy) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(handler, "handler");
        Objects.requireNonNull(policy, "policy");
        ReconnectingWebSocket ws = new ReconnectingWebSocket(this, uri, handler, List.of(), Map.of(), policy);
        ws.start();
        return ws;
    }

    /** @return a snapshot of this client's counters */
    public Metrics metrics() {
        return metrics.snapshot();
    }

    /**
     * Closes every connection of this client with a closing handshake (1001, "going away"), waits for the answers
     * (at most the close timeout), then stops its threads. Called from one of this client's handlers it does not
     * wait: the handshakes finish before the threads stop only if they are quick.
     */
    @Override
    public void close() {
        closed = true;
        java.util.List<CompletableFuture<CloseInfo>> ends = new java.util.ArrayList<>();
        for (SessionHandle c : connector.connections()) {
            try {
                ends.add(c.close(CloseCode.GOING_AWAY.code(), "client closing").toCompletableFuture());
            } catch (RuntimeException alreadyGoing) {
                // closing anyway
            }
        }
        if (!loops.inAnyLoop()) {
            try {
                CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new))
                        .get(closeTimeoutNanos + 1_000_000_000L, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // whatever did not answer is cut when the loops stop
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        loops.shutdown(5_000);
        synchronized (this) {
            if (tls != null) {
                tls.close();
            }
        }
    }

    /**
     * Settings of a {@link WebSocketClient}; {@link #build()} validates them. Not thread-safe.
     *
     * <pre>{@code
     * WebSocketClient client = WebSocketClient.builder()
     *     .config(WebSocketConfig.builder().deflate(true).build())
     *     .connectTimeout(Duration.ofSeconds(3))
     *     .build();
     * }</pre>
     */
    public static final class Builder {
        private int eventLoops = 1;
        private WebSocketConfig config = WebSocketConfig.defaults();
        private Executor executor;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ZERO;
        private Duration pongTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private long lowWaterMark = 256 << 10;
        private long highWaterMark = 1 << 20;
        private long maxWriteBuffer = 16 << 20;
        private MetricsListener metricsListener;
        private SSLContext tls;
        private java.net.Proxy proxy;
        private java.net.ProxySelector proxySelector;
        private String proxyUser;
        private String proxyPassword;

        private Builder() {
        }

        /**
         * @param count event-loop threads (default 1)
         * @return this builder
         */
        public Builder eventLoops(int count) {
            this.eventLoops = count;
            return this;
        }

        /**
         * @param config protocol limits; {@code deflate(true)} offers permessage-deflate
         * @return this builder
         */
        public Builder config(WebSocketConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @param executor runs handler calls that may block, in order per connection
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /**
         * @param timeout how long the TCP connect may take (default 10 s)
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long the opening handshake may take after connecting (default 10 s)
         * @return this builder
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * @param timeout silence after which the client pings (default zero: never)
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long to wait for the pong after an idle ping before closing (default 30 s)
         * @return this builder
         */
        public Builder pongTimeout(Duration timeout) {
            this.pongTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long to wait for the server's close after ours (default 10 s)
         * @return this builder
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * The TLS context for {@code wss://} connections: whom to trust, and a client key if the server asks for one.
         * Hostname verification stays on and the host is sent as SNI. A handshake failure (an untrusted certificate,
         * a wrong name) fails the connect's future with the {@code SSLHandshakeException} as its cause.
         *
         * <pre>{@code
         * WebSocketClient client = WebSocketClient.builder()
         *     .tls(TlsContexts.trusting(Path.of("server.pem")))   // a self-signed server
         *     .build();
         * }</pre>
         *
         * @param context the context, or null for the JDK's default (its trust store) — the default
         * @return this builder
         */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /**
         * Goes through an HTTP proxy ({@code CONNECT host:port}, RFC 9110 §9.3.6) for every connection; TLS and the
         * WebSocket handshake then run inside the tunnel. {@link java.net.Proxy#NO_PROXY} (or none: the default)
         * connects directly.
         *
         * <pre>{@code
         * WebSocketClient.builder()
         *     .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress("proxy.corp", 3128)))
         *     .proxyCredentials("alice", "secret")
         *     .build();
         * }</pre>
         *
         * @param proxy an HTTP proxy, or {@code Proxy.NO_PROXY}
         * @return this builder
         */
        public Builder proxy(java.net.Proxy proxy) {
            this.proxy = proxy;
            return this;
        }

        /**
         * Asks {@code selector} which proxy to use for each connection, with the server's {@code http://} (for
         * {@code ws://}) or {@code https://} (for {@code wss://}) URI, as the JDK's HTTP client does; the first
         * HTTP proxy it offers is used, and none means direct. {@code ProxySelector.getDefault()} follows the
         * {@code http.proxyHost} / {@code https.proxyHost} system properties.
         *
         * @param selector the proxy selector
         * @return this builder
         */
        public Builder proxySelector(java.net.ProxySelector selector) {
            this.proxySelector = selector;
            return this;
        }

        /**
         * @param user the proxy user, sent with Basic authentication ({@code Proxy-Authorization})
         * @param password the password
         * @return this builder
         */
        public Builder proxyCredentials(String user, String password) {
            this.proxyUser = user;
            this.proxyPassword = password;
            return this;
        }

        /**
         * Back-pressure on the server: while more than {@code high} bytes wait to be written on a connection, the
         * client stops reading from it, and reads again once fewer than {@code low} wait.
         *
         * @param low queued bytes below which paused reads resume (default 256 KiB)
         * @param high queued bytes above which reads pause (default 1 MiB)
         * @return this builder
         */
        public Builder writeWaterMarks(long low, long high) {
            this.lowWaterMark = low;
            this.highWaterMark = high;
            return this;
        }

        /**
         * The most a connection may queue for a server that does not read. A send that would take it past this
         * fails its future, and the connection is closed with 1008.
         *
         * <pre>{@code
         * WebSocketClient client = WebSocketClient.builder().maxWriteBuffer(4 << 20).build();
         * }</pre>
         *
         * @param bytes queued bytes beyond which a connection is closed with 1008 (default 16 MiB)
         * @return this builder
         */
        public Builder maxWriteBuffer(long bytes) {
            this.maxWriteBuffer = bytes;
            return this;
        }

        /**
         * @param listener told of connection events
         * @return this builder
         */
        public Builder metricsListener(MetricsListener listener) {
            this.metricsListener = listener;
            return this;
        }

        /**
         * @return a started client
         * @throws IllegalArgumentException naming a bad setting and its value
         */
        public WebSocketClient build() {
            if (eventLoops <= 0) {
                throw new IllegalArgumentException("eventLoops must be > 0, was " + eventLoops);
            }
            positive("connectTimeout", connectTimeout);
            positive("handshakeTimeout", handshakeTimeout);
            positive("pongTimeout", pongTimeout);
            if (proxy != null && proxy.type() == java.net.Proxy.Type.SOCKS) {
                throw new IllegalArgumentException("proxy must be an HTTP proxy or NO_PROXY, was " + proxy);
            }
            if (proxy != null && proxy.type() == java.net.Proxy.Type.HTTP
                    && !(proxy.address() instanceof java.net.InetSocketAddress)) {
                throw new IllegalArgumentException("proxy needs a host and port, was " + proxy);
            }
            if ((proxyUser == null) != (proxyPassword == null) || proxyUser != null && proxyUser.contains(":")) {
                throw new IllegalArgumentException("proxyCredentials needs a user without ':' and a password, was "
                        + proxyUser);
            }
            positive("closeTimeout", closeTimeout);
            if (idleTimeout == null || idleTimeout.isNegative()) {
                throw new IllegalArgumentException("idleTimeout must be >= 0, was " + idleTimeout);
            }
            if (lowWaterMark < 0) {
                throw new IllegalArgumentException("lowWaterMark must be >= 0, was " + lowWaterMark);
            }
            if (highWaterMark <= lowWaterMark) {
                throw new IllegalArgumentException(
                        "highWaterMark must be > lowWaterMark (" + lowWaterMark + "), was " + highWaterMark);
            }
            if (maxWriteBuffer < highWaterMark) {
                throw new IllegalArgumentException(
                        "maxWriteBuffer must be >= highWaterMark (" + highWaterMark + "), was " + maxWriteBuffer);
            }
            return new WebSocketClient(this);
        }

        private static void positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0, was " + d);
            }
        }
    }
}
