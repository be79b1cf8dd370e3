package io.wirefly.core.internal.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The RFC 6455 §5.3 masking transform, in place and eight bytes at a time.
 *
 * <p>RFC 6455 §5.3: "Octet i of the transformed data ("transformed-octet-i") is the XOR of octet i of the
 * original data ("original-octet-i") with octet at index i modulo 4 of the masking key ("masking-key-octet-j")".
 * The same operation masks and unmasks. Here the key is the four masking-key octets as a big-endian {@code int}
 * (the first octet on the wire is {@code key >>> 24}), and a payload may be transformed in several pieces: the
 * {@code offset} says at which key octet the piece starts, and the return value is where the next piece starts.
 *
 * <p>The bulk of the range is XORed a {@code long} at a time with the key repeated twice (eight bytes are a
 * whole number of key periods, so the key word never changes inside one call); the last 0–7 bytes are done one by
 * one. Heap buffers are read through a {@code long} view of their array; direct (and read-only) buffers with
 * absolute {@code getLong}/{@code putLong}, switched to the native byte order for the loop and switched back
 * before returning, also when it throws. Neither the position, the limit nor the mark is changed, and on return
 * the byte order is the caller's. Stateless and thread-safe, but no other thread may use the same buffer object
 * during the call (which a caller that writes the bytes must ensure anyway).
 *
 * <pre>{@code
 * // unmask a payload that arrives in two pieces
 * int offset = Masking.apply(buf, first, firstEnd, key, 0);
 * offset = Masking.apply(buf, second, secondEnd, key, offset);
 * }</pre>
 */
public final class Masking {
    /** Reads and writes eight array bytes as one {@code long} in the platform's byte order; unaligned is fine. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    private static final boolean NATIVE_BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
    /** Multiplying an unsigned 32-bit value by this places a copy of it in both halves of a {@code long}. */
    private static final long DOUBLE_INT = 0x1_0000_0001L;

    private Masking() {
    }

    /**
     * XORs the bytes {@code buf[from, to)} with the masking key, starting at key octet {@code offset}.
     *
     * @param buf the bytes to transform, heap or direct, in either byte order; it must be writable unless
     *     {@code key} is 0 or the range is empty
     * @param from the absolute index of the first byte to transform, at least 0
     * @param to the absolute index after the last byte to transform, at most {@code buf.limit()}
     * @param key the four masking-key octets as a big-endian int (the first octet is {@code key >>> 24}); 0 leaves
     *     the bytes unchanged
     * @param offset the index (0..3) of the key octet that applies to the byte at {@code from}; 0 at the start of
     *     a payload, the previous call's return value when resuming
     * @return the key index for the byte after {@code to}, that is {@code (offset + to - from) & 3}
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= buf.limit()}
     * @throws IllegalArgumentException if {@code offset} is not 0..3
     * @throws java.nio.ReadOnlyBufferException if bytes must change and {@code buf} is read-only
     */
    public static int apply(ByteBuffer buf, int from, int to, int key, int offset) {
        Objects.checkFromToIndex(from, to, buf.limit());
        if ((offset & ~3) != 0) {
            throw new IllegalArgumentException("offset must be 0..3, was " + offset);
        }
        int next = (offset + to - from) & 3;
        if (key == 0 || from == to) {
            return next;
        }
        // Rotate so that the key octet for the byte at `from` is the top byte, then repeat it in a long that is
        // read and written in the platform's byte order (byte-swapped on little-endian machines).
        int rotated = Integer.rotateLeft(key, offset << 3);
        long bigEndianWord = (rotated & 0xFFFF_FFFFL) * DOUBLE_INT;
        long word = NATIVE_BIG_ENDIAN ? bigEndianWord : Long.reverseBytes(bigEndianWord);
        if (buf.hasArray()) {
            int base = buf.arrayOffset();
            applyToArray(buf.array(), base + from, base + to, rotated, word);
        } else {
            applyToBuffer(buf, from, to, rotated, word);
        }
        return next;
    }

    private static void applyToArray(byte[] bytes, int from, int to, int key, long word) {
        int i = from;
        int wordsEnd = from + ((to - from) & ~7);
        for (; i < wordsEnd; i += 8) {
            LONGS.set(bytes, i, (long) LONGS.get(bytes, i) ^ word);
        }
        // Whole words keep the key phase, so the tail starts at the same key octet as `from`.
        int k = key;
        for (; i < to; i++) {
            bytes[i] ^= (byte) (k >>> 24);
            k = Integer.rotateLeft(k, 8);
        }
    }

    private static void applyToBuffer(ByteBuffer buf, int from, int to, int key, long word) {
        // getLong/putLong are about twice as fast in the native order (no byte swap per word), so switch the
        // buffer to it for the loop and always restore the caller's order.
        ByteOrder callerOrder = buf.order();
        buf.order(ByteOrder.nativeOrder());
        try {
            int i = from;
            int wordsEnd = from + ((to - from) & ~7);
            for (; i < wordsEnd; i += 8) {
                buf.putLong(i, buf.getLong(i) ^ word);
            }
            int k = key;
            for (; i < to; i++) {
                buf.put(i, (byte) (buf.get(i) ^ (k >>> 24)));
                k = Integer.rotateLeft(k, 8);
            }
        } finally {
            buf.order(callerOrder);
        }
    }
}
