package io.wirefly.server.cluster;

/**
 * A {@link TopicBus}'s counters.
 *
 * <pre>{@code
 * BusStats s = bus.stats();
 * if (!s.connected()) log.warn("broker down; " + s.dropped() + " remote publishes dropped so far");
 * }</pre>
 *
 * @param connected whether the broker connection is up now
 * @param published messages handed to the broker
 * @param received messages from other nodes delivered to local members
 * @param dropped messages that could not be queued for the broker (it was down and the buffer full)
 * @param malformed envelopes from the broker that were not ours to read, logged and dropped
 * @param reconnects times the connection came back after a loss
 */
public record BusStats(boolean connected, long published, long received, long dropped, long malformed,
        long reconnects) {
}
