package io.wirefly.core.internal.deflate;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Compresses whole messages for permessage-deflate (RFC 7692 §7.2.1): raw DEFLATE, flushed with
 * {@link Deflater#SYNC_FLUSH} at the end of every message, the trailing {@code 00 00 FF FF} removed. With context
 * takeover the LZ77 window carries over from one message to the next; with {@code noContextTakeover} the
 * compressor is reset after every message.
 *
 * <p>The JDK's Deflater always uses a 15-bit (32 KiB) LZ77 window. When the peer limits our window to fewer bits
 * ({@code server_max_window_bits} / {@code client_max_window_bits} below 15, RFC 7692 §7.1.2), this class
 * compresses with {@link Deflater#HUFFMAN_ONLY}: literals only, no back-references, so the output decompresses
 * with any window size. JSON and English text then shrink to about 60 % of their size instead of 20-45 %.
 *
 * <p>Memory: with context takeover the compressor is this connection's own, about 256 KiB of native memory (the
 * window, hash chains and pending output of zlib at memory level 8) until {@link #close()}. Without it there is
 * nothing to keep between messages, so {@link #compress} borrows the calling thread's compressor for the call and
 * this object holds no native memory at all: a server's compressed connections cost one compressor per event loop.
 *
 * <p>Not thread-safe: one connection's thread uses it.
 *
 * <pre>{@code
 * try (MessageDeflater deflater = new MessageDeflater(6, params.serverNoContextTakeover(),
 *         params.serverMaxWindowBits())) {
 *     ByteBuffer payload = deflater.compress(message);   // send with RSV1 set on the first frame
 * }
 * }</pre>
 */
public final class MessageDeflater implements AutoCloseable {
    /** RFC 7692 §7.2.1: the tail that a sync flush always ends with, removed before sending. */
    private static final int TAIL_LENGTH = 4;
    private static final int MIN_OUTPUT = 64;

    private static final byte[] NO_INPUT = new byte[0];

    /** This connection's own compressor (context takeover), or null to borrow the thread's for each message. */
    private final Deflater own;
    private final int level;
    private final boolean huffmanOnly;

    /**
     * A compressor with the full 15-bit window.
     *
     * @param level the DEFLATE level, 0 (store) to 9 (best), or -1 for the JDK default
     * @param noContextTakeover reset the compressor after every message, so each message decompresses alone
     * @throws IllegalArgumentException if the level is out of range
     */
    public MessageDeflater(int level, boolean noContextTakeover) {
        this(level, noContextTakeover, DeflateParams.JDK_WINDOW_BITS);
    }

    /**
     * @param level the DEFLATE level, 0 (store) to 9 (best), or -1 for the JDK default
     * @param noContextTakeover reset the compressor after every message, so each message decompresses alone
     * @param windowBits the largest LZ77 window the peer accepts, 8..15; below 15 the output is Huffman-only
     * @throws IllegalArgumentException if the level or the window is out of range
     */
    public MessageDeflater(int level, boolean noContextTakeover, int windowBits) {
        if (level < -1 || level > 9) {
            throw new IllegalArgumentException("deflate level must be -1..9, was " + level);
        }
        if (windowBits < 8 || windowBits > DeflateParams.JDK_WINDOW_BITS) {
            throw new IllegalArgumentException("deflate window bits must be 8..15, was " + windowBits);
        }
        this.level = level;
        // below 15 bits, no back-references at all: valid whatever window the peer's inflater uses
        this.huffmanOnly = windowBits < DeflateParams.JDK_WINDOW_BITS;
        if (noContextTakeover) {
            this.own = null;
        } else {
            this.own = new Deflater(level, true);
            if (huffmanOnly) {
                own.setStrategy(Deflater.HUFFMAN_ONLY);
            }
        }
    }

    /** @return whether this object holds a compressor of its own (context takeover) */
    boolean holdsCompressor() {
        return own != null;
    }

    /**
     * Compresses one message.
     *
     * @param message the bytes [position, limit); neither its position nor its content is changed, and it is
     *     not referenced after the call
     * @return a new heap buffer, position 0, limit at the end of the compressed bytes, the trailing
     *     {@code 00 00 FF FF} removed (RFC 7692 §7.2.1); an empty message gives a single {@code 00} byte
     * @throws IllegalStateException if this deflater had a compressor of its own and was closed
     */
    public ByteBuffer compress(ByteBuffer message) {
        Deflater deflater = own != null ? own : ZlibCache.get().deflater(level, huffmanOnly);
        // Output grows by doubling: total copying stays linear in the compressed size.
        byte[] out = new byte[Math.max(MIN_OUTPUT, message.remaining() / 2 + 16)];
        int length = 0;
        try {
            deflater.setInput(message.duplicate());
            while (true) {
                int space = out.length - length;
                length += deflater.deflate(out, length, space, Deflater.SYNC_FLUSH);
                // Deflater#deflate: with SYNC_FLUSH, a full output buffer means there may be more to flush
                if (length < out.length && deflater.needsInput()) {
                    break;
                }
                if (length == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
            }
        } finally {
            // Drop the reference to the caller's buffer; without context takeover, start the next message afresh
            // (a borrowed compressor is left that way for its next user).
            deflater.setInput(NO_INPUT);
            if (own == null) {
                deflater.reset();
            }
        }
        if (length == 0) {
            // zlib emits nothing for an empty message right after a flush. An empty payload would leave the
            // receiver's appended tail as half a block, so send the single 00 of RFC 7692 §7.2.3.6: with the
            // receiver's 00 00 FF FF it makes an empty stored block, and the stream stays byte-aligned.
            return ByteBuffer.wrap(new byte[] {0});
        }
        if (!endsWithSyncTail(out, length)) {
            throw new IllegalStateException("sync flush did not end with 00 00 FF FF");
        }
        return ByteBuffer.wrap(out, 0, length - TAIL_LENGTH);
    }

    private static boolean endsWithSyncTail(byte[] out, int length) {
        return length >= TAIL_LENGTH && out[length - 4] == 0 && out[length - 3] == 0
                && out[length - 2] == (byte) 0xFF && out[length - 1] == (byte) 0xFF;
    }

    /**
     * Releases this connection's compressor ({@link Deflater#end()}), if it has one; later calls to
     * {@link #compress} then fail. A borrowing deflater has nothing to release.
     */
    @Override
    public void close() {
        if (own != null) {
            own.end();
        }
    }
}
