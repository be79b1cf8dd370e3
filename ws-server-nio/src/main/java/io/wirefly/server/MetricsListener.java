package io.wirefly.server;

/**
 * Hears about notable events as they happen, for a metrics system that wants more than {@link Metrics} snapshots.
 * Called on event-loop threads: every method must be quick and must not block. All methods default to nothing.
 *
 * <pre>{@code
 * MetricsListener log = new MetricsListener() {
 *     @Override public void onHandshakeRejected(int status) { System.out.println("rejected " + status); }
 * };
 * }</pre>
 */
public interface MetricsListener {
    /** A connection completed its opening handshake. */
    default void onOpen() {
    }

    /**
     * A connection closed.
     *
     * @param code the code its handler saw in {@code onClose}
     */
    default void onClose(int code) {
    }

    /**
     * An opening handshake was refused.
     *
     * @param status the HTTP status answered
     */
    default void onHandshakeRejected(int status) {
    }

    /**
     * A connection was closed inside its opening handshake to make room for a new one: {@code maxHandshakes}
     * handshakes were in progress, and it was the oldest. A request already answered over HTTP (a page, a 404)
     * whose peer has not closed its socket yet is still in its handshake here.
     */
    default void onHandshakeEvicted() {
    }

    /**
     * A connection was closed as soon as it was accepted, before a byte was read: its address already held
     * {@code maxConnectionsPerAddress} connections. Called on the acceptor thread; keep it short.
     */
    default void onConnectionRefused() {
    }

    /** A connection's reads were paused because its write queue passed the high-water mark. */
    default void onBackpressurePause() {
    }

    /**
     * An automatic ping was answered.
     *
     * @param nanos the round-trip time
     */
    default void onPingRoundTrip(long nanos) {
    }
}
