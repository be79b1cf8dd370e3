package io.wirefly.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic inputs for the benchmarks: payloads, client-masked frames built by hand (independent of every
 * library under test) and text in a few UTF-8 shapes.
 *
 * <pre>{@code
 * byte[] frame = Payloads.maskedFrame(0x2, Payloads.random(125, 1), Payloads.MASK_KEY);
 * }</pre>
 */
public final class Payloads {
    /** The mask key used by every hand-built frame, as a big-endian int. */
    public static final int MASK_KEY = 0x37FA213D;

    private Payloads() {
    }

    /**
     * @param size number of bytes
     * @param seed the random seed; equal seeds give equal bytes
     * @return {@code size} pseudo-random bytes
     */
    public static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i += 8) {
            long word = random.nextLong();
            for (int j = i; j < Math.min(size, i + 8); j++) {
                bytes[j] = (byte) word;
                word >>>= 8;
            }
        }
        return bytes;
    }

    /**
     * A complete final frame as a client sends it (RFC 6455 §5.2, minimal length encoding, MASK bit set, payload
     * XORed with the key one byte at a time).
     *
     * @param opcode the 4-bit opcode
     * @param payload the unmasked payload (not modified)
     * @param key the mask key as a big-endian int
     * @return header + masked payload
     */
    public static byte[] maskedFrame(int opcode, byte[] payload, int key) {
        int n = payload.length;
        int lengthBytes = n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
        int header = 2 + lengthBytes + 4;
        byte[] frame = new byte[header + n];
        frame[0] = (byte) (0x80 | opcode);
        if (lengthBytes == 0) {
            frame[1] = (byte) (0x80 | n);
        } else if (lengthBytes == 2) {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (n >>> 8);
            frame[3] = (byte) n;
        } else {
            frame[1] = (byte) (0x80 | 127);
            for (int i = 0; i < 8; i++) {
                frame[2 + i] = (byte) ((long) n >>> (56 - 8 * i));
            }
        }
        int keyAt = 2 + lengthBytes;
        for (int i = 0; i < 4; i++) {
            frame[keyAt + i] = (byte) (key >>> (24 - 8 * i));
        }
        for (int i = 0; i < n; i++) {
            frame[header + i] = (byte) (payload[i] ^ frame[keyAt + (i & 3)]);
        }
        return frame;
    }

    /**
     * Text of exactly {@code size} UTF-8 bytes.
     *
     * @param size the length in bytes
     * @param shape {@code ascii} (JSON-like ASCII) or {@code mixed} (ASCII with 2-, 3- and 4-byte sequences,
     *     about a third of the bytes outside ASCII)
     * @return the encoded text, always valid UTF-8
     */
    public static byte[] text(int size, String shape) {
        String unit = switch (shape) {
            case "ascii" -> "{\"id\":12345,\"name\":\"wirefly\",\"on\":true,\"v\":[1,2,3]}";
            case "mixed" -> "price: 12€, π≈3.14, 发什么回什么, ok 😀; ";
            default -> throw new IllegalArgumentException("unknown text shape " + shape);
        };
        int unitBytes = unit.getBytes(StandardCharsets.UTF_8).length;
        // One unit more than needed, so that bytes[size] exists.
        byte[] bytes = unit.repeat(size / unitBytes + 2).getBytes(StandardCharsets.UTF_8);
        int end = size;
        // Cut at a code point boundary, then pad with ASCII to the exact size.
        while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
            end--;
        }
        byte[] exact = new byte[size];
        System.arraycopy(bytes, 0, exact, 0, end);
        for (int i = end; i < size; i++) {
            exact[i] = 'x';
        }
        return exact;
    }

    /**
     * @param bytes content
     * @param direct whether to copy into a direct buffer
     * @return a buffer holding a copy of {@code bytes}, position 0, limit {@code bytes.length}
     */
    public static ByteBuffer buffer(byte[] bytes, boolean direct) {
        ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(bytes.length) : ByteBuffer.allocate(bytes.length);
        buffer.put(bytes).flip();
        return buffer;
    }
}
