package io.wirefly.core.internal.protocol;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes the payload of close frames (RFC 6455 §5.5.1): either empty, or a two-byte big-endian status
 * code followed by a UTF-8 reason, 125 bytes in all.
 *
 * <pre>{@code
 * ByteBuffer payload = CloseFrames.payload(1000, "bye");
 * CloseFrames.Close close = CloseFrames.parse(bytes, length);   // 1002 / 1007 on a bad payload
 * }</pre>
 */
final class CloseFrames {
    /** The largest reason: 125 bytes of control payload minus the two-byte code. */
    static final int MAX_REASON_BYTES = 123;

    /** A received close: its code (1005 when the frame had none) and reason. */
    record Close(int code, String reason) {
    }

    private CloseFrames() {
    }

    /**
     * Validates a received close payload.
     *
     * @param payload the frame's payload in {@code [0, length)}
     * @param length the payload length, at most 125
     * @return the close code and reason
     * @throws ProtocolException 1002 for a one-byte payload or a code that may not be sent, 1007 for a reason
     *     that is not UTF-8
     */
    static Close parse(byte[] payload, int length) {
        if (length == 0) {
            return new Close(CloseCode.NO_STATUS.code(), "");
        }
        // RFC 6455 §5.5.1: if there is a body, the first two bytes MUST be a 2-byte unsigned integer.
        if (length == 1) {
            throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "close frame payload of 1 byte");
        }
        int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        // RFC 6455 §7.4: 1004-1006, 1015, 1016-2999 and codes below 1000 are not to be sent on the wire.
        if (!CloseCode.isValidOnWire(code)) {
            throw new ProtocolException(CloseCode.PROTOCOL_ERROR, "invalid close code " + code);
        }
        if (!Utf8Validator.isValid(payload, 2, length)) {
            throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "close reason is not valid UTF-8");
        }
        return new Close(code, new String(payload, 2, length - 2, StandardCharsets.UTF_8));
    }

    /**
     * Builds a close payload. Code 1005 stands for "no code" and gives an empty payload.
     *
     * @param code the code to send, or 1005 for none
     * @param reason the reason; cut at a character boundary to fit {@value #MAX_REASON_BYTES} bytes
     * @return the payload, flipped
     */
    static ByteBuffer payload(int code, String reason) {
        if (code == CloseCode.NO_STATUS.code()) {
            return ByteBuffer.allocate(0);
        }
        byte[] text = truncate(reason);
        ByteBuffer payload = ByteBuffer.allocate(2 + text.length);
        payload.putShort((short) code).put(text).flip();
        return payload;
    }

    /**
     * @param reason a close reason
     * @return its UTF-8 bytes, cut at a character boundary to at most {@value #MAX_REASON_BYTES} bytes
     */
    static byte[] truncate(String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        if (text.length <= MAX_REASON_BYTES) {
            return text;
        }
        int end = MAX_REASON_BYTES;
        while (end > 0 && (text[end] & 0xC0) == 0x80) {
            end--;   // do not cut a multi-byte sequence in two
        }
        return java.util.Arrays.copyOf(text, end);
    }
}
