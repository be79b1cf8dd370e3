package io.wirefly.core.internal.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskingTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int RFC_KEY = 0x37fa213d;

    /** The definition in RFC 6455 §5.3, one byte at a time: byte i gets key octet (offset + i) mod 4. */
    private static void naiveMask(byte[] bytes, int from, int to, int key, int offset) {
        for (int i = from; i < to; i++) {
            int octet = (offset + i - from) & 3;
            bytes[i] ^= (byte) (key >>> (24 - 8 * octet));
        }
    }

    private static ByteBuffer buffer(boolean direct, ByteOrder order, byte[] content) {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(content.length) : ByteBuffer.allocate(content.length);
        buf.put(content).clear();
        return buf.order(order);
    }

    private static byte[] contents(ByteBuffer buf) {
        byte[] out = new byte[buf.capacity()];
        buf.duplicate().clear().get(out);
        return out;
    }

    @Test
    void matchesTheByteLoopForEverySizeOffsetStartBufferKindAndOrder() {
        Random random = new Random(6455);
        int key = random.nextInt();
        byte[] original = new byte[1024 + 8 + 8];
        random.nextBytes(original);
        for (boolean direct : new boolean[] {false, true}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                ByteBuffer buf = buffer(direct, order, original);
                for (int start = 0; start < 8; start++) {
                    for (int size = 0; size <= 1024; size++) {
                        for (int offset = 0; offset < 4; offset++) {
                            byte[] expected = original.clone();
                            naiveMask(expected, start, start + size, key, offset);
                            buf.clear().put(original).position(3).limit(start + size + 5);

                            int next = Masking.apply(buf, start, start + size, key, offset);

                            String where = (direct ? "direct " : "heap ") + order + " start " + start + " size "
                                    + size + " offset " + offset;
                            assertEquals((offset + size) & 3, next, where);
                            assertArrayEquals(expected, contents(buf), where);
                            assertEquals(3, buf.position(), where);
                            assertEquals(start + size + 5, buf.limit(), where);
                            assertSame(order, buf.order(), where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void worksOnASliceWhoseArrayOffsetIsNotZero() {
        byte[] backing = new byte[64];
        new Random(1).nextBytes(backing);
        byte[] expected = backing.clone();
        naiveMask(expected, 5 + 3, 5 + 40, RFC_KEY, 2);
        ByteBuffer slice = ByteBuffer.wrap(backing, 5, 50).slice();

        assertEquals((2 + 37) & 3, Masking.apply(slice, 3, 40, RFC_KEY, 2));

        assertArrayEquals(expected, backing);
    }

    @Test
    void masksTheRfcHelloExample() {
        // RFC 6455 §5.7: a single-frame masked text message "Hello" with masking key 37 fa 21 3d
        ByteBuffer buf = ByteBuffer.wrap(HEX.parseHex("48656c6c6f"));
        Masking.apply(buf, 0, 5, RFC_KEY, 0);
        assertEquals("7f9f4d5158", HEX.formatHex(contents(buf)));
    }

    @Test
    void resumingAcrossTwoCallsEqualsOneCall() {
        Random random = new Random(7);
        int key = random.nextInt();
        byte[] original = new byte[77];
        random.nextBytes(original);
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer whole = buffer(direct, ByteOrder.BIG_ENDIAN, original);
            Masking.apply(whole, 0, original.length, key, 0);
            byte[] expected = contents(whole);
            for (int split = 0; split <= original.length; split++) {
                ByteBuffer pieces = buffer(direct, ByteOrder.BIG_ENDIAN, original);
                int offset = Masking.apply(pieces, 0, split, key, 0);
                assertEquals(split & 3, offset);
                Masking.apply(pieces, split, original.length, key, offset);
                assertArrayEquals(expected, contents(pieces), "split at " + split);
            }
        }
    }

    @Test
    void keyZeroChangesNothingButStillAdvancesTheOffset() {
        byte[] original = HEX.parseHex("00ff10203040506070809a");
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer buf = buffer(direct, ByteOrder.BIG_ENDIAN, original);
            assertEquals((1 + 11) & 3, Masking.apply(buf, 0, 11, 0, 1));
            assertArrayEquals(original, contents(buf));
        }
        // A zero key must not even touch a read-only buffer.
        ByteBuffer readOnly = ByteBuffer.wrap(original).asReadOnlyBuffer();
        assertEquals(3, Masking.apply(readOnly, 0, 11, 0, 0));
    }

    @Test
    void masksAReadOnlyBufferNeverAndSaysSo() {
        ByteBuffer readOnly = ByteBuffer.wrap(new byte[16]).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThrows(ReadOnlyBufferException.class, () -> Masking.apply(readOnly, 0, 16, RFC_KEY, 0));
        assertSame(ByteOrder.LITTLE_ENDIAN, readOnly.order(), "the order is untouched");
    }

    @Test
    void rejectsBadRangesAndOffsets() {
        ByteBuffer buf = ByteBuffer.allocate(16).limit(10);
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.apply(buf, 0, 11, RFC_KEY, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.apply(buf, -1, 4, RFC_KEY, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> Masking.apply(buf, 5, 4, RFC_KEY, 0));
        assertThrows(IllegalArgumentException.class, () -> Masking.apply(buf, 0, 4, RFC_KEY, 4));
        assertThrows(IllegalArgumentException.class, () -> Masking.apply(buf, 0, 4, RFC_KEY, -1));
    }
}
