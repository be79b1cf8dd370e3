package io.wirefly.core.internal.frame;

/**
 * Bit masks and limits of the RFC 6455 §5.2 base framing protocol, named after the byte they apply to
 * ({@code B0_} for the first byte of a frame, {@code B1_} for the second).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-------+-+-------------+-------------------------------+
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 *  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *  |     Extended payload length continued, if payload len == 127  |
 *  + - - - - - - - - - - - - - - - +-------------------------------+
 *  |                               |Masking-key, if MASK set to 1  |
 *  +-------------------------------+-------------------------------+
 *  | Masking-key (continued)       |          Payload Data         |
 *  +-------------------------------- - - - - - - - - - - - - - - - +
 *  :                     Payload Data continued ...                :
 *  + - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - - +
 *  |                     Payload Data continued ...                |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Multi-byte lengths are in network byte order (big-endian). The masking key is four bytes; the payload
 * length field never counts the header.
 *
 * <pre>{@code
 * int b0 = WireFormat.B0_FIN | Opcode.TEXT.code();          // 0x81: a final text frame
 * boolean masked = (b1 & WireFormat.B1_MASK) != 0;
 * int len7 = b1 & WireFormat.B1_LENGTH;                      // 126 or 127 announce an extended length
 * }</pre>
 */
public final class WireFormat {
    /** Byte 0, bit 7: FIN, this is the final fragment of a message. */
    public static final int B0_FIN = 0x80;
    /** Byte 0, bit 6: RSV1, reserved for extensions (permessage-deflate's "compressed" bit, RFC 7692 §6). */
    public static final int B0_RSV1 = 0x40;
    /** Byte 0, bit 5: RSV2, reserved for extensions. */
    public static final int B0_RSV2 = 0x20;
    /** Byte 0, bit 4: RSV3, reserved for extensions. */
    public static final int B0_RSV3 = 0x10;
    /** Byte 0, bits 3..0: the opcode. */
    public static final int B0_OPCODE = 0x0F;
    /** Byte 1, bit 7: MASK, the payload is masked with the four-byte key that follows the length. */
    public static final int B1_MASK = 0x80;
    /** Byte 1, bits 6..0: the payload length, or one of the two extended-length markers. */
    public static final int B1_LENGTH = 0x7F;
    /** The 7-bit length value announcing a 16-bit extended payload length. */
    public static final int LENGTH_16 = 126;
    /** The 7-bit length value announcing a 64-bit extended payload length. */
    public static final int LENGTH_64 = 127;
    /** RFC 6455 §5.5: "All control frames MUST have a payload length of 125 bytes or less". */
    public static final int MAX_CONTROL_PAYLOAD = 125;
    /** The largest header: 2 bytes, an 8-byte extended length and a 4-byte masking key. */
    public static final int MAX_HEADER_SIZE = 14;

    private WireFormat() {
    }
}
