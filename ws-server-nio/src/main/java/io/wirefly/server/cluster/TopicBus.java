package io.wirefly.server.cluster;

/**
 * Carries topic messages between servers, so that a message published on one node reaches the subscribers connected
 * to the others (behind a load balancer, say). A server uses one when it is given one
 * ({@code WebSocketServer.builder().topicBus(bus)}): it subscribes to a topic at the bus while the topic has local members
 * and unsubscribes when the last one leaves; every publish is delivered to the local members at once and handed to
 * the bus in an {@link Envelope} that names the node, so no node delivers its own message twice. Implementations ride
 * on an existing broker ({@link NatsTopicBus} for NATS, {@link RedisTopicBus} for Redis); none of their calls may
 * block an event loop, and what cannot be sent is dropped and counted, never queued without bound.
 *
 * <pre>{@code
 * TopicBus bus = NatsTopicBus.connect("nats://127.0.0.1:4222");
 * WebSocketServer server = WebSocketServer.builder().port(9998).topicBus(bus).route("/chat", chat).build().start();
 * }</pre>
 */
public interface TopicBus extends AutoCloseable {

    /** What the bus hands back: messages for a topic from other nodes. Thread-safe; called on the bus's threads. */
    @FunctionalInterface
    interface Receiver {
        /**
         * @param topic the topic
         * @param envelope the message as another node published it
         * @return false if the envelope is malformed (the bus counts it; nothing was delivered)
         */
        boolean deliver(String topic, byte[] envelope);
    }

    /**
     * Starts delivering; called once, when the server starts.
     *
     * @param receiver where remote messages go
     */
    void start(Receiver receiver);

    /** @param topic a topic that now has local members */
    void subscribe(String topic);

    /** @param topic a topic whose last local member left */
    void unsubscribe(String topic);

    /**
     * Sends a message to the other nodes, without blocking; drops it (and counts it) when it cannot be queued.
     *
     * @param topic the topic
     * @param envelope the encoded message
     */
    void publish(String topic, byte[] envelope);

    /** @return the bus's counters now */
    BusStats stats();

    /** Disconnects; called when the server stops. */
    @Override
    void close();
}
