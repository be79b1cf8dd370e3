package io.wirefly.server.cluster;

import io.wirefly.server.internal.RedisLink;
import java.io.IOException;
import java.time.Duration;

/**
 * A {@link TopicBus} on Redis pub/sub, through the Jedis client ({@code redis.clients:jedis}), which is an optional
 * dependency of ws-server-nio: add it to your project to use this class (nothing else needs it). Jedis rather than
 * Lettuce: it brings a handful of small jars where Lettuce brings Netty and Reactor, and its blocking calls are kept
 * on three threads of the bus's own, never on an event loop.
 *
 * <ul>
 *   <li>Connecting fails at once if the broker is down at start; after that the bus reconnects by itself (after
 *       {@code reconnectWait}, doubling up to four times that, without limit) and resubscribes every topic that has
 *       local members.</li>
 *   <li>While the broker is down, local delivery goes on; remote publishes wait in a queue of at most
 *       {@code bufferBytes} (default 8 MiB) and are sent at the reconnect; beyond that they are dropped and counted
 *       in {@link BusStats#dropped()}, as is a batch whose sending failed midway. Redis pub/sub delivers at most
 *       once: a node that has not resubscribed yet when a buffered publish goes out misses it; nothing is ever
 *       delivered twice.</li>
 *   <li>Messages on our channels that are not Wirefly envelopes are logged, dropped and counted.</li>
 * </ul>
 *
 * <pre>{@code
 * // <dependency><groupId>redis.clients</groupId><artifactId>jedis</artifactId><version>8.0.2</version></dependency>
 * WebSocketServer server = WebSocketServer.builder().port(9998)
 *     .topicBus(RedisTopicBus.connect("redis://10.0.0.5:6379"))
 *     .route("/chat/{room}", chat).build().start();
 * }</pre>
 */
public final class RedisTopicBus implements TopicBus {
    private final RedisLink link;
    private final Inbound inbound = new Inbound("Redis");

    private RedisTopicBus(RedisLink link) {
        this.link = link;
    }

    /**
     * @param url the broker, {@code redis://[[user]:password@]host[:port][/db]} ({@code rediss://} for TLS)
     * @return a bus connected to it (reconnecting from 250 ms on when the connection is lost, 8 MiB queued)
     * @throws IOException if the broker cannot be reached now
     * @throws IllegalArgumentException if the URL is not a Redis URL
     */
    public static RedisTopicBus connect(String url) throws IOException {
        return connect(url, Duration.ofMillis(250), 8L << 20);
    }

    /**
     * @param url the broker
     * @param reconnectWait the first wait between reconnect attempts (it doubles, up to four times this)
     * @param bufferBytes publishes kept while the broker is slow or down, at most; beyond, they are dropped and
     *     counted
     * @return a bus connected to the broker
     * @throws IOException if the broker cannot be reached now
     * @throws IllegalArgumentException for a non-positive wait or buffer, or a URL that is not Redis's, naming it
     */
    public static RedisTopicBus connect(String url, Duration reconnectWait, long bufferBytes) throws IOException {
        if (reconnectWait.isNegative() || reconnectWait.isZero()) {
            throw new IllegalArgumentException("reconnectWait must be > 0, was " + reconnectWait);
        }
        if (bufferBytes <= 0) {
            throw new IllegalArgumentException("bufferBytes must be > 0, was " + bufferBytes);
        }
        return new RedisTopicBus(RedisLink.connect(url, reconnectWait, bufferBytes));
    }

    @Override
    public void start(Receiver receiver) {
        link.start(inbound.to(receiver));
    }

    @Override
    public void subscribe(String topic) {
        link.subscribe(topic);
    }

    @Override
    public void unsubscribe(String topic) {
        link.unsubscribe(topic);
    }

    @Override
    public void publish(String topic, byte[] envelope) {
        link.publish(topic, envelope);
    }

    @Override
    public BusStats stats() {
        return new BusStats(link.connected(), link.published(), inbound.received.get(), link.dropped(),
                inbound.malformed.get(), link.reconnects());
    }

    @Override
    public void close() {
        link.close();
    }
}
