package io.wirefly.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirefly.core.internal.frame.FrameDecoder;
import io.wirefly.core.internal.frame.FrameSink;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadsTest {
    @Test
    void textHasTheExactSizeAndIsStrictUtf8() {
        for (String shape : new String[] {"ascii", "mixed"}) {
            for (int size : new int[] {1, 2, 3, 125, 1000, 65536}) {
                byte[] text = Payloads.text(size, shape);
                assertEquals(size, text.length);
                assertDoesNotThrow(() -> StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(text)), shape + size);
            }
        }
    }

    @Test
    void maskedFrameDecodesToThePayload() {
        for (int size : new int[] {0, 16, 125, 126, 65536, 70000}) {
            byte[] payload = Payloads.random(size, size);
            ByteBuffer frame = ByteBuffer.wrap(Payloads.maskedFrame(0x2, payload, Payloads.MASK_KEY));
            ByteArrayOutputStream decoded = new ByteArrayOutputStream();
            int[] ends = new int[1];
            new FrameDecoder().decode(frame, new FrameSink() {
                @Override
                public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
                    assertEquals(size, payloadLength);
                }

                @Override
                public void onPayload(ByteBuffer chunk) {
                    byte[] bytes = new byte[chunk.remaining()];
                    chunk.get(bytes);
                    decoded.writeBytes(bytes);
                }

                @Override
                public void onFrameEnd() {
                    ends[0]++;
                }
            });
            assertEquals(1, ends[0]);
            assertArrayEquals(payload, decoded.toByteArray(), "size " + size);
        }
    }

    @Test
    void randomBytesDependOnlyOnTheSeed() {
        assertArrayEquals(Payloads.random(33, 5), Payloads.random(33, 5));
        assertEquals(33, Payloads.random(33, 5).length);
    }
}
