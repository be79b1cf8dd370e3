package io.wirefly.server.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * The only class that touches the Redis client (Jedis, an optional dependency): loaded when a {@code RedisTopicBus}
 * is made, never otherwise. Jedis is blocking, so the link keeps its calls on threads of its own and off the event
 * loops:
 *
 * <ul>
 *   <li><b>wirefly-redis-sub</b> holds the subscriber connection. It always listens on a control channel (so the
 *       connection stays in pub/sub mode with no topic), and on every (re)connect subscribes every topic that has
 *       local members. When the connection drops it reconnects after {@code reconnectWait}, doubling up to four
 *       times that.</li>
 *   <li><b>wirefly-redis-pub</b> drains a queue of publishes bounded in bytes, 256 at a time through one pipeline,
 *       on its own connection, which it reopens after the subscriber saw the broker go. While the broker is down,
 *       publishes wait in the queue; past the bound they are dropped and counted. A batch whose sending failed is
 *       dropped and counted, not resent: Redis may have delivered part of it, and a node must never get a message
 *       twice (at most once, like Redis pub/sub itself).</li>
 *   <li><b>wirefly-redis-ctl</b> sends SUBSCRIBE / UNSUBSCRIBE when a topic gains its first or loses its last local
 *       member, and PINGs the subscriber connection every 5 s; 15 s without a PONG closes it (a broker that
 *       vanished without a reset).</li>
 * </ul>
 *
 * <pre>{@code
 * RedisLink link = RedisLink.connect("redis://127.0.0.1:6379", Duration.ofMillis(250), 8 << 20);
 * link.start((topic, bytes) -> deliver(topic, bytes));
 * }</pre>
 */
public final class RedisLink {
    private static final System.Logger LOG = System.getLogger(RedisLink.class.getName());
    private static final byte[] CONTROL = "wirefly.control".getBytes(StandardCharsets.US_ASCII);
    private static final int BATCH = 256;
    /** What a queued publish costs beyond its bytes (the entry, the channel name). */
    private static final int ENTRY_COST = 96;

    private final URI uri;
    private final JedisClientConfig config;
    private final long reconnectWaitMillis;
    private final long bufferBytes;

    private final Object lock = new Object();
    /** Topics with local members; guarded by {@link #lock}. */
    private final Set<String> topics = new HashSet<>();
    /** The subscription listening now, or null while disconnected; guarded by {@link #lock}. */
    private Listener active;
    /** The subscriber's connection now, or null; guarded by {@link #lock}. */
    private Jedis subscriberConnection;

    private final LinkedBlockingQueue<byte[][]> outbox = new LinkedBlockingQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    /** Bumped each time the subscriber loses the broker: the publisher reopens its connection too. */
    private final AtomicLong losses = new AtomicLong();
    private volatile boolean subscribed;
    private volatile boolean publisherUp = true;
    private volatile boolean closed;
    private volatile long lastPong;
    /** Whether a subscriber session ever listened (later ones are reconnects); on the subscriber thread only. */
    private boolean everListened;

    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(r -> daemon(r,
            "wirefly-redis-ctl"));
    private Thread subscriber;
    private Thread publisher;

