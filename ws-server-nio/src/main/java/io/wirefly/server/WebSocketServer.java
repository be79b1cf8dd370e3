package io.wirefly.server;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.internal.frame.Opcode;
import io.wirefly.server.internal.Acceptor;
import io.wirefly.server.internal.Broadcast;
import io.wirefly.server.internal.SessionHandle;
import io.wirefly.core.internal.protocol.InboundBudget;
import io.wirefly.server.internal.EventLoopGroup;
import io.wirefly.server.internal.MetricsCollector;
import io.wirefly.server.internal.ServerUpgrader;
import io.wirefly.server.internal.OutboundTotal;
import io.wirefly.server.internal.Route;
import io.wirefly.server.internal.Router;
import io.wirefly.server.internal.Settings;
import io.wirefly.server.internal.TlsSetup;
import io.wirefly.server.internal.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket server on {@code java.nio}: one acceptor thread and a few event-loop threads serve any number of
 * connections without blocking. Handlers run on the event loops, or on an {@link Executor} when they may block.
 *
 * <p>Back-pressure: every connection's outbound queue is bounded. Above the high-water mark (default 1 MiB) the
 * server stops reading from that connection until its queue drains below the low-water mark (256 KiB); beyond the
 * hard limit (16 MiB) the connection is closed with 1008. Thread-safe: {@link #broadcast}, {@link #publish},
 * {@link #subscribe} and {@link #stop} may be called from any thread.
 *
 * <p>Why one file of ~780 lines: half of it is the {@link Builder}, whose every setter documents and validates one
 * setting; the server itself only wires the acceptor, the loops and the registry together and delegates the rest
 * to {@code io.wirefly.server.internal}.
 *
 * <pre>{@code
 * WebSocketServer server = WebSocketServer.builder()
 *     .port(9998)
 *     .route("/", new WebSocketHandler() {
 *         @Override public void onText(WebSocket ws, String text) { ws.sendText(text); }
 *     })
 *     .build()
 *     .start();
 * // ...
 * server.stop(Duration.ofSeconds(5));
 * }</pre>
 */
public final class WebSocketServer {
    private final Builder options;
    private final MetricsCollector metrics;
    private final Set<SessionHandle> connections = ConcurrentHashMap.newKeySet();
    private final Topics topics;
    private final Acceptor.Registry registry = new Acceptor.Registry() {
        @Override
        public void add(SessionHandle handle) {
            connections.add(handle);
            handle.serverTopics(topics);
        }

        @Override
        public void remove(SessionHandle handle) {
            connections.remove(handle);
            topics.leaveAll(handle);
        }
    };
    private final Object lifecycle = new Object();
    private ServerSocketChannel channel;
    private EventLoopGroup loops;
    private Acceptor acceptor;
    private TlsSetup tls;
    private volatile int port = -1;

    private WebSocketServer(Builder options) {
        this.options = options;
        this.metrics = new MetricsCollector(options.metricsListener);
        this.topics = new Topics(connections, options.topicBus);
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving.
     *
     * @return this server
     * @throws UncheckedIOException if the port cannot be bound
     * @throws IllegalStateException if the server was already started
     */
    public WebSocketServer start() {
        synchronized (lifecycle) {
            if (channel != null) {
                throw new IllegalStateException("server already started");
            }
            Settings settings = new Settings(options.config, options.executor,
                    options.handshakeTimeout.toNanos(), options.idleTimeout.toNanos(), options.pongTimeout.toNanos(),
                    options.closeTimeout.toNanos(), options.highWaterMark, options.lowWaterMark,
                    options.maxWriteBuffer, InboundBudget.bounded(options.maxInboundBuffer),
                    new OutboundTotal(options.maxOutboundBuffer), metrics);
            Map<String, Route> routes = new LinkedHashMap<>();
            options.routes.forEach((path, handler) -> {
                RouteSettings own = options.routeSettings.get(path);
                routes.put(path, new Route(handler, own == null ? null : settings.forRoute(own.config(),
                        own.executor(), own.idleTimeout() == null ? -1 : own.idleTimeout().toNanos(),
                        own.pongTimeout() == null ? -1 : own.pongTimeout().toNanos())));
            });
            ServerUpgrader upgrader = new ServerUpgrader(Router.of(routes), List.copyOf(options.subprotocols),
                    Set.copyOf(options.allowedOrigins), options.filter, options.asyncFilter, options.http,
                    options.connectionLimit(),
                    () -> (int) metrics.heldConnections(), options.config);
            InetSocketAddress address = new InetSocketAddress(options.host, options.port);
            try {
                channel = ServerSocketChannel.open();
                channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                channel.bind(address, 1024);
            } catch (IOException e) {
                closeQuietly();
                channel = null;
                throw new UncheckedIOException("cannot listen on " + address, e);
            }
            port = channel.socket().getLocalPort();
            loops = new EventLoopGroup(options.eventLoops, "wirefly-loop-" + port);
            loops.start();
            tls = options.tls == null ? null
                    : new TlsSetup(options.tls, options.tlsByName, options.plainOnSamePort, settings.inboundBudget());
            acceptor = new Acceptor(channel, loops, settings, upgrader, registry, tls, options.handshakeLimit(),
                    options.maxHandshakesPerAddress, options.maxConnectionsPerAddress);
            topics.startBus();
            acceptor.start();
            return this;
        }
    }

    /**
     * Replaces the TLS context for the connections accepted from now on, for a renewed certificate; connections
     * already open keep the one they were made with. The server must have been built with
     * {@link Builder#tls(SSLContext)}.
     *
     * <pre>{@code
     * server.reloadTls(TlsContexts.fromPem(Path.of("fullchain.pem"), Path.of("privkey.pem")));
     * }</pre>
     *
     * @param context the new context
     * @throws IllegalStateException if the server does not serve TLS or is not running
     */
    public void reloadTls(SSLContext context) {
        Objects.requireNonNull(context, "context");
        synchronized (lifecycle) {
            if (tls == null) {
                throw new IllegalStateException("the server is not running with TLS (see Builder.tls)");
            }
            tls.context(context);
        }
    }

    /**
     * Replaces the TLS context of one server name (see {@link Builder#tls(String, SSLContext)}) for the connections
     * accepted from now on; adds it if that name had none.
     *
     * <pre>{@code
     * server.reloadTls("chat.example.com",
     *         TlsContexts.fromPem(Path.of("chat/fullchain.pem"), Path.of("chat/privkey.pem")));
     * }</pre>
     *
     * @param serverName the host name clients ask for (SNI), or {@code *.example.com}
     * @param context the new context
     * @throws IllegalArgumentException if the name is not a host name
     * @throws IllegalStateException if the server does not serve TLS or is not running
     */
    public void reloadTls(String serverName, SSLContext context) {
        Objects.requireNonNull(context, "context");
        Builder.checkServerName(serverName);
        synchronized (lifecycle) {
            if (tls == null) {
                throw new IllegalStateException("the server is not running with TLS (see Builder.tls)");
            }
            tls.context(serverName, context);
        }
    }

    /** @return the port the server listens on (useful after {@code port(0)}), or -1 before {@link #start()} */
    public int port() {
        return port;
    }

    /**
     * Stops the server: stops accepting (the port is free when this returns), sends 1001 to every open connection
     * after its queued messages, waits up to {@code timeout} for the closing handshakes, then closes what is left.
     *
     * <p>Called from a handler running on one of the server's event loops, it cannot wait for those loops: the stop
     * then goes on in a background thread, and this call returns at once with a report of zero connections.
     *
     * <p>For SIGTERM (systemd, Kubernetes), call it from a shutdown hook:
     * <pre>{@code
     * Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(Duration.ofSeconds(5))));
     * }</pre>
     *
     * @param timeout how long to wait for clean closes
     * @return how many connections closed cleanly and how many were forced
     */
    public StopReport stop(Duration timeout) {
        if (loops != null && loops.inAnyLoop()) {
            Thread stopper = new Thread(() -> stop(timeout), "wirefly-stop-" + port);
            stopper.setDaemon(false);
            stopper.start();
            return new StopReport(0, 0);
        }
        synchronized (lifecycle) {
            if (channel == null) {
                return new StopReport(0, 0);
            }
            closeQuietly();
            try {
                acceptor.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<SessionHandle> open = new ArrayList<>(connections);
            for (SessionHandle c : open) {
                Broadcast.close(c, 1001, "server stopping");
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!connections.isEmpty() && System.nanoTime() - deadline < 0) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            List<SessionHandle> left = new ArrayList<>(connections);
            for (SessionHandle c : left) {
                Broadcast.abort(c);
            }
            loops.shutdown(5_000);
            if (tls != null) {
                tls.close();
                tls = null;
            }
            connections.clear();
            topics.clear();
            if (options.topicBus != null) {
                options.topicBus.close();
            }
            channel = null;
            port = -1;
            return new StopReport(open.size() - left.size(), left.size());
        }
    }

    private void closeQuietly() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException ignored) {
            // closing a listening socket has nothing useful to report
        }
    }

    /**
     * Sends a text message to every open connection. The frame is encoded once and shared. Each recipient costs a
     * socket write on its loop; while more than 16,384 such writes wait to be made, the server's open connections
     * stop reading until a quarter are left, so a peer that floods messages whose handler broadcasts cannot bury the
     * loops. A call from a thread that is not an event loop's (your own, an executor that runs handlers) waits
     * instead while that many writes wait (up to a second per call), so a publisher that outruns the loops goes at
     * their pace rather than queuing until the heap is full. The same holds for
     * {@link #publish(String, CharSequence)}.
     *
     * @param text the message
     * @return how many connections it was queued for
     */
    public int broadcast(CharSequence text) {
        return Broadcast.send(connections, Topics.frame(Opcode.TEXT, ByteBuffer.wrap(
                text.toString().getBytes(StandardCharsets.UTF_8))));
    }

    /**
     * Sends a binary message to every open connection. The frame is encoded once and shared.
     *
     * @param data the message; not modified
     * @return how many connections it was queued for
     */
    public int broadcast(ByteBuffer data) {
        return Broadcast.send(connections, Topics.frame(Opcode.BINARY, data));
    }

    /**
     * Adds a connection of this server to a topic; it leaves every topic when it closes. The same as
     * {@code ws.subscribe(topic)}.
     *
     * @param ws a connection of this server
     * @param topic the topic name
     */
    public void subscribe(WebSocket ws, String topic) {
        topics.subscribe(ws, topic);
    }

    /**
     * Removes a connection from a topic.
     *
     * @param ws the connection
     * @param topic the topic name
     */
    public void unsubscribe(WebSocket ws, String topic) {
        topics.unsubscribe(ws, topic);
    }

    /**
     * Sends a text message to every open subscriber of a topic. Like {@link #broadcast(CharSequence)}, a call from
     * a thread that is not an event loop's waits while the loops are more than 16,384 writes behind.
     *
     * @param topic the topic
     * @param text the message
     * @return how many connections it was queued for
     */
    public int publish(String topic, CharSequence text) {
        return topics.publish(topic, text);
    }

    /**
     * Sends a binary message to every open subscriber of a topic; a call from a thread that is not an event loop's
     * may wait, as for text.
     *
     * @param topic the topic
     * @param data the message; not modified
     * @return how many connections it was queued for
     */
    public int publish(String topic, ByteBuffer data) {
        return topics.publish(topic, data);
    }

    /** @return how many topics have members (closed connections leave theirs); for tests and diagnostics */
    int topicCount() {
        return topics.count();
    }

    /** @return the topic bus's counters, when the server has a bus ({@link Builder#topicBus}) */
    public java.util.Optional<io.wirefly.server.cluster.BusStats> topicBusStats() {
        return java.util.Optional.ofNullable(options.topicBus).map(io.wirefly.server.cluster.TopicBus::stats);
    }

    /** @return a snapshot of the server's counters */
    public Metrics metrics() {
        return metrics.snapshot();
    }


    /**
     * Settings of a {@link WebSocketServer}; {@link #build()} validates them and names any bad value. Not
     * thread-safe.
     *
     * <pre>{@code
     * WebSocketServer server = WebSocketServer.builder()
     *     .port(0)
     *     .route("/chat", chatHandler)
     *     .executor(Executors.newFixedThreadPool(8))   // handlers may block
     *     .idleTimeout(Duration.ofSeconds(30))
     *     .build();
     * }</pre>
     */
    public static final class Builder {
        private InetAddress host;
        private int port;
        private final Map<String, WebSocketHandler> routes = new LinkedHashMap<>();
        private final Map<String, RouteSettings> routeSettings = new LinkedHashMap<>();
        private int eventLoops = Runtime.getRuntime().availableProcessors();
        private Executor executor;
        private SSLContext tls;
        private final Map<String, SSLContext> tlsByName = new LinkedHashMap<>();
        private boolean plainOnSamePort;
        private WebSocketConfig config = WebSocketConfig.defaults();
        private final List<String> subprotocols = new ArrayList<>();
        private final Set<String> allowedOrigins = new LinkedHashSet<>();
        private HandshakeFilter filter;
        private AsyncHandshakeFilter asyncFilter;
        private io.wirefly.server.cluster.TopicBus topicBus;
        private HttpHandler http;
        /** Null: derived from the heap, and from whether there is TLS, when the server starts. */
        private Integer maxConnections;
        /** Null: derived from the heap when the server starts (see {@link #maxHandshakes(int)}). */
        private Integer maxHandshakes;
        /** 0: no limit of its own. */
        private int maxHandshakesPerAddress;
        private int maxConnectionsPerAddress;
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration pongTimeout = Duration.ofSeconds(30);
        private Duration closeTimeout = Duration.ofSeconds(10);
        private long highWaterMark = 1 << 20;
        private long lowWaterMark = 256 << 10;
        private long maxWriteBuffer = 16 << 20;
        private long maxInboundBuffer = Runtime.getRuntime().maxMemory() / 4;
        private long maxOutboundBuffer = Runtime.getRuntime().maxMemory() / 8;
        private MetricsListener metricsListener;

        private Builder() {
        }

        /** A snapshot, so that changes to a builder after {@link #build()} never reach a built server. */
        private Builder(Builder other) {
            host = other.host;
            port = other.port;
            routes.putAll(other.routes);
            routeSettings.putAll(other.routeSettings);
            eventLoops = other.eventLoops;
            executor = other.executor;
            tls = other.tls;
            tlsByName.putAll(other.tlsByName);
            plainOnSamePort = other.plainOnSamePort;
            config = other.config;
            subprotocols.addAll(other.subprotocols);
            allowedOrigins.addAll(other.allowedOrigins);
            filter = other.filter;
            asyncFilter = other.asyncFilter;
            topicBus = other.topicBus;
            http = other.http;
            maxConnections = other.maxConnections;
            maxHandshakes = other.maxHandshakes;
            maxHandshakesPerAddress = other.maxHandshakesPerAddress;
            maxConnectionsPerAddress = other.maxConnectionsPerAddress;
            handshakeTimeout = other.handshakeTimeout;
            idleTimeout = other.idleTimeout;
            pongTimeout = other.pongTimeout;
            closeTimeout = other.closeTimeout;
            highWaterMark = other.highWaterMark;
            lowWaterMark = other.lowWaterMark;
            maxWriteBuffer = other.maxWriteBuffer;
            maxInboundBuffer = other.maxInboundBuffer;
            maxOutboundBuffer = other.maxOutboundBuffer;
            metricsListener = other.metricsListener;
        }

        /**
         * @param address the local address to bind (default: every interface)
         * @return this builder
         */
        public Builder bind(InetAddress address) {
            this.host = address;
            return this;
        }

        /**
         * @param port the port, or 0 for any free port (default 0; see {@link WebSocketServer#port()})
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * Adds a route. Three kinds, tried in this order: an exact path ({@code /echo}); a template whose
         * {@code {name}} segments match one segment each ({@code /chat/{room}}: the handler reads
         * {@code ws.request().pathParameter("room")}), in the order added; a prefix ending in {@code /*}
         * ({@code /files/*} matches {@code /files} and everything below it, the rest in the parameter {@code *}),
         * longest first. A malformed route fails at {@link #build()} with a message that names it.
         *
         * <pre>{@code
         * builder.route("/chat/{room}", chat).route("/echo", echo).route("/static/*", files);
         * }</pre>
         *
         * @param path the route
         * @param handler the handler of connections to it
         * @return this builder
         */
        public Builder route(String path, WebSocketHandler handler) {
            routes.put(Objects.requireNonNull(path, "path"), Objects.requireNonNull(handler, "handler"));
            routeSettings.remove(path);
            return this;
        }

        /**
         * Adds a route whose connections use their own settings where {@code settings} sets them (limits and
         * deflate, executor, idle and pong timeouts) and the server's elsewhere.
         *
         * <pre>{@code
         * builder.route("/upload", uploads, RouteSettings.builder()
         *     .config(WebSocketConfig.builder().maxMessageSize(64 << 20).build()).build());
         * }</pre>
         *
         * @param path the route, as for {@link #route(String, WebSocketHandler)}
         * @param handler the handler of connections to it
         * @param settings the route's own settings
         * @return this builder
         */
        public Builder route(String path, WebSocketHandler handler, RouteSettings settings) {
            route(path, handler);
            routeSettings.put(path, Objects.requireNonNull(settings, "settings"));
            return this;
        }

        /**
         * @param count how many event-loop threads (default: the number of cores)
         * @return this builder
         */
        public Builder eventLoops(int count) {
            this.eventLoops = count;
            return this;
        }

        /**
         * @param executor runs handler calls that may block, in order per connection (default: on the loops)
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /**
         * Serves {@code wss://} only: every connection starts with a TLS handshake (TLS 1.3 or 1.2, ALPN
         * {@code http/1.1}) made with this context's key and certificate chain, within the handshake timeout. A
         * client that fails the handshake (a bad record, an alert, a plain-text request) is closed alone. The
         * engines' delegated tasks run on a small pool of the server's own, off the event loops.
         *
         * <pre>{@code
         * KeyStore keys = KeyStore.getInstance(new File("server.p12"), password);
         * KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
         * kmf.init(keys, password);
         * SSLContext context = SSLContext.getInstance("TLS");
         * context.init(kmf.getKeyManagers(), null, null);
         * WebSocketServer.builder().port(9443).tls(context).route("/echo", handler).build().start();
         * }</pre>
         *
         * @param context an initialised context with the server's key; null for plain {@code ws://} (the default)
         * @return this builder
         */
        public Builder tls(SSLContext context) {
            this.tls = context;
            return this;
        }

        /**
         * Gives connections that ask for {@code serverName} (SNI, in their ClientHello) a context of their own: one
         * port serves several domains, each with its certificate. Clients that name no server, or a name without a
         * context, get the one from {@link #tls(SSLContext)}, which is required. {@code *.example.com} covers any one
         * label before {@code example.com}; an exact name wins over a wildcard.
         *
         * <pre>{@code
         * WebSocketServer.builder().port(443)
         *         .tls(TlsContexts.fromPem(Path.of("default/fullchain.pem"), Path.of("default/privkey.pem")))
         *         .tls("chat.example.com", TlsContexts.fromPem(Path.of("chat/fullchain.pem"), Path.of("chat/privkey.pem")))
         *         .route("/chat", handler).build().start();
         * }</pre>
         *
         * @param serverName a host name (not an IP address), or {@code *.} and a domain
         * @param context an initialised context with that name's key
         * @return this builder
         */
        public Builder tls(String serverName, SSLContext context) {
            checkServerName(serverName);
            tlsByName.put(serverName.toLowerCase(java.util.Locale.ROOT), Objects.requireNonNull(context, "context"));
            return this;
        }

        /**
         * Serves plain {@code ws://} on the TLS port as well (off by default): the first byte a client sends decides,
         * 0x16 (a TLS handshake record) for {@code wss://}, anything else (an HTTP request) for {@code ws://}. For
         * small devices and development set-ups that want one port; on the internet, keep plain and TLS apart.
         *
         * <pre>{@code
         * WebSocketServer.builder().port(9443).tls(context).plainOnSamePort(true).route("/", handler).build();
         * }</pre>
         *
         * @param enabled true to accept both on one port; requires {@link #tls(SSLContext)}
         * @return this builder
         */
        public Builder plainOnSamePort(boolean enabled) {
            this.plainOnSamePort = enabled;
            return this;
        }

        static void checkServerName(String name) {
            check(name != null && !name.isEmpty() && name.length() <= 253
                    && name.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '-' || c == '.'
                            || c == '*'))
                    && name.indexOf('*', name.startsWith("*.") ? 1 : 0) < 0 && !name.endsWith(".")
                    && !name.chars().allMatch(c -> Character.isDigit(c) || c == '.'),
                    "TLS server name must be a host name or *.domain, was '" + name + "'");
        }

        /**
         * @param config protocol limits and permessage-deflate
         * @return this builder
         */
        public Builder config(WebSocketConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * @param names supported subprotocols, most preferred first
         * @return this builder
         */
        public Builder subprotocols(String... names) {
            subprotocols.addAll(List.of(names));
            return this;
        }

        /**
         * @param origins the only {@code Origin} values accepted (403 otherwise); requests without an Origin header
         *     (non-browser clients) are accepted
         * @return this builder
         */
        public Builder allowedOrigins(String... origins) {
            allowedOrigins.addAll(List.of(origins));
            return this;
        }

        /**
         * @param filter a custom check of the upgrade request (authentication)
         * @return this builder
         */
        public Builder handshakeFilter(HandshakeFilter filter) {
            this.filter = filter;
            return this;
        }

        /**
         * A filter that decides later without blocking the loop (see {@link AsyncHandshakeFilter}); runs after the
         * synchronous {@link #handshakeFilter} if both are set. Its decision may add headers to the 101.
         *
         * <pre>{@code
         * builder.asyncHandshakeFilter(request -> tokens.verify(request.queryParameter("token"))
         *     .thenApply(ok -> ok ? HandshakeDecision.accept() : HandshakeDecision.reject(401, "bad token\n")));
         * }</pre>
         *
         * @param filter the filter, or null for none
         * @return this builder
         */
        public Builder asyncHandshakeFilter(AsyncHandshakeFilter filter) {
            this.asyncFilter = filter;
            return this;
        }

        /**
         * Spans this server's topics over several nodes: publishes go to the members on every node that shares the
         * bus (see {@link io.wirefly.server.cluster.TopicBus}). The server starts the bus and closes it when it
         * stops.
         *
         * <pre>{@code
         * builder.topicBus(NatsTopicBus.connect("nats://10.0.0.5:4222"));
         * }</pre>
         *
         * @param bus the bus, or null for topics on this server only
         * @return this builder
         */
        public Builder topicBus(io.wirefly.server.cluster.TopicBus bus) {
            this.topicBus = bus;
            return this;
        }

        /**
         * @param handler answers plain GET requests on the same port
         * @return this builder
         */
        public Builder http(HttpHandler handler) {
            this.http = handler;
            return this;
        }

        /**
         * The most open connections; beyond it a handshake gets 503. A connection counts until its socket is
         * closed, so one that is closing and waits for its peer's FIN (at most {@link #closeTimeout}) still counts:
         * it still holds its memory. A fixed default would let enough idle connections fill a small heap, so the
         * default follows the heap, between 1,024 and 100,000. An idle plain connection holds about 1.5 KiB of heap:
         * one connection per 6 KiB of the JVM's maximum heap (10,922 with {@code -Xmx64m}, 100,000 from about
         * 600 MiB up). An idle TLS connection holds about 12 KiB, most of it the JDK's {@code SSLEngine} and
         * session, so with {@link #tls} the default is one per 32 KiB (2,048 with {@code -Xmx64m}, 100,000 from about
         * 3 GiB up). A connection keeps its request (header fields, path and query) for its whole life
         * ({@code ws.request()}), so it counts as one connection plus one per KiB of them: a client that sent 15 KiB
         * of headers counts as 16.
         *
         * @param max the most open connections
         * @return this builder
         */
        public Builder maxConnections(int max) {
            this.maxConnections = max;
            return this;
        }

        /**
         * The most connections in their opening handshake at once, the TLS handshake included. When a new connection
         * arrives while that many are, the oldest handshake still in progress is closed to make room: an honest
         * handshake takes milliseconds, so the connections pushed out are the ones that stall, and they can neither
         * fill the heap nor lock new clients out until their {@link #handshakeTimeout}. A request answered over HTTP
         * (a page from {@link #http}, a 404, a 400) holds its slot until its socket closes, and is pushed out the same
         * way, so peers that send a request and then neither read nor close cannot hold the slots for the
         * {@link #closeTimeout} either. A plain handshake holds up to
         * {@code maxHandshakeSize} bytes of head plus about 2 KiB; a TLS engine stopped after the ClientHello holds
         * about 48 KiB. The default gives handshakes an eighth of the JVM's maximum heap at those sizes, between 16 and
         * 10,000: 455 plain or 128 TLS handshakes with {@code -Xmx64m} and the default config.
         *
         * @param max the most handshakes in progress
         * @return this builder
         */
        public Builder maxHandshakes(int max) {
            this.maxHandshakes = max;
            return this;
        }

        /**
         * The most connections from one IP address (for IPv6, one /64) that may be in their opening handshake at once,
         * within {@link #maxHandshakes}. A new connection from an address at this limit first closes that address's own
         * oldest handshake in progress. One address that floods the server with stalled handshakes then holds at most
         * this many slots and evicts only its own, so an honest handshake from another address that takes longer than
         * the flood's turnover (a slow link, a TLS handshake from far away) is not pushed out by it. Off by default
         * (0): behind a reverse proxy or a NAT every connection comes from a few addresses, and a limit here would make
         * their honest handshakes evict each other in a burst. Set it when clients connect directly.
         *
         * <pre>{@code
         * WebSocketServer.builder().maxHandshakes(2000).maxHandshakesPerAddress(32)...
         * }</pre>
         *
         * @param max the most handshakes in progress from one address, or 0 for no limit of its own
         * @return this builder
         */
        public Builder maxHandshakesPerAddress(int max) {
            this.maxHandshakesPerAddress = max;
            return this;
        }

        /**
         * The most connections one IP address (for IPv6, one /64) may hold at once, counted from the moment they are
         * accepted until their socket is closed, so handshakes in progress count too. A new connection from an
         * address at the limit is closed at once, before a byte of it is read (a warning is logged at most once a
         * minute). Without it, one address could take every one of the {@link #maxConnections} slots with idle
         * connections and lock everyone else out. Off by default (0), for the same reason as
         * {@link #maxHandshakesPerAddress}: behind a reverse proxy or a NAT many clients share an address. Set it
         * when clients connect directly.
         *
         * <pre>{@code
         * WebSocketServer.builder().maxConnections(50_000).maxConnectionsPerAddress(100)...
         * }</pre>
         *
         * @param max the most connections from one address, or 0 for no such limit
         * @return this builder
         */
        public Builder maxConnectionsPerAddress(int max) {
            this.maxConnectionsPerAddress = max;
            return this;
        }

        /** @return {@link #maxConnections}, or the default for this heap and this server's TLS */
        int connectionLimit() {
            return maxConnections != null ? maxConnections
                    : defaultConnections(Runtime.getRuntime().maxMemory(), tls != null);
        }

        /**
         * @param heap the JVM's maximum heap, in bytes
         * @param tls whether connections are TLS (or may be)
         * @return the default {@link #maxConnections} for that heap
         */
        static int defaultConnections(long heap, boolean tls) {
            long each = tls ? 32 << 10 : 6 << 10;
            return (int) Math.max(1024, Math.min(100_000, heap / each));
        }

        /** @return {@link #maxHandshakes} as set, or derived from the heap, the head limit and TLS */
        int handshakeLimit() {
            if (maxHandshakes != null) {
                return maxHandshakes;
            }
            long each = tls != null ? 64 << 10 : (2 << 10) + config.maxHandshakeSize();
            return (int) Math.max(16, Math.min(10_000, Runtime.getRuntime().maxMemory() / 8 / each));
        }

        /**
         * @param timeout how long a client may take to send its handshake (default 10 s)
         * @return this builder
         */
        public Builder handshakeTimeout(Duration timeout) {
            this.handshakeTimeout = timeout;
            return this;
        }

        /**
         * @param timeout silence after which the server pings (default 60 s; zero disables pings)
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long a ping may wait for its pong before the connection is dropped (default 30 s)
         * @return this builder
         */
        public Builder pongTimeout(Duration timeout) {
            this.pongTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long to wait for the peer's close frame after ours (default 10 s)
         * @return this builder
         */
        public Builder closeTimeout(Duration timeout) {
            this.closeTimeout = timeout;
            return this;
        }

        /**
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
         * @param bytes queued bytes beyond which a connection is closed with 1008 (default 16 MiB)
         * @return this builder
         */
        public Builder maxWriteBuffer(long bytes) {
            this.maxWriteBuffer = bytes;
            return this;
        }

        /**
         * The memory that all connections together may hold for messages they are still receiving. Buffers grow with
         * the bytes that actually arrive, never with the length a frame announces; a connection whose message would
         * take the total past this budget is closed with 1013, try again later (1009 if the message alone is larger
         * than the budget), and the others go on. When the budget is full, a message
         * that has been in progress for a second or more gives way to a newer one, oldest first, and its connection
         * is closed with 1013 (try again later), so that peers which announce large messages and never finish them
         * cannot keep the budget; a connection may push others out only while it holds at most a quarter of the
         * budget. Whole messages that wait for a handler on the {@linkplain #executor executor} count until their
         * handler has run (they are never taken back); once a handler has a message, it no longer counts.
         * permessage-deflate's zlib state, outside the
         * heap, counts too: a decompressor 48 KiB while a connection holds one (without context takeover, the
         * default, only while a compressed message arrives; with it, from the connection's first compressed message
         * until it closes), and with context takeover a compressor of the connection's own 256 KiB (without room for
         * one, messages go uncompressed).
         * Default: a quarter of the JVM's maximum heap.
         *
         * @param bytes the budget for all connections together
         * @return this builder
         */
        public Builder maxInboundBuffer(long bytes) {
            this.maxInboundBuffer = bytes;
            return this;
        }

        /**
         * The memory that all connections together may hold in messages queued for their peers (each frame counted with
         * its bookkeeping). Beyond it, every connection whose peer has not taken what is already queued for it stops
         * reading until its queue drains, so its handler produces no more; connections whose peers keep up read on.
         * What a connection's reads did not cause (a broadcast, a publish, a send from another thread or from another
         * connection's handler) cannot be held back that way: while the budget is used up, such a message for a peer
         * with more than the high-water mark unread closes that peer with 1008 instead. A peer that stops reading
         * still gets the answer to its last message queued, so many of them at once could go far past the budget.
         * What the queues hold of their own (a broadcast frame is one buffer for every subscriber and does not count)
         * therefore has a ceiling a quarter above the budget: past it, the connections whose peers have taken
         * nothing for a second or more are closed at once (no close frame: it would wait behind what they do not
         * take), those that stopped first going first, until the total is back at the budget; if that is not
         * enough, the connection that went past it is closed too, unless its peer has shown that it reads (it took
         * everything queued for it before): then the closing goes on in the same order, whatever their age, until
         * the total is under the ceiling, so a reader is not cut for others that just stopped (while those told to
         * close, which go on their own loops, would hold more than half the budget, the reader is closed at once
         * instead). Their handlers' {@code onError} says why.
         * Default: an eighth of the JVM's maximum heap (queued frames live until their peer reads them, and on a
         * small heap a larger share made the garbage collector copy them over and over).
         *
         * @param bytes the budget for all connections together
         * @return this builder
         */
        public Builder maxOutboundBuffer(long bytes) {
            this.maxOutboundBuffer = bytes;
            return this;
        }

        /**
         * @param listener told of connection events as they happen
         * @return this builder
         */
        public Builder metricsListener(MetricsListener listener) {
            this.metricsListener = listener;
            return this;
        }

        /**
         * @return the server, not yet started
         * @throws IllegalArgumentException naming the setting and the value that is out of range
         */
        public WebSocketServer build() {
            check(port >= 0 && port <= 65535, "port must be 0..65535, was " + port);
            check(!routes.isEmpty(), "at least one route is required");
            routes.keySet().forEach(Router::check);
            check(eventLoops > 0, "eventLoops must be > 0, was " + eventLoops);
            check(maxConnections == null || maxConnections > 0, "maxConnections must be > 0, was " + maxConnections);
            check(maxHandshakes == null || maxHandshakes > 0, "maxHandshakes must be > 0, was " + maxHandshakes);
            check(maxHandshakesPerAddress >= 0, "maxHandshakesPerAddress must be > 0 (or 0 for no limit of its own),"
                    + " was " + maxHandshakesPerAddress);
            check(maxConnectionsPerAddress >= 0, "maxConnectionsPerAddress must be > 0 (or 0 for no limit), was "
                    + maxConnectionsPerAddress);
            positive("handshakeTimeout", handshakeTimeout);
            positive("pongTimeout", pongTimeout);
            positive("closeTimeout", closeTimeout);
            check(idleTimeout != null && !idleTimeout.isNegative(), "idleTimeout must be >= 0, was " + idleTimeout);
            check(lowWaterMark >= 0, "lowWaterMark must be >= 0, was " + lowWaterMark);
            check(highWaterMark > lowWaterMark,
                    "highWaterMark must be > lowWaterMark (" + lowWaterMark + "), was " + highWaterMark);
            check(maxInboundBuffer > 0, "maxInboundBuffer must be > 0, was " + maxInboundBuffer);
            check(maxOutboundBuffer > 0, "maxOutboundBuffer must be > 0, was " + maxOutboundBuffer);
            check(tls != null || tlsByName.isEmpty(),
                    "tls(serverName, context) for " + tlsByName.keySet() + " needs a default tls(SSLContext) too");
            check(tls != null || !plainOnSamePort, "plainOnSamePort(true) needs tls(SSLContext): nothing to share");
            check(maxWriteBuffer >= highWaterMark,
                    "maxWriteBuffer must be >= highWaterMark (" + highWaterMark + "), was " + maxWriteBuffer);
            // RFC 6455 §4.1: each subprotocol is a token (RFC 2616 §2.2: no separators, no controls, no space)
            subprotocols.forEach(s -> check(!s.isBlank() && s.chars().allMatch(ch -> ch > 32 && ch < 127
                    && "()<>@,;:\\\"/[]?={}".indexOf(ch) < 0), "subprotocol must be an HTTP token, was '" + s + "'"));
            return new WebSocketServer(new Builder(this));
        }

        private static void positive(String name, Duration d) {
            check(d != null && !d.isNegative() && !d.isZero(), name + " must be > 0, was " + d);
        }

        private static void check(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
