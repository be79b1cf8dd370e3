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

    /**
     * One frame in two pieces: its header, and its payload as the sender gave it (a server's large data frames, so
     * the payload is not copied). A sink that can write both with one gather write overrides this; the default
     * joins them.
     *
     * @param header the frame's header; the sink owns it
     * @param payload the frame's payload, unmasked; the sink must not change it and may hold it until the frame is
     *     written (the sender does not change it until the send completes)
     * @param kind how to order it
     * @param tag as for {@link #accept(ByteBuffer, OutboundKind, Object)}
     */
    default void accept(ByteBuffer header, ByteBuffer payload, OutboundKind kind, Object tag) {
        ByteBuffer frame = ByteBuffer.allocate(header.remaining() + payload.remaining());
        frame.put(header).put(payload.duplicate()).flip();
        accept(frame, kind, tag);
    }
}
