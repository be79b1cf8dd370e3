package io.wirefly.server.internal;

import io.wirefly.server.Metrics;
import io.wirefly.server.MetricsListener;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Lock-free counters behind {@link Metrics}, shared by every connection of a server or client. */
public final class MetricsCollector {
    private final MetricsListener listener;
    final LongAdder open = new LongAdder();
    /** Connections past their handshake whose socket is not closed yet: open, closing or lingering. */
    private final LongAdder held = new LongAdder();
    final LongAdder accepted = new LongAdder();
    final LongAdder messagesIn = new LongAdder();
    final LongAdder messagesOut = new LongAdder();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder pauses = new LongAdder();
    final LongAdder acceptFailures = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final ConcurrentHashMap<Integer, LongAdder> rejected = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, LongAdder> sent = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Integer, LongAdder> received = new ConcurrentHashMap<>();
    private volatile long lastRoundTrip = -1;

    /** @param listener told of events, or null */
    public MetricsCollector(MetricsListener listener) {
        this.listener = listener == null ? new MetricsListener() { } : listener;
    }

    /** @param weight what the connection counts as toward the connection limit (see {@link #heldConnections}) */
    void opened(int weight) {
        open.increment();
        held.add(weight);
        accepted.increment();
        listener.onOpen();
    }

    void closed(int code) {
        open.decrement();
        listener.onClose(code);
    }

    void rejected(int status) {
        rejected.computeIfAbsent(status, k -> new LongAdder()).increment();
        listener.onHandshakeRejected(status);
    }

    void closeSent(int code) {
        sent.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    void closeReceived(int code) {
        received.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    /** The acceptor could not accept (out of file descriptors, say) and backed off. */
    public void acceptFailed() {
        acceptFailures.increment();
    }

    void handshakeEvicted() {
        evicted.increment();
        listener.onHandshakeEvicted();
    }

    /** The acceptor closed a connection at once: its address held as many as it may. */
    void connectionRefused() {
        refused.increment();
        listener.onConnectionRefused();
    }

    void paused() {
        pauses.increment();
        listener.onBackpressurePause();
    }

    void pingRoundTrip(long nanos) {
        lastRoundTrip = nanos;
        listener.onPingRoundTrip(nanos);
    }

    /**
     * A connection that had opened is gone, its socket closed (its close was counted when it happened).
     *
     * @param weight what it counted as when it opened
     */
    void released(int weight) {
        held.add(-weight);
    }

    /**
     * @return the connections past their handshake whose socket is still open, each by its weight (one, and one more
     *     per KiB of header fields it keeps): the open ones, and the closed ones that still wait for their peer's FIN
     *     (at most the close timeout). The connection limit counts these: each holds its memory until its socket is
     *     closed.
     */
    public long heldConnections() {
        return held.sum();
    }

    /** @return the connections open now, without a whole snapshot (the upgrader asks at every handshake) */
    public long openConnections() {
        return open.sum();
    }

    /** @return a snapshot of every counter */
    public Metrics snapshot() {
        return new Metrics(open.sum(), accepted.sum(), sums(rejected), messagesIn.sum(), messagesOut.sum(),
                bytesIn.sum(), bytesOut.sum(), sums(sent), sums(received), pauses.sum(), lastRoundTrip,
                acceptFailures.sum(), evicted.sum(), refused.sum());
    }

    private static Map<Integer, Long> sums(Map<Integer, LongAdder> map) {
        Map<Integer, Long> out = new HashMap<>();
        map.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
