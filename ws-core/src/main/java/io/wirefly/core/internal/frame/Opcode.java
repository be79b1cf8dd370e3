package io.wirefly.core.internal.frame;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;

/**
 * The six opcodes that RFC 6455 §5.2 defines. Values 3–7 are reserved for further non-control frames and
 * 0xB–0xF for further control frames; {@link #of(int)} rejects them.
 *
 * <pre>{@code
 * Opcode op = Opcode.of(b0 & WireFormat.B0_OPCODE);   // ProtocolException (1002) if reserved
 * if (op.isControl()) {
 *     // ping, pong or close: at most 125 bytes, never fragmented
 * }
 * }</pre>
 */
public enum Opcode {
    /** 0x0: a continuation fragment of a text or binary message. */
    CONTINUATION(0x0),
    /** 0x1: the first (or only) frame of a UTF-8 text message. */
    TEXT(0x1),
    /** 0x2: the first (or only) frame of a binary message. */
    BINARY(0x2),
    /** 0x8: a close frame. */
    CLOSE(0x8),
    /** 0x9: a ping. */
    PING(0x9),
    /** 0xA: a pong. */
    PONG(0xA);

    private static final Opcode[] BY_CODE = new Opcode[16];

    static {
        for (Opcode op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** @return the 4-bit wire value */
    public int code() {
        return code;
    }

    /**
     * RFC 6455 §5.5: control frames are identified by opcodes where the most significant bit of the opcode
     * is 1.
     *
     * @return true for {@link #CLOSE}, {@link #PING} and {@link #PONG}
     */
    public boolean isControl() {
        return (code & 0x8) != 0;
    }

    /**
     * Looks up a received opcode.
     *
     * @param code the 4-bit opcode of a frame, 0..15
     * @return the opcode with that value; never null
     * @throws ProtocolException with {@link CloseCode#PROTOCOL_ERROR} for a reserved opcode (3–7, 0xB–0xF):
     *     RFC 6455 §5.2 "If an unknown opcode is received, the receiving endpoint MUST _Fail the WebSocket
     *     Connection_"
     * @throws IllegalArgumentException if {@code code} does not fit in four bits
     */
    public static Opcode of(int code) {
        if (code < 0 || code > 0xF) {
            throw new IllegalArgumentException("opcode must be 0..15, was " + code);
        }
        Opcode op = BY_CODE[code];
        if (op == null) {
            throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "reserved opcode " + code);
        }
        return op;
    }
}
