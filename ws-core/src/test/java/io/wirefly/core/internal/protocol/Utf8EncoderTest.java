package io.wirefly.core.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8EncoderTest {

    /** Encodes with both paths (array-backed and direct) and checks against the JDK's encoder. */
    private static void assertSameAsJdk(String s) {
        byte[] expected = s.getBytes(StandardCharsets.UTF_8);
        assertEquals(expected.length, Utf8Encoder.length(s), "length of " + describe(s));
        ByteBuffer heap = ByteBuffer.allocate(expected.length + 3).position(3);
        Utf8Encoder.encode(s, heap);
        assertEquals(heap.capacity(), heap.position());
        assertArrayEquals(expected, Arrays.copyOfRange(heap.array(), 3, heap.capacity()), "heap, " + describe(s));
        ByteBuffer direct = ByteBuffer.allocateDirect(expected.length);
        Utf8Encoder.encode(new StringBuilder(s), direct);
        byte[] out = new byte[expected.length];
        direct.flip().get(out);
        assertArrayEquals(expected, out, "direct, " + describe(s));
    }

    private static String describe(String s) {
        StringBuilder b = new StringBuilder();
        s.chars().limit(40).forEach(c -> b.append(String.format("%04x ", c)));
        return b.toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Hello", "h\u00e9llo", "\u00ff\u0100\u07ff\u0800", "\u20ac uro", "\uffff\ufffd",
        "\ud83d\ude00 emoji", "a\ud800", "\udc00b", "\ud800\ud800\udc00", "\udbff\udfff", "\ud83d", "x\udc00\ud800y"})
    void encodesExactlyAsTheJdkDoes(String s) {
        assertSameAsJdk(s);
    }

    @Test
    void randomTextWithSurrogatesPairedAndNotEncodesAsTheJdkDoes() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            char[] chars = new char[random.nextInt(64)];
            for (int i = 0; i < chars.length; i++) {
                chars[i] = switch (random.nextInt(5)) {
                    case 0 -> (char) random.nextInt(0x80);
                    case 1 -> (char) (0x80 + random.nextInt(0x780));
                    case 2 -> (char) (0xD800 + random.nextInt(0x800));   // any surrogate, paired or not
                    default -> (char) random.nextInt(0x10000);
                };
            }
            assertSameAsJdk(new String(chars));
        }
    }

    @Test
    void aBufferWithTooLittleRoomOverflows() {
        assertThrows(BufferOverflowException.class, () -> Utf8Encoder.encode("h\u00e9llo", ByteBuffer.allocate(5)));
        assertThrows(BufferOverflowException.class, () -> Utf8Encoder.encode("hello", ByteBuffer.allocate(4)));
    }
}
