package io.wirefly.core.internal.frame;

import io.wirefly.core.Role;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Writes RFC 6455 §5.2 frames for one endpoint. A client masks every frame with a fresh key from its
 * {@link MaskKeys}; a server never masks.
 *
 * <p>RFC 6455 §5.1: "a client MUST mask all frames that it sends to the server"; "A server MUST NOT mask any
 * frames that it sends to the client."
 *
 * <p>Two ways to write a frame: {@link #encode} copies header and payload into one new buffer (simple, one
 * allocation per frame, the caller's payload untouched); {@link #encodeHeader} writes only the 2–14 header bytes
 * into a buffer that this encoder reuses, for a gathering write of header and payload with no copy (a client's
 * payload is masked in place). Arguments are checked against the RFC's framing rules; protocol state (whether a
 * continuation is expected, whether RSV1 was negotiated) is the caller's business. Not thread-safe.
 *
 * <pre>{@code
 * FrameEncoder encoder = new FrameEncoder(Role.SERVER, null);
 * ByteBuffer frame = encoder.encode(Opcode.TEXT.code(), true, 0, utf8);   // "81 05 48 65 6c 6c 6f" for "Hello"
 * channel.write(frame);
 *
 * ByteBuffer header = encoder.encodeHeader(Opcode.BINARY.code(), true, 0, big);
 * channel.write(new ByteBuffer[] {header, big});                         // no copy of the payload
 * }</pre>
 */
public final class FrameEncoder {
    private final boolean masking;
    private final MaskKeys keys;
    /** The reused header of {@link #encodeHeader}; created on its first call, so an idle endpoint holds none. */
    private ByteBuffer header;

    /**
     * @param role which end this encoder writes for: {@link Role#CLIENT} masks every frame, {@link Role#SERVER}
     *     never does
     * @param keys where a client's masking keys come from ({@link MaskKeys#secure()} in production); may be null
     *     for a server, which never asks for one
     * @throws NullPointerException if {@code role} is null, or {@code keys} is null for a client
     */
    public FrameEncoder(Role role, MaskKeys keys) {
        Objects.requireNonNull(role, "role");
        this.masking = role == Role.CLIENT;
        this.keys = masking ? Objects.requireNonNull(keys, "keys") : keys;
    }

    /**
     * Encodes a complete frame into a new heap buffer of exactly the right size.
     *
     * @param opcode the 4-bit opcode (reserved values are allowed, for testing peers)
     * @param fin whether this is the final fragment of its message; must be true for a control frame
     * @param rsv the reserved bits as {@code 0b(RSV1)(RSV2)(RSV3)}, 0..7 (RSV1 = 4 marks a compressed message)
     * @param payload the bytes {@code [position, limit)}; neither they nor the position are changed
     * @return the frame, position 0 and limit at its end, ready to write; the caller owns it
     * @throws IllegalArgumentException for an opcode outside 0..15, rsv outside 0..7, or a control frame (opcode
     *     8..15) that is fragmented or has more than 125 bytes of payload
     */
    public ByteBuffer encode(int opcode, boolean fin, int rsv, ByteBuffer payload) {
        int length = payload.remaining();
        check(opcode, fin, rsv, length);
        int key = masking ? keys.nextKey() : 0;
        int headerSize = headerSize(length, masking);
        ByteBuffer frame = ByteBuffer.allocate(headerSize + length);
        writeHeader(frame, opcode, fin, rsv, length, key);
        frame.put(headerSize, payload, payload.position(), length);
        if (masking) {
            Masking.apply(frame, headerSize, headerSize + length, key, 0);
        }
        frame.position(0);
        return frame;
    }

    /**
     * Starts a frame whose payload the caller writes in place, so that a payload produced on the fly (a text
     * message encoded to UTF-8) is written once, straight into the frame: returns a new heap buffer of exactly
     * header + {@code payloadLength} bytes with the header written and the position at the payload's first byte.
     * The caller puts exactly {@code payloadLength} bytes with relative puts, then calls {@link #finishFrame}.
     *
     * @param opcode the 4-bit opcode (reserved values are allowed, for testing peers)
     * @param fin whether this is the final fragment of its message; must be true for a control frame
     * @param rsv the reserved bits as {@code 0b(RSV1)(RSV2)(RSV3)}, 0..7
     * @param payloadLength the number of payload bytes the caller will write, {@code >= 0}
     * @return the frame being built; the caller owns it
     * @throws IllegalArgumentException for an opcode outside 0..15, rsv outside 0..7, a negative length, or a
     *     control frame (opcode 8..15) that is fragmented or has more than 125 bytes of payload
     */
    public ByteBuffer startFrame(int opcode, boolean fin, int rsv, int payloadLength) {
        if (payloadLength < 0) {
            throw new IllegalArgumentException("payloadLength must be >= 0, was " + payloadLength);
        }
        check(opcode, fin, rsv, payloadLength);
        int key = masking ? keys.nextKey() : 0;
        ByteBuffer frame = ByteBuffer.allocate(headerSize(payloadLength, masking) + payloadLength);
        writeHeader(frame, opcode, fin, rsv, payloadLength, key);
        return frame;
    }

