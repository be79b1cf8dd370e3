package io.wirefly.server.cluster;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiPredicate;

/**
 * What every bus adapter does with a message from its broker: hands it to the server's {@link TopicBus.Receiver} and
 * counts it, or logs, drops and counts it as malformed when it is not ours to read (an unknown channel, a bad
 * envelope).
 *
 * <pre>{@code
 * Inbound inbound = new Inbound("Redis");
 * link.start(inbound.to(receiver));
 * }</pre>
 */
final class Inbound {
    private static final System.Logger LOG = System.getLogger(TopicBus.class.getName());

    private final String broker;
    final AtomicLong received = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();

    Inbound(String broker) {
        this.broker = broker;
    }

    /** @return a sink for (topic or null when the channel is not ours, envelope) pairs */
    BiPredicate<String, byte[]> to(TopicBus.Receiver receiver) {
        return (topic, bytes) -> {
            if (topic != null && receiver.deliver(topic, bytes)) {
                received.incrementAndGet();
                return true;
            }
            malformed.incrementAndGet();
            if (topic == null) {   // (a bad envelope on a topic was logged with its reason by the receiver)
                LOG.log(System.Logger.Level.WARNING, "dropped a message from " + broker + " on a channel that is not"
                        + " a Wirefly topic (" + (bytes == null ? 0 : bytes.length) + " bytes)");
            }
            return false;
        };
    }
}
