package io.wirefly.core.internal.protocol;

import java.nio.ByteBuffer;

/**
 * Takes the frames that a {@link Protocol} has produced, when the transport asks for them with
 * {@link Protocol#drainOutbound}: the engine never pushes bytes into the transport on its own.
 *
 * <pre>{@code
 * protocol.sendText("hi", future);
 * protocol.drainOutbound((frame, kind, tag) -> writeBuffer.add(frame, kind, (CompletableFuture<Void>) tag));
 * }</pre>
 */
@FunctionalInterface
public interface OutboundSink {

    /**
     * One frame, in order.
     *
     * @param frame the frame bytes from position to limit, masked on the client side; the sink owns the buffer
     * @param kind how to order it against frames the transport already holds
     * @param tag the tag given to the {@code send*} call that made the frame, or null for frames the engine made
     *     itself (pongs, close frames)
     */
    void accept(ByteBuffer frame, OutboundKind kind, Object tag);
}
