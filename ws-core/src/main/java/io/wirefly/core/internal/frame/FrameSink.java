package io.wirefly.core.internal.frame;

import java.nio.ByteBuffer;

/**
 * Receives the pieces of frames from a {@link FrameDecoder}: for every frame one {@link #onHeader}, zero or more
 * {@link #onPayload} (none for an empty payload), then one {@link #onFrameEnd}. The decoder checks no protocol
 * rule beyond the length encoding: the sink (the connection's protocol state machine) validates RSV bits,
 * opcodes, masking by role, control-frame sizes and frame-size limits, and throws a
 * {@link io.wirefly.core.ProtocolException} or calls {@link FrameDecoder#stop()} to end decoding.
 *
 * <p>Calls come on the thread that called {@link FrameDecoder#decode}, in wire order. If a method throws, the
 * decoder fails and rethrows; no further calls follow.
 *
 * <pre>{@code
 * FrameSink sink = new FrameSink() {
 *     public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
 *         if (rsv != 0) {
 *             throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "RSV bits set without an extension");
 *         }
 *     }
 *     public void onPayload(ByteBuffer chunk) {
 *         message.put(chunk);               // copy: the chunk is only valid during the call
 *     }
 *     public void onFrameEnd() {
 *         // deliver the frame or message
 *     }
 * };
 * }</pre>
 */
public interface FrameSink {

    /**
     * A frame header was read completely (up to and including the masking key).
     *
     * @param fin the FIN bit: this frame is the last fragment of its message
     * @param rsv the three reserved bits as {@code (byte0 >>> 4) & 7}, so RSV1 is {@code 0b100}, RSV2
     *     {@code 0b010} and RSV3 {@code 0b001}
     * @param opcode the raw 4-bit opcode, 0..15, not validated (see {@link Opcode#of(int)})
     * @param masked the MASK bit
     * @param payloadLength the payload length in bytes, 0 to 2<sup>63</sup>-1, minimally encoded on the wire
     */
    void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength);

    /**
     * The next piece of the current frame's payload, already unmasked in place. The pieces of one frame add up
     * to its payload length; how the payload is cut depends only on how the input arrived.
     *
     * @param chunk the caller's input buffer with {@code position()..limit()} narrowed to this piece; valid only
     *     during the call (copy what you keep). The sink may move the position or read through the buffer; the
     *     decoder restores the limit and moves the position past the piece afterwards.
     */
    void onPayload(ByteBuffer chunk);

    /** The current frame's payload is complete (called for empty payloads too). */
    void onFrameEnd();
}
