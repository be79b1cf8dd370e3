package io.wirefly.core.internal.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Cuts a streamed text message into parts of whole characters. A read or a frame may end inside a UTF-8 sequence;
 * its first bytes (at most 3) are kept and put in front of the next piece, so no part ever holds half a character.
 * The bytes must already have been checked as UTF-8 (the caller's validator fails the connection first).
 *
 * <pre>{@code
 * TextParts parts = new TextParts();
 * String part = parts.next(bytes, 0, n);   // null while no whole character has arrived
 * parts.reset();                           // at the end of the message
 * }</pre>
 */
final class TextParts {
    private static final byte[] NO_BYTES = new byte[0];

    /** The last bytes of the previous piece that end inside a UTF-8 sequence, or none. */
    private byte[] carry = NO_BYTES;

    /**
     * @param bytes holds the next piece of the message, valid UTF-8 so far
     * @param offset where the piece starts
     * @param length its length
     * @return the whole characters that the carried bytes and this piece make, or null if there are none yet
     */
    String next(byte[] bytes, int offset, int length) {
        byte[] all = bytes;
        int from = offset;
        int to = offset + length;
        if (carry.length > 0) {   // the end of a character cut by the last piece comes first
            all = new byte[carry.length + length];
            System.arraycopy(carry, 0, all, 0, carry.length);
            System.arraycopy(bytes, offset, all, carry.length, length);
            from = 0;
            to = all.length;
        }
        int whole = wholeCharacters(all, from, to);
        carry = whole == to ? NO_BYTES : Arrays.copyOfRange(all, whole, to);
        return whole > from ? new String(all, from, whole - from, StandardCharsets.UTF_8) : null;
    }

    /** Forgets what was carried: the message ended (or the connection did). */
    void reset() {
        carry = NO_BYTES;
    }

    /** @return the end of the longest run of {@code b[from, to)} that ends on a whole character */
    private static int wholeCharacters(byte[] b, int from, int to) {
        for (int k = 1; k <= Math.min(3, to - from); k++) {
            int c = b[to - k] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue;   // a continuation byte: look further back for its lead
            }
            int needed = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return needed > k ? to - k : to;
        }
        return to;
    }
}