    private RedisLink(URI uri, JedisClientConfig config, long reconnectWaitMillis, long bufferBytes) {
        this.uri = uri;
        this.config = config;
        this.reconnectWaitMillis = reconnectWaitMillis;
        this.bufferBytes = bufferBytes;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * @param url the broker, {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://} for TLS
     * @param reconnectWait the first wait between reconnect attempts
     * @param bufferBytes publishes queued while the broker is slow or down, at most
     * @return a link whose broker answered a PING now
     * @throws IOException if the broker cannot be reached now
     * @throws IllegalArgumentException if the URL is not a Redis URL, naming it
     */
    public static RedisLink connect(String url, Duration reconnectWait, long bufferBytes) throws IOException {
        URI uri = URI.create(url);
        if (!JedisURIHelper.isValid(uri) || !JedisURIHelper.isRedisScheme(uri)
                && !JedisURIHelper.isRedisSSLScheme(uri)) {
            throw new IllegalArgumentException("not a redis:// or rediss:// URL with a host and a port: " + url);
        }
        JedisClientConfig config = DefaultJedisClientConfig.builder().clientName("wirefly")
                .autoNegotiateProtocol(false).connectionTimeoutMillis(2_000).socketTimeoutMillis(2_000).build();
        RedisLink link = new RedisLink(uri, config, reconnectWait.toMillis(), bufferBytes);
        try (Jedis probe = link.open()) {
            probe.ping();
        } catch (RuntimeException e) {
            throw new IOException("cannot reach Redis at " + url + ": " + e.getMessage(), e);
        }
        return link;
    }

    private Jedis open() {
        return new Jedis(uri, config);
    }

    /** @param deliver gets (topic, envelope) for each message; a null topic means a channel that is not ours */
    public void start(BiPredicate<String, byte[]> deliver) {
        subscriber = daemon(() -> subscribeLoop(deliver), "wirefly-redis-sub");
        publisher = daemon(this::publishLoop, "wirefly-redis-pub");
        subscriber.start();
        publisher.start();
        control.scheduleWithFixedDelay(this::keepAlive, 5, 5, TimeUnit.SECONDS);
    }

    /** The subscriber connection's pub/sub session: one per connection. */
    private final class Listener extends BinaryJedisPubSub {
        private final BiPredicate<String, byte[]> deliver;
        /** Whether this session got as far as listening. */
        private boolean listened;

        Listener(BiPredicate<String, byte[]> deliver) {
            this.deliver = deliver;
        }

        @Override
        public void onSubscribe(byte[] channel, int count) {
            if (!java.util.Arrays.equals(channel, CONTROL)) {
                return;
            }
            // listening: from now on topic changes go straight to this session; catch up on every topic first
            synchronized (lock) {
                active = this;
                if (!topics.isEmpty()) {
                    subscribe(topics.stream().map(t -> BusNames.channel(t).getBytes(StandardCharsets.US_ASCII))
                            .toArray(byte[][]::new));
                }
            }
            lastPong = System.nanoTime();
            subscribed = true;
            listened = true;
            if (everListened) {
                reconnects.incrementAndGet();
            }
            everListened = true;
        }

        @Override
        public void onMessage(byte[] channel, byte[] message) {
            deliver.test(BusNames.topic(new String(channel, StandardCharsets.US_ASCII)), message);
        }

        @Override
        public void onPong(byte[] pattern) {
            lastPong = System.nanoTime();
        }
    }

    private void subscribeLoop(BiPredicate<String, byte[]> deliver) {
        long wait = reconnectWaitMillis;
        while (!closed) {
            Listener listener = new Listener(deliver);
            try (Jedis connection = open()) {
                synchronized (lock) {
                    subscriberConnection = connection;
                }
                connection.subscribe(listener, CONTROL);   // returns when the connection fails or we close
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "Redis subscriber: " + e);
            } finally {
                synchronized (lock) {
                    active = null;
                    subscriberConnection = null;
                }
                subscribed = false;
                losses.incrementAndGet();
            }
            wait = listener.listened ? reconnectWaitMillis : Math.min(wait * 2, reconnectWaitMillis * 4);
            if (!closed && !pause(wait)) {
                return;
            }
        }
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void keepAlive() {
        synchronized (lock) {
            if (active == null) {
                return;
            }
            if (System.nanoTime() - lastPong > TimeUnit.SECONDS.toNanos(15)) {
                LOG.log(System.Logger.Level.WARNING, "Redis subscriber: no PONG for 15 s; reconnecting");
                subscriberConnection.disconnect();
                return;
            }
            try {
                active.ping();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "Redis ping: " + e);
            }
        }
    }

    /** Brings the live subscription in line with {@link #topics} for one topic; on the control thread. */
    private void sync(String topic) {
        synchronized (lock) {
            if (active == null) {
                return;   // the next connect subscribes every topic in the set
            }
            byte[] channel = BusNames.channel(topic).getBytes(StandardCharsets.US_ASCII);
            try {
                if (topics.contains(topic)) {
                    active.subscribe(channel);
                } else {
                    active.unsubscribe(channel);
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "Redis (un)subscribe: " + e);
            }
        }
    }

    public void subscribe(String topic) {
        synchronized (lock) {
            topics.add(topic);
        }
        later(topic);
    }

    public void unsubscribe(String topic) {
        synchronized (lock) {
            topics.remove(topic);
        }
        later(topic);
    }

    private void later(String topic) {
        try {
            control.execute(() -> sync(topic));
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed: nothing is listening any more
        }
    }

    /** Queues a publish; never blocks; drops and counts it past the byte bound or after close. */
    public void publish(String topic, byte[] envelope) {
        long cost = envelope.length + ENTRY_COST;
        if (closed || queuedBytes.addAndGet(cost) > bufferBytes) {
            if (!closed) {
                queuedBytes.addAndGet(-cost);
            }
            dropped.incrementAndGet();
            return;
        }
        outbox.add(new byte[][] {BusNames.channel(topic).getBytes(StandardCharsets.US_ASCII), envelope});
    }

    private void publishLoop() {
        Jedis connection = null;
        long seenLosses = -1;
        long wait = reconnectWaitMillis;
        List<byte[][]> batch = new ArrayList<>(BATCH);
        try {
            while (!closed || !outbox.isEmpty()) {
                if (batch.isEmpty()) {
                    byte[][] head = outbox.poll(200, TimeUnit.MILLISECONDS);
                    if (head == null) {
                        continue;
                    }
                    batch.add(head);
                    outbox.drainTo(batch, BATCH - 1);
                }
                if (connection == null || seenLosses != losses.get()) {
                    close(connection);
                    connection = null;
                    seenLosses = losses.get();
                    try {
                        connection = open();
                        connection.ping();
                        publisherUp = true;
                        wait = reconnectWaitMillis;
                    } catch (RuntimeException down) {
                        close(connection);
                        connection = null;
                        publisherUp = false;
                        if (closed) {
                            break;
                        }
                        Thread.sleep(wait);
                        wait = Math.min(wait * 2, reconnectWaitMillis * 4);
                        continue;   // the batch waits, and still counts against the bound
                    }
                }
                try {
                    Pipeline pipeline = connection.pipelined();
                    for (byte[][] m : batch) {
                        pipeline.publish(m[0], m[1]);
                    }
                    pipeline.sync();
                    published.addAndGet(batch.size());
                } catch (RuntimeException failed) {
                    LOG.log(System.Logger.Level.DEBUG, "Redis publish: " + failed);
                    dropped.addAndGet(batch.size());
                    close(connection);
                    connection = null;
                    publisherUp = false;
                }
                release(batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            dropped.addAndGet(batch.size() + outbox.size());
            close(connection);
        }
    }

    private void release(List<byte[][]> batch) {
        long bytes = 0;
        for (byte[][] m : batch) {
            bytes += m[1].length + ENTRY_COST;
        }
        queuedBytes.addAndGet(-bytes);
        batch.clear();
    }

    private static void close(Jedis connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (RuntimeException ignored) {
                // already broken: nothing left to release
            }
        }
    }

    public boolean connected() {
        return subscribed && publisherUp;
    }

    public long published() {
        return published.get();
    }

    public long dropped() {
        return dropped.get();
    }

    public long reconnects() {
        return reconnects.get();
    }

    /** Sends what is queued (up to a second), then disconnects both connections. */
    public void close() {
        closed = true;
        control.shutdownNow();
        join(publisher, 1_000);
        synchronized (lock) {
            if (subscriberConnection != null) {
                subscriberConnection.disconnect();
            }
        }
        join(subscriber, 1_000);
    }

    private static void join(Thread t, long millis) {
        if (t == null) {
            return;
        }
        try {
            t.join(millis);
            if (t.isAlive()) {
                t.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
