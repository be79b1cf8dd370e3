package io.wirefly.server;

import java.util.Map;

/**
 * A snapshot of a server's or client's counters since it started. Counters are updated without locks, so a snapshot
 * taken under load may be a few events apart between fields.
 *
 * <pre>{@code
 * Metrics m = server.metrics();
 * System.out.printf("%d open, %d msgs in, 1009 sent %d times%n",
 *     m.openConnections(), m.messagesIn(), m.closeCodesSent().getOrDefault(1009, 0L));
 * }</pre>
 *
 * @param openConnections connections open now (handshake completed, not yet closed)
 * @param handshakesAccepted opening handshakes that succeeded
 * @param handshakesRejected failed opening handshakes by HTTP status
 * @param messagesIn messages received
 * @param messagesOut messages sent
 * @param bytesIn bytes read from sockets, handshakes included
 * @param bytesOut bytes written to sockets, handshakes included
 * @param closeCodesSent close codes this side sent, by code
 * @param closeCodesReceived close codes the peers sent, by code (1006 counts connections that ended without one)
 * @param backpressurePauses times a connection's reads were paused because its write queue passed the high mark
 * @param lastPingRoundTripNanos the round-trip time of the last answered automatic ping, or -1
 * @param acceptFailures times accepting a connection failed (out of file descriptors, say) and the acceptor backed
 *     off for 100 ms
 * @param handshakesEvicted connections closed inside their opening handshake to make room for a new one, because
 *     {@code maxHandshakes} handshakes were in progress (a rising count means stalled handshakes: a slowloris); a
 *     request answered over HTTP whose peer has not closed yet still counts as a handshake in progress
 * @param connectionsRefused connections closed as soon as they were accepted, before a byte was read, because their
 *     address already held {@code maxConnectionsPerAddress} (a rising count means one address is flooding; a
 *     client's reads 0)
 */
public record Metrics(long openConnections, long handshakesAccepted, Map<Integer, Long> handshakesRejected,
        long messagesIn, long messagesOut, long bytesIn, long bytesOut, Map<Integer, Long> closeCodesSent,
        Map<Integer, Long> closeCodesReceived, long backpressurePauses, long lastPingRoundTripNanos,
        long acceptFailures, long handshakesEvicted, long connectionsRefused) {

    /**
     * Copies the maps.
     *
     * @param openConnections open connections
     * @param handshakesAccepted accepted handshakes
     * @param handshakesRejected rejected handshakes by status
     * @param messagesIn messages received
     * @param messagesOut messages sent
     * @param bytesIn bytes read
     * @param bytesOut bytes written
     * @param closeCodesSent close codes sent
     * @param closeCodesReceived close codes received
     * @param backpressurePauses read pauses
     * @param lastPingRoundTripNanos last ping round trip, or -1
     * @param acceptFailures failed accepts
     * @param handshakesEvicted handshakes closed to make room
     * @param connectionsRefused connections refused for their address
     */
    public Metrics {
        handshakesRejected = Map.copyOf(handshakesRejected);
        closeCodesSent = Map.copyOf(closeCodesSent);
        closeCodesReceived = Map.copyOf(closeCodesReceived);
    }

    /**
     * The snapshot as it was before {@code connectionsRefused} was counted, which reads 0: code that builds one (a
     * test double, an adapter) keeps compiling.
     *
     * @param openConnections open connections
     * @param handshakesAccepted accepted handshakes
     * @param handshakesRejected rejected handshakes by status
     * @param messagesIn messages received
     * @param messagesOut messages sent
     * @param bytesIn bytes read
     * @param bytesOut bytes written
     * @param closeCodesSent close codes sent
     * @param closeCodesReceived close codes received
     * @param backpressurePauses read pauses
     * @param lastPingRoundTripNanos last ping round trip, or -1
     * @param acceptFailures failed accepts
     * @param handshakesEvicted handshakes closed to make room
     */
    public Metrics(long openConnections, long handshakesAccepted, Map<Integer, Long> handshakesRejected,
            long messagesIn, long messagesOut, long bytesIn, long bytesOut, Map<Integer, Long> closeCodesSent,
            Map<Integer, Long> closeCodesReceived, long backpressurePauses, long lastPingRoundTripNanos,
            long acceptFailures, long handshakesEvicted) {
        this(openConnections, handshakesAccepted, handshakesRejected, messagesIn, messagesOut, bytesIn, bytesOut,
                closeCodesSent, closeCodesReceived, backpressurePauses, lastPingRoundTripNanos, acceptFailures,
                handshakesEvicted, 0);
    }

    /**
     * The snapshot as it was before {@code handshakesEvicted} and {@code connectionsRefused} were counted, which reads 0: code that builds one (a
     * test double, an adapter) keeps compiling.
     *
     * @param openConnections open connections
     * @param handshakesAccepted accepted handshakes
     * @param handshakesRejected rejected handshakes by status
     * @param messagesIn messages received
     * @param messagesOut messages sent
     * @param bytesIn bytes read
     * @param bytesOut bytes written
     * @param closeCodesSent close codes sent
     * @param closeCodesReceived close codes received
     * @param backpressurePauses read pauses
     * @param lastPingRoundTripNanos last ping round trip, or -1
     * @param acceptFailures failed accepts
     */
    public Metrics(long openConnections, long handshakesAccepted, Map<Integer, Long> handshakesRejected,
            long messagesIn, long messagesOut, long bytesIn, long bytesOut, Map<Integer, Long> closeCodesSent,
            Map<Integer, Long> closeCodesReceived, long backpressurePauses, long lastPingRoundTripNanos,
            long acceptFailures) {
        this(openConnections, handshakesAccepted, handshakesRejected, messagesIn, messagesOut, bytesIn, bytesOut,
                closeCodesSent, closeCodesReceived, backpressurePauses, lastPingRoundTripNanos, acceptFailures, 0, 0);
    }
}
