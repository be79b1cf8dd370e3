package io.wirefly.core.internal.protocol;

import java.nio.ByteBuffer;

/**
 * Encodes text to UTF-8 in two passes, length then bytes, so that a text message is written once, straight into
 * the frame that carries it, instead of into a byte array that is then copied into the frame. The bytes are
 * exactly those of {@code String.getBytes(StandardCharsets.UTF_8)}: a surrogate without its pair (which UTF-8
 * cannot encode, RFC 3629 §3) becomes {@code '?'}, as the JDK's encoder replaces it.
 *
 * <pre>{@code
 * int n = Utf8Encoder.length(text);
 * ByteBuffer frame = encoder.startFrame(Opcode.TEXT.code(), true, 0, n);
 * Utf8Encoder.encode(text, frame);
 * }</pre>
 */
final class Utf8Encoder {
    private static final byte REPLACEMENT = '?';

    private Utf8Encoder() {
    }

    /**
     * @param text the characters
     * @return the number of UTF-8 bytes they encode to
     */
    static long length(CharSequence text) {
        int n = text.length();
        long bytes = n;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 2;   // two chars, four bytes
                i++;
            } else if (!Character.isSurrogate(c)) {
                bytes += 2;
            }
            // An unpaired surrogate is one byte, the replacement.
        }
        return bytes;
    }

    /**
     * Puts the UTF-8 bytes of {@code text} at {@code dst}'s position and moves the position past them.
     *
     * @param text the characters
     * @param dst a buffer with at least {@link #length(CharSequence)} bytes remaining
     * @throws java.nio.BufferOverflowException if {@code dst} has too little room
     */
    static void encode(CharSequence text, ByteBuffer dst) {
        if (!dst.hasArray()) {
            encodeSlow(text, dst);
            return;
        }
        byte[] a = dst.array();
        int p = dst.arrayOffset() + dst.position();
        int end = dst.arrayOffset() + dst.limit();
        int n = text.length();
        int i = 0;
        // ASCII first: one byte per char, the common case for protocol messages.
        int asciiEnd = Math.min(n, end - p);
        while (i < asciiEnd) {
            char c = text.charAt(i);
            if (c >= 0x80) {
                break;
            }
            a[p++] = (byte) c;
            i++;
        }
        for (; i < n; i++) {
            char c = text.charAt(i);
            int need = c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            int cp = c;
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                    cp = Character.toCodePoint(c, text.charAt(i + 1));
                    need = 4;
                } else {
                    cp = REPLACEMENT;
                    need = 1;
                }
            }
            if (end - p < need) {
                throw new java.nio.BufferOverflowException();
            }
            switch (need) {
                case 1 -> a[p++] = (byte) cp;
                case 2 -> {
                    a[p++] = (byte) (0xC0 | cp >>> 6);
                    a[p++] = (byte) (0x80 | cp & 0x3F);
                }
                case 3 -> {
                    a[p++] = (byte) (0xE0 | cp >>> 12);
                    a[p++] = (byte) (0x80 | cp >>> 6 & 0x3F);
                    a[p++] = (byte) (0x80 | cp & 0x3F);
                }
                default -> {
                    a[p++] = (byte) (0xF0 | cp >>> 18);
                    a[p++] = (byte) (0x80 | cp >>> 12 & 0x3F);
                    a[p++] = (byte) (0x80 | cp >>> 6 & 0x3F);
                    a[p++] = (byte) (0x80 | cp & 0x3F);
                    i++;
                }
            }
        }
        dst.position(p - dst.arrayOffset());
    }

    /** The same for a buffer without an accessible array (direct or read-only): byte by byte. */
    private static void encodeSlow(CharSequence text, ByteBuffer dst) {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                dst.put((byte) c);
            } else if (c < 0x800) {
                dst.put((byte) (0xC0 | c >>> 6)).put((byte) (0x80 | c & 0x3F));
            } else if (!Character.isSurrogate(c)) {
                dst.put((byte) (0xE0 | c >>> 12)).put((byte) (0x80 | c >>> 6 & 0x3F)).put((byte) (0x80 | c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, text.charAt(++i));
                dst.put((byte) (0xF0 | cp >>> 18)).put((byte) (0x80 | cp >>> 12 & 0x3F))
                        .put((byte) (0x80 | cp >>> 6 & 0x3F)).put((byte) (0x80 | cp & 0x3F));
            } else {
                dst.put(REPLACEMENT);
            }
        }
    }
}
