package io.wirefly.server.internal;

import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.protocol.InboundBudget;
import java.util.concurrent.Executor;

/**
 * What every connection of one server or client needs to know, validated by the public builders.
 *
 * @param config protocol limits and deflate settings
 * @param executor where handler calls run, or null for the event loop
 * @param handshakeTimeoutNanos how long a handshake may take
 * @param idleTimeoutNanos silence after which a ping is sent, or 0 for never
 * @param pongTimeoutNanos how long a ping may wait for its pong
 * @param closeTimeoutNanos how long to wait for the peer's close frame (and then for TCP to end)
 * @param highWaterMark queued bytes (frame overhead included) above which reads pause
 * @param lowWaterMark queued bytes below which paused reads resume
 * @param maxWriteBuffer queued bytes beyond which the connection is failed with 1008
 * @param inboundBudget memory for messages being assembled, shared by every connection
 * @param metrics the shared counters
 */
public record Settings(WebSocketConfig config, Executor executor, long handshakeTimeoutNanos, long idleTimeoutNanos,
        long pongTimeoutNanos, long closeTimeoutNanos, long highWaterMark, long lowWaterMark, long maxWriteBuffer,
        InboundBudget inboundBudget, OutboundTotal outboundTotal, MetricsCollector metrics) {

    /**
     * @param config the route's config, or null for this one's
     * @param executor the route's executor, or null for this one's
     * @param idleTimeoutNanos the route's idle timeout, or negative for this one's
     * @param pongTimeoutNanos the route's pong timeout, or negative for this one's
     * @return these settings with a route's overrides
     */
    public Settings forRoute(WebSocketConfig config, Executor executor, long idleTimeoutNanos, long pongTimeoutNanos) {
        return new Settings(config != null ? config : this.config, executor != null ? executor : this.executor,
                handshakeTimeoutNanos, idleTimeoutNanos >= 0 ? idleTimeoutNanos : this.idleTimeoutNanos,
                pongTimeoutNanos >= 0 ? pongTimeoutNanos : this.pongTimeoutNanos, closeTimeoutNanos, highWaterMark,
                lowWaterMark, maxWriteBuffer, inboundBudget, outboundTotal, metrics);
    }
}
