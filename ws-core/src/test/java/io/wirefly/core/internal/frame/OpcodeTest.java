package io.wirefly.core.internal.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import org.junit.jupiter.api.Test;

class OpcodeTest {

    @Test
    void hasTheRfcValues() {
        // RFC 6455 §5.2: %x0 continuation, %x1 text, %x2 binary, %x8 close, %x9 ping, %xA pong
        assertEquals(0x0, Opcode.CONTINUATION.code());
        assertEquals(0x1, Opcode.TEXT.code());
        assertEquals(0x2, Opcode.BINARY.code());
        assertEquals(0x8, Opcode.CLOSE.code());
        assertEquals(0x9, Opcode.PING.code());
        assertEquals(0xA, Opcode.PONG.code());
    }

    @Test
    void onlyCloseAndPingAndPongAreControlFrames() {
        assertFalse(Opcode.CONTINUATION.isControl());
        assertFalse(Opcode.TEXT.isControl());
        assertFalse(Opcode.BINARY.isControl());
        assertTrue(Opcode.CLOSE.isControl());
        assertTrue(Opcode.PING.isControl());
        assertTrue(Opcode.PONG.isControl());
    }

    @Test
    void ofReturnsEveryDefinedOpcode() {
        for (Opcode op : Opcode.values()) {
            assertSame(op, Opcode.of(op.code()));
        }
    }

    @Test
    void ofRejectsEveryReservedOpcodeWithProtocolError() {
        int[] reserved = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF};
        for (int code : reserved) {
            ProtocolException e = assertThrows(ProtocolException.class, () -> Opcode.of(code));
            assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode());
            assertTrue(e.getMessage().contains(Integer.toString(code)), e.getMessage());
        }
    }

    @Test
    void ofRejectsValuesThatAreNotFourBits() {
        assertThrows(IllegalArgumentException.class, () -> Opcode.of(-1));
        assertThrows(IllegalArgumentException.class, () -> Opcode.of(16));
    }
}