    /**
     * Completes a frame from {@link #startFrame}: for a client, masks the payload with the key written in the
     * header.
     *
     * @param frame the buffer {@link #startFrame} returned, its payload fully written (position at its capacity)
     * @return {@code frame}, position 0 and limit at its end, ready to write
     * @throws IllegalStateException if the payload was not fully written
     */
    public ByteBuffer finishFrame(ByteBuffer frame) {
        if (frame.position() != frame.capacity()) {
            throw new IllegalStateException("payload incomplete: " + (frame.capacity() - frame.position())
                    + " bytes missing");
        }
        if (masking) {
            int length = frame.get(1) & WireFormat.B1_LENGTH;
            int headerSize = length < WireFormat.LENGTH_16 ? 6 : length == WireFormat.LENGTH_16 ? 8 : 14;
            int key = frame.getInt(headerSize - 4);   // big-endian: the first mask octet is the key's top byte
            Masking.apply(frame, headerSize, frame.capacity(), key, 0);
        }
        frame.flip();
        return frame;
    }

    /**
     * Encodes only the header of a frame whose payload is {@code payload}'s remaining bytes, into a buffer owned
     * by this encoder. For a client, the payload bytes {@code [position, limit)} are masked in place with the key
     * written in the header, so the caller writes the header and then the payload, unchanged, and must not reuse
     * the payload's contents afterwards.
     *
     * @param opcode the 4-bit opcode (reserved values are allowed, for testing peers)
     * @param fin whether this is the final fragment of its message; must be true for a control frame
     * @param rsv the reserved bits as {@code 0b(RSV1)(RSV2)(RSV3)}, 0..7
     * @param payload the frame's payload as {@code [position, limit)}; its position and limit are not changed; it
     *     must be writable for a client
     * @return the 2–14 header bytes, position 0 and limit at their end; valid until the next call on this encoder
     * @throws IllegalArgumentException for an opcode outside 0..15, rsv outside 0..7, or a control frame (opcode
     *     8..15) that is fragmented or has more than 125 bytes of payload
     */
    public ByteBuffer encodeHeader(int opcode, boolean fin, int rsv, ByteBuffer payload) {
        int length = payload.remaining();
        check(opcode, fin, rsv, length);
        int key = masking ? keys.nextKey() : 0;
        if (masking) {
            Masking.apply(payload, payload.position(), payload.limit(), key, 0);
        }
        if (header == null) {
            header = ByteBuffer.allocate(WireFormat.MAX_HEADER_SIZE);
        }
        header.clear();
        writeHeader(header, opcode, fin, rsv, length, key);
        header.flip();
        return header;
    }

    /**
     * The size of a frame header: 2 bytes, plus 2 or 8 for an extended length, plus 4 for a masking key.
     *
     * @param payloadLength the payload length, 0 to 2<sup>63</sup>-1
     * @param masked whether the frame carries a masking key
     * @return 2 to 14
     * @throws IllegalArgumentException if {@code payloadLength} is negative
     */
    public static int headerSize(long payloadLength, boolean masked) {
        if (payloadLength < 0) {
            throw new IllegalArgumentException("payloadLength must be >= 0, was " + payloadLength);
        }
        int size = payloadLength < WireFormat.LENGTH_16 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
        return masked ? size + 4 : size;
    }

    private static void check(int opcode, boolean fin, int rsv, int length) {
        if ((opcode & ~WireFormat.B0_OPCODE) != 0) {
            throw new IllegalArgumentException("opcode must be 0..15, was " + opcode);
        }
        if ((rsv & ~7) != 0) {
            throw new IllegalArgumentException("rsv must be 0..7, was " + rsv);
        }
        if ((opcode & 0x8) != 0) {
            // RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT be
            // fragmented."
            if (length > WireFormat.MAX_CONTROL_PAYLOAD) {
                throw new IllegalArgumentException("control frame payload must be at most 125 bytes, was " + length);
            }
            if (!fin) {
                throw new IllegalArgumentException("control frame (opcode " + opcode + ") must have fin set");
            }
        }
    }

    /** Writes the header at {@code dst}'s position with relative puts; big-endian, whatever {@code dst}'s order. */
    private void writeHeader(ByteBuffer dst, int opcode, boolean fin, int rsv, int length, int key) {
        dst.put((byte) ((fin ? WireFormat.B0_FIN : 0) | rsv << 4 | opcode));
        int maskBit = masking ? WireFormat.B1_MASK : 0;
        // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length"
        if (length < WireFormat.LENGTH_16) {
            dst.put((byte) (maskBit | length));
        } else if (length <= 0xFFFF) {
            dst.put((byte) (maskBit | WireFormat.LENGTH_16));
            dst.put((byte) (length >>> 8));
            dst.put((byte) length);
        } else {
            dst.put((byte) (maskBit | WireFormat.LENGTH_64));
            // A ByteBuffer holds at most 2^31 - 1 bytes: the top four bytes of the 64-bit length are zero.
            dst.put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
            dst.put((byte) (length >>> 24)).put((byte) (length >>> 16)).put((byte) (length >>> 8)).put((byte) length);
        }
        if (masking) {
            dst.put((byte) (key >>> 24)).put((byte) (key >>> 16)).put((byte) (key >>> 8)).put((byte) key);
        }
    }
}
