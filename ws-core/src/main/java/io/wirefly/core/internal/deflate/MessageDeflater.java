package io.wirefly.core.internal.deflate;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.Deflater;

/**
 * Compresses whole messages for permessage-deflate (RFC 7692 §7.2.1): raw DEFLATE, flushed with a sync flush, with
 * the trailing {@code 00 00 FF FF} removed. With context takeover the LZ77 window carries over from one message to
 * the next; without it the compressor is reset after every message. Not thread-safe.
 *
 * <pre>{@code
 * try (MessageDeflater deflater = new MessageDeflater(6, false)) {
 *     ByteBuffer payload = deflater.compress(ByteBuffer.wrap("Hello".getBytes(UTF_8)));   // f2 48 cd c9 c9 07 00
 * }
 * }</pre>
 */
public final class MessageDeflater implements AutoCloseable {
    private static final int TAIL = 4;

    private final Deflater deflater;
    private final boolean noContextTakeover;
    private byte[] out = new byte[256];

    /**
     * @param level the compression level, 0..9
     * @param noContextTakeover whether to reset the compressor after every message
     */
    public MessageDeflater(int level, boolean noContextTakeover) {
        this.deflater = new Deflater(level, true);
        this.noContextTakeover = noContextTakeover;
    }

    /**
     * Compresses one message.
     *
     * @param message the bytes between position and limit; its position is not changed
     * @return the compressed payload, in a new buffer ready to read
     */
    public ByteBuffer compress(ByteBuffer message) {
        deflater.setInput(message.duplicate());
        int n = 0;
        while (true) {
            if (out.length - n < 64) {
                out = Arrays.copyOf(out, out.length * 2);
            }
            int written = deflater.deflate(out, n, out.length - n, Deflater.SYNC_FLUSH);
            n += written;
            // A sync flush is complete when the compressor stops filling the space it was given.
            if (n < out.length && deflater.needsInput()) {
                break;
            }
        }
        if (noContextTakeover) {
            deflater.reset();
        }
        // RFC 7692 §7.2.1: remove the 4 octets 0x00 0x00 0xff 0xff from the tail end.
        if (n >= TAIL && out[n - 4] == 0 && out[n - 3] == 0 && out[n - 2] == (byte) 0xFF && out[n - 1] == (byte) 0xFF) {
            n -= TAIL;
        }
        if (n == 0) {
            // §7.2.3.6: an empty message is sent as a single 0x00 (an empty stored block without BFINAL).
            return ByteBuffer.wrap(new byte[] {0});
        }
        ByteBuffer result = ByteBuffer.wrap(Arrays.copyOf(out, n));
        if (out.length > 64 * 1024) {
            out = new byte[256];   // do not keep a large buffer per idle connection
        }
        return result;
    }

    /** Releases the native compressor. */
    @Override
    public void close() {
        deflater.end();
    }
}
