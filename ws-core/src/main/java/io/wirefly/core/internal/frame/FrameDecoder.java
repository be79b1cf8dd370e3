package io.wirefly.core.internal.frame;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A resumable push tokenizer for the RFC 6455 §5.2 frame format: bytes in, header / payload / frame-end calls out.
 *
 * <p>{@link #decode} accepts the stream cut at any point, down to one byte per call, and keeps its place in an
 * explicit state: {@code HEADER} (the two fixed bytes), {@code LENGTH_16}, {@code LENGTH_64}, {@code MASK_KEY},
 * {@code PAYLOAD}, and {@code FAILED}. Payload is never copied: the sink gets the caller's own buffer with its
 * position and limit narrowed to the bytes of the frame that are present, unmasked in place; the mask offset is
 * carried across calls. The decode path allocates nothing per frame. A header that lies whole in the buffer (the
 * usual case) is read in one step; a header cut across calls goes through the states byte by byte, with the same
 * checks and the same sink calls.
 *
 * <p>The only rules enforced here are the length encoding ones (RFC 6455 §5.2): a length must use the minimal
 * form, and the most significant bit of a 64-bit length must be 0. Everything else (RSV bits, opcodes, masking
 * by role, control-frame size and fragmentation, size limits) belongs to the {@link FrameSink}, which sees the
 * header before any payload and may throw or call {@link #stop()}.
 *
 * <p>Once a violation is found, the sink throws, or {@link #stop()} is called, the decoder is failed for good:
 * every later byte (including the rest of the buffer being decoded) is consumed and discarded with no sink call.
 * Not thread-safe: one thread (the connection's) calls it.
 *
 * <pre>{@code
 * FrameDecoder decoder = new FrameDecoder();
 * while (channel.read(in) > 0) {
 *     in.flip();
 *     decoder.decode(in, sink);       // consumes everything; a partial frame is remembered
 *     in.clear();
 * }
 * }</pre>
 */
public final class FrameDecoder {

    /** Where the decoder is in the current frame. */
    private enum State {
        /** Reading the two fixed header bytes. */
        HEADER,
        /** Reading a 16-bit extended payload length. */
        LENGTH_16,
        /** Reading a 64-bit extended payload length. */
        LENGTH_64,
        /** Reading the four-byte masking key. */
        MASK_KEY,
        /** Handing on payload bytes. */
        PAYLOAD,
        /** Stopped or failed: all input is discarded. */
        FAILED
    }

    private State state = State.HEADER;
    /** Bytes still missing from the fixed-size field of the current state (HEADER, LENGTH_*, MASK_KEY). */
    private int need = 2;
    /** The bytes of that field read so far, big-endian. */
    private long field;

    private boolean fin;
    private int rsv;
    private int opcode;
    private boolean masked;
    private long payloadLength;
    private int maskKey;

    /** Payload bytes of the current frame not yet handed on. */
    private long remaining;
    /** The masking-key index of the next payload byte. */
    private int maskOffset;
    /** Set by {@link #pause()}: {@link #decode} returns after the current sink call. */
    private boolean pausing;
    /** Payload bytes at the start of the next input that a paused call unmasked but the sink did not take. */
    private long unmaskedAhead;

    /** Creates a decoder that expects the first byte of a frame. */
    public FrameDecoder() {
    }

    /**
     * Consumes every byte of {@code in} from its position to its limit, calling {@code sink} for each frame
     * piece that completes. On return (normal or not) {@code in.position() == in.limit()} and the limit is the
     * one it had on entry, unless the sink called {@link #pause()}: then the position is at the first byte not
     * decoded, and the caller passes those bytes again, before any new ones. A masked frame's payload is unmasked in place, so {@code in} must be writable when
     * masked frames arrive.
     *
     * @param in the next bytes of the stream, heap or direct, any byte order
     * @param sink receives the header, payload pieces and end of every frame, on this thread
     * @throws ProtocolException with {@link CloseCode#PROTOCOL_ERROR} for a length that is not minimally encoded
     *     or a 64-bit length with its most significant bit set; the decoder is then failed
     * @throws RuntimeException whatever {@code sink} throws, unchanged; the decoder is then failed
     */
    public void decode(ByteBuffer in, FrameSink sink) {
        Objects.requireNonNull(sink, "sink");
        int limit = in.limit();
        int pos = in.position();
        pausing = false;
        try {
            while (pos < limit && state != State.FAILED) {
                if (state == State.PAYLOAD) {
                    pos = payload(in, pos, limit, sink);
                } else if (state == State.HEADER && need == 2 && limit - pos >= 2
                        && limit - pos >= headerSize(in.get(pos + 1))) {
                    // The common case: a whole header in the buffer, read in one step.
                    pos = wholeHeader(in, pos, sink);
                } else {
                    int n = Math.min(need, limit - pos);
                    long f = field;
                    for (int end = pos + n; pos < end; pos++) {
                        f = (f << 8) | (in.get(pos) & 0xFF);
                    }
                    field = f;
                    need -= n;
                    if (need == 0) {
                        fieldRead(sink);
                    }
                }
                if (pausing && state != State.FAILED) {
                    pausing = false;
                    in.position(pos);
                    return;
                }
            }
        } catch (Throwable t) {
            state = State.FAILED;
            in.limit(limit);
            in.position(limit);
            throw t;
        }
        in.position(limit);
    }

    /** The fixed-size field of the current state is complete in {@link #field}. */
    private void fieldRead(FrameSink sink) {
        switch (state) {
            case HEADER -> {
                int b0 = (int) (field >>> 8);
                int b1 = (int) field & 0xFF;
                fin = (b0 & WireFormat.B0_FIN) != 0;
                rsv = (b0 >>> 4) & 7;
                opcode = b0 & WireFormat.B0_OPCODE;
                masked = (b1 & WireFormat.B1_MASK) != 0;
                int length7 = b1 & WireFormat.B1_LENGTH;
                if (length7 == WireFormat.LENGTH_16) {
                    expect(State.LENGTH_16, 2);
                } else if (length7 == WireFormat.LENGTH_64) {
                    expect(State.LENGTH_64, 8);
                } else {
                    lengthRead(length7, sink);
                }
            }
            case LENGTH_16 -> lengthRead(checkLength16(field), sink);
            case LENGTH_64 -> lengthRead(checkLength64(field), sink);
            case MASK_KEY -> {
                maskKey = (int) field;
                headerRead(sink);
            }
            default -> throw new IllegalStateException("no field is read in state " + state);
        }
    }

    private void lengthRead(long length, FrameSink sink) {
        payloadLength = length;
        if (masked) {
            expect(State.MASK_KEY, 4);
        } else {
            maskKey = 0;
            headerRead(sink);
        }
    }

    /** @return the size of a header whose second byte is {@code b1}: 2 to 14 bytes */
    private static int headerSize(byte b1) {
        int length7 = b1 & WireFormat.B1_LENGTH;
        int extended = length7 == WireFormat.LENGTH_16 ? 2 : length7 == WireFormat.LENGTH_64 ? 8 : 0;
        return 2 + extended + ((b1 & WireFormat.B1_MASK) != 0 ? 4 : 0);
    }

    /**
     * Reads a header that lies complete in {@code in} from {@code pos}, with the same checks and sink calls as
     * the byte-at-a-time path.
     *
     * @return the index after the header
     */
    private int wholeHeader(ByteBuffer in, int pos, FrameSink sink) {
        int b0 = in.get(pos) & 0xFF;
        int b1 = in.get(pos + 1) & 0xFF;
        fin = (b0 & WireFormat.B0_FIN) != 0;
        rsv = (b0 >>> 4) & 7;
        opcode = b0 & WireFormat.B0_OPCODE;
        masked = (b1 & WireFormat.B1_MASK) != 0;
        int p = pos + 2;
        long length = b1 & WireFormat.B1_LENGTH;
        if (length == WireFormat.LENGTH_16) {
            length = checkLength16(bigEndian(in, p, 2));
            p += 2;
        } else if (length == WireFormat.LENGTH_64) {
            length = checkLength64(bigEndian(in, p, 8));
            p += 8;
        }
        payloadLength = length;
        if (masked) {
            maskKey = (int) bigEndian(in, p, 4);
            p += 4;
        } else {
            maskKey = 0;
        }
        headerRead(sink);
        return p;
    }

    /** @return {@code count} bytes of {@code in} from {@code pos} as a big-endian number, whatever its byte order */
    private static long bigEndian(ByteBuffer in, int pos, int count) {
        long v = 0;
        for (int i = 0; i < count; i++) {
            v = (v << 8) | (in.get(pos + i) & 0xFF);
        }
        return v;
    }

    private static long checkLength16(long length) {
        // RFC 6455 §5.2: "in all cases, the minimal number of bytes MUST be used to encode the length, for example,
        // the length of a 124-byte-long string can't be encoded as the sequence 126, 0, 124"
        if (length < WireFormat.LENGTH_16) {
            throw violation("payload length " + length + " sent in the 16-bit form");
        }
        return length;
    }

    private static long checkLength64(long length) {
        // RFC 6455 §5.2: "If 127, the following 8 bytes interpreted as a 64-bit unsigned integer (the most
        // significant bit MUST be 0) are the payload length."
        if (length < 0) {
            throw violation("64-bit payload length with the most significant bit set");
        }
        // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length"
        if (length <= 0xFFFF) {
            throw violation("payload length " + length + " sent in the 64-bit form");
        }
        return length;
    }

    private void headerRead(FrameSink sink) {
        remaining = payloadLength;
        maskOffset = 0;
        // Change state before calling out, so that a stop() from the sink is not overwritten.
        state = State.PAYLOAD;
        sink.onHeader(fin, rsv, opcode, masked, payloadLength);
        if (remaining == 0 && state != State.FAILED) {
            expect(State.HEADER, 2);
            sink.onFrameEnd();
        }
    }

    /**
     * Hands on the payload bytes in {@code [pos, min(limit, pos + remaining))}; returns the index after the bytes
     * the sink took (all of them, unless it paused inside the call).
     */
    private int payload(ByteBuffer in, int pos, int limit, FrameSink sink) {
        int end = pos + (int) Math.min(remaining, limit - pos);
        if (masked) {
            // Bytes handed on before a pause come again, already unmasked: skip them.
            int from = pos + (int) Math.min(unmaskedAhead, end - pos);
            unmaskedAhead -= from - pos;
            // RFC 6455 §5.3: octet i of the payload is XORed with octet (i MOD 4) of the masking key.
            maskOffset = Masking.apply(in, from, end, maskKey, maskOffset);
        }
        in.position(pos);
        in.limit(end);
        sink.onPayload(in);
        int taken = end;
        if (pausing) {
            taken = Math.max(pos, Math.min(end, in.position()));
            if (masked) {
                unmaskedAhead += end - taken;
            }
        }
        in.limit(limit);
        in.position(taken);
        if (state == State.FAILED) {
            return taken;   // stopped by the sink
        }
        remaining -= taken - pos;
        if (remaining == 0) {
            expect(State.HEADER, 2);
            sink.onFrameEnd();
        }
        return taken;
    }

    private void expect(State next, int size) {
        state = next;
        need = size;
        field = 0;
    }

    private static ProtocolException violation(String detail) {
        return new ProtocolException(CloseCode.PROTOCOL_ERROR, detail);
    }

    /**
     * Makes the running {@link #decode} call return once the current sink call is over, with the input's position
     * at the first byte it did not decode: a sink calls it to bound the work of one call. From
     * {@link FrameSink#onFrameEnd()} the pause falls between frames; from {@link FrameSink#onPayload} the position the
     * sink leaves in the chunk marks the bytes it took, and the rest of the chunk is handed on again by the next
     * call (the caller passes those bytes back unchanged: they are already unmasked, and the decoder knows it). Has
     * no effect outside a {@code decode} call or on a stopped decoder.
     */
    public void pause() {
        pausing = true;
    }

    /**
     * Fails the decoder: from now on every input byte is discarded without a sink call, including the rest of
     * the buffer being decoded when a sink calls this (for example after a close frame, or after a violation it
     * reports by other means than throwing).
     */
    public void stop() {
        state = State.FAILED;
    }

    /** @return true once {@link #stop()} was called, a length violation was found or the sink threw */
    public boolean isStopped() {
        return state == State.FAILED;
    }
}
