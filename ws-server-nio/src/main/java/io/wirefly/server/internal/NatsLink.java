package io.wirefly.server.internal;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;

/**
 * The only class that touches the NATS client ({@code io.nats:jnats}, an optional dependency): loaded when a
 * {@code NatsTopicBus} is made, never otherwise. Topics travel as subjects named by {@link BusNames}; jnats reconnects
 * with its own backoff and resubscribes, and while it is disconnected it buffers publishes up to {@code bufferBytes},
 * beyond which a publish is dropped and counted.
 *
 * <pre>{@code
 * NatsLink link = NatsLink.connect("nats://127.0.0.1:4222", Duration.ofMillis(250), 8 << 20);
 * link.start((topic, bytes) -> deliver(topic, bytes));
 * }</pre>
 */
public final class NatsLink {
    private final Connection connection;
    private final AtomicLong reconnects;
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong dropped;
    /**
     * Bytes published since the connection was lost: jnats keeps them for the reconnect, but does not itself hold to
     * {@code bufferBytes} in every state, so the link does: past it, publishes are dropped and counted.
     */
    private final AtomicLong heldWhileDown;
    private final long bufferBytes;
    private Dispatcher dispatcher;

    /**
     * jnats reports every lost connection at SEVERE; a broker going away is expected here: DEBUG, via System.Logger.
     * It reports the publishes it discards (its queue full, or its reconnect buffer) here too, without an exception:
     * they are counted as dropped.
     */
    private static final class QuietErrors implements io.nats.client.ErrorListener {
        private static final System.Logger LOG = System.getLogger(NatsLink.class.getName());
        private final AtomicLong dropped;

        QuietErrors(AtomicLong dropped) {
            this.dropped = dropped;
        }

        @Override
        public void messageDiscarded(Connection conn, io.nats.client.Message msg) {
            dropped.incrementAndGet();
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.log(System.Logger.Level.DEBUG, "NATS: " + exp);
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            LOG.log(System.Logger.Level.WARNING, "NATS error: " + error);
        }
    }

    private NatsLink(Connection connection, AtomicLong reconnects, AtomicLong dropped, AtomicLong heldWhileDown,
            long bufferBytes) {
        this.connection = connection;
        this.reconnects = reconnects;
        this.dropped = dropped;
        this.heldWhileDown = heldWhileDown;
        this.bufferBytes = bufferBytes;
    }

    /**
     * @param url the broker, such as {@code nats://127.0.0.1:4222}
     * @param reconnectWait the wait between reconnect attempts
     * @param bufferBytes publishes buffered while disconnected, at most
     * @return a connected link
     * @throws IOException if the broker cannot be reached now
     */
    public static NatsLink connect(String url, Duration reconnectWait, long bufferBytes) throws IOException {
        AtomicLong reconnects = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        AtomicLong heldWhileDown = new AtomicLong();
        ConnectionListener listener = (conn, event) -> {
            if (event == ConnectionListener.Events.RECONNECTED) {
                reconnects.incrementAndGet();
                heldWhileDown.set(0);
            }
        };
        Options options = new Options.Builder().server(url).maxReconnects(-1).reconnectWait(reconnectWait)
                .reconnectBufferSize(bufferBytes).noEcho().connectionListener(listener)
                // a full outgoing queue drops (and we count it) instead of blocking the publishing event loop
                .maxMessagesInOutgoingQueue(10_000).discardMessagesWhenOutgoingQueueFull()
                .connectionName("wirefly").errorListener(new QuietErrors(dropped)).build();
        try {
            return new NatsLink(Nats.connect(options), reconnects, dropped, heldWhileDown, bufferBytes);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while connecting to " + url, e);
        }
    }

    /** @param deliver gets (topic, envelope) for each message; its false counts as malformed (by the caller) */
    public void start(BiPredicate<String, byte[]> deliver) {
        dispatcher = connection.createDispatcher(
                message -> deliver.test(BusNames.topic(message.getSubject()), message.getData()));
    }

    private static String subject(String topic) {
        return BusNames.channel(topic);
    }

    public void subscribe(String topic) {
        dispatcher.subscribe(subject(topic));
    }

    public void unsubscribe(String topic) {
        dispatcher.unsubscribe(subject(topic));
    }

    /** Queues a publish; never blocks; drops and counts when jnats cannot take it (its buffer is full, or closed). */
    public void publish(String topic, byte[] envelope) {
        if (connection.getStatus() != Connection.Status.CONNECTED
                && heldWhileDown.addAndGet(envelope.length) > bufferBytes) {
            heldWhileDown.addAndGet(-envelope.length);
            dropped.incrementAndGet();
            return;
        }
        try {
            connection.publish(subject(topic), envelope);
            published.incrementAndGet();
        } catch (IllegalStateException full) {
            dropped.incrementAndGet();
        }
    }

    public boolean connected() {
        return connection.getStatus() == Connection.Status.CONNECTED;
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

    public void close() {
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
