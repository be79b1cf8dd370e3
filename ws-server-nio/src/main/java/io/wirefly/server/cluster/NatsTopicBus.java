package io.wirefly.server.cluster;

import io.wirefly.server.internal.NatsLink;
import java.io.IOException;
import java.time.Duration;

/**
 * A {@link TopicBus} on a NATS broker, through the NATS Java client {@code io.nats:jnats}, which is an optional
 * dependency of ws-server-nio: add it to your project to use this class (nothing else needs it).
 *
 * <ul>
 *   <li>Connecting fails at once if the broker is down at start; after that the client reconnects by itself
 *       (every {@code reconnectWait}, without limit) and resubscribes every topic that has local members.</li>
 *   <li>While the broker is down, local delivery goes on; remote publishes are buffered by the client up to
 *       {@code bufferBytes} (default 8 MiB) and sent at the reconnect, and beyond that dropped and counted in
 *       {@link BusStats#dropped()}. A full outgoing queue drops too: a publish never blocks an event loop. NATS
 *       core delivers at most once: a node that has not resubscribed yet when a buffered publish goes out misses
 *       it; nothing is ever delivered twice.</li>
 *   <li>Envelopes that are not Wirefly's (another publisher on the subject) are logged, dropped and counted.</li>
 * </ul>
 *
 * <pre>{@code
 * // <dependency><groupId>io.nats</groupId><artifactId>jnats</artifactId><version>2.21.1</version></dependency>
 * WebSocketServer server = WebSocketServer.builder().port(9998)
 *     .topicBus(NatsTopicBus.connect("nats://10.0.0.5:4222"))
 *     .route("/chat/{room}", chat).build().start();
 * }</pre>
 */
public final class NatsTopicBus implements TopicBus {
    private final NatsLink link;
    private final Inbound inbound = new Inbound("NATS");

    private NatsTopicBus(NatsLink link) {
        this.link = link;
    }

    /**
     * @param url the broker, such as {@code nats://127.0.0.1:4222}
     * @return a bus connected to it (reconnecting every 250 ms when the connection is lost, 8 MiB buffered)
     * @throws IOException if the broker cannot be reached now
     */
    public static NatsTopicBus connect(String url) throws IOException {
        return connect(url, Duration.ofMillis(250), 8L << 20);
    }

    /**
     * @param url the broker
     * @param reconnectWait the wait between reconnect attempts
     * @param bufferBytes publishes kept while disconnected, at most; beyond, they are dropped and counted
     * @return a bus connected to the broker
     * @throws IOException if the broker cannot be reached now
     * @throws IllegalArgumentException for a non-positive wait or buffer, naming it
     */
    public static NatsTopicBus connect(String url, Duration reconnectWait, long bufferBytes) throws IOException {
        if (reconnectWait.isNegative() || reconnectWait.isZero()) {
            throw new IllegalArgumentException("reconnectWait must be > 0, was " + reconnectWait);
        }
        if (bufferBytes <= 0) {
            throw new IllegalArgumentException("bufferBytes must be > 0, was " + bufferBytes);
        }
        return new NatsTopicBus(NatsLink.connect(url, reconnectWait, bufferBytes));
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
