package io.wirefly.core.internal.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WireFormatTest {

    @Test
    void firstByteMasksSplitTheRfcExampleHeader() {
        // RFC 6455 §5.7: 0x01 starts a fragmented text message, 0x80 is its final continuation, 0x89 a ping
        assertEquals(0, 0x01 & WireFormat.B0_FIN);
        assertEquals(Opcode.TEXT.code(), 0x01 & WireFormat.B0_OPCODE);
        assertEquals(WireFormat.B0_FIN, 0x80 & WireFormat.B0_FIN);
        assertEquals(Opcode.CONTINUATION.code(), 0x80 & WireFormat.B0_OPCODE);
        assertEquals(Opcode.PING.code(), 0x89 & WireFormat.B0_OPCODE);
    }

    @Test
    void firstByteMasksAreDisjointAndCoverTheByte() {
        int[] masks = {WireFormat.B0_FIN, WireFormat.B0_RSV1, WireFormat.B0_RSV2, WireFormat.B0_RSV3,
            WireFormat.B0_OPCODE};
        int union = 0;
        for (int mask : masks) {
            assertEquals(0, union & mask, "overlapping mask " + Integer.toHexString(mask));
            union |= mask;
        }
        assertEquals(0xFF, union);
        // RSV1 is the bit of value 4 in FrameSink's rsv field
        assertEquals(0b100, (WireFormat.B0_RSV1 >>> 4) & 7);
    }

    @Test
    void secondByteMasksSplitTheRfcMaskedHelloHeader() {
        // RFC 6455 §5.7: "0x81 0x85 0x37 0xfa 0x21 0x3d ..." is a masked 5-byte frame
        assertEquals(WireFormat.B1_MASK, 0x85 & WireFormat.B1_MASK);
        assertEquals(5, 0x85 & WireFormat.B1_LENGTH);
        assertEquals(0xFF, WireFormat.B1_MASK | WireFormat.B1_LENGTH);
    }

    @Test
    void limitsMatchTheFrameLayout() {
        assertEquals(126, WireFormat.LENGTH_16);
        assertEquals(127, WireFormat.LENGTH_64);
        assertEquals(125, WireFormat.MAX_CONTROL_PAYLOAD);
        assertEquals(2 + 8 + 4, WireFormat.MAX_HEADER_SIZE);
        assertEquals(WireFormat.MAX_HEADER_SIZE, FrameEncoder.headerSize(Long.MAX_VALUE, true));
    }
}
