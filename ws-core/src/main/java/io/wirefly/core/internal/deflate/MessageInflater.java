package io.wirefly.core.internal.deflate;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses permessage-deflate messages (RFC 7692 §7.2.2) as their frames arrive, without holding the
 * message: compressed chunks go in through {@link #inflate}, decompressed pieces come out through a
 * {@link Sink}, and {@link #finish} appends the {@code 00 00 FF FF} tail that the sender removed.
 *
 * <p>The decompressed size of each message is capped at {@code maxMessageSize}: a "zip bomb" fails with
 * {@link CloseCode#MESSAGE_TOO_BIG} as soon as one byte more than the cap would come out, and the sink never
 * receives more than the cap.
 *
 * <p>Memory: decompressed bytes pass through the calling thread's 8 KiB scratch array. With context takeover the
 * decompressor (about 40 KiB of native memory once its window is used) is this connection's own until
 * {@link #close()}. Without it, the decompressor is taken from the thread's {@code ZlibCache} when a message starts
 * and given back when it ends: between messages this object holds no native memory.
 *
 * <p>Not thread-safe: one connection's thread uses it.
 *
 * <pre>{@code
 * MessageInflater inflater = new MessageInflater(params.clientNoContextTakeover(), config.maxMessageSize());
 * inflater.inflate(framePayload, (bytes, off, len) -> assembler.append(bytes, off, len));
 * inflater.finish((bytes, off, len) -> assembler.append(bytes, off, len));   // at the final frame
 * }</pre>
 */
public final class MessageInflater implements AutoCloseable {

    /**
     * Receives decompressed bytes.
     *
     * <pre>{@code
     * MessageInflater.Sink sink = (bytes, offset, length) -> out.write(bytes, offset, length);
     * }</pre>
     */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param bytes holds the next decompressed piece; reused after the call, so copy what you keep
         * @param offset index of the first byte of the piece
         * @param length number of bytes in the piece, at least 1
         */
        void accept(byte[] bytes, int offset, int length);
    }

    /** RFC 7692 §7.2.2: the receiver appends 00 00 FF FF to the payload of a message before inflating it. */
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    /** The decompressor: this connection's own (context takeover), or the thread's while a message arrives. */
    private Inflater inflater;
    private final boolean noContextTakeover;
    private final int maxMessageSize;
    /** Decompressed bytes of the current message so far, never above maxMessageSize. */
    private long produced;

    /**
     * @param noContextTakeover the peer resets its compressor after every message, so we reset ours
     * @param maxMessageSize the largest decompressed message, in bytes
     * @throws IllegalArgumentException if maxMessageSize is not positive
     */
    public MessageInflater(boolean noContextTakeover, int maxMessageSize) {
        if (maxMessageSize <= 0) {
            throw new IllegalArgumentException("maxMessageSize must be > 0, was " + maxMessageSize);
        }
        this.noContextTakeover = noContextTakeover;
        this.maxMessageSize = maxMessageSize;
        if (!noContextTakeover) {
            this.inflater = new Inflater(true);
        }
    }

    /** @return the decompressor for the current message, taken from the thread's cache when it starts */
    private Inflater inflater() {
        Inflater i = inflater;
        if (i == null) {
            i = inflater = ZlibCache.get().takeInflater();
        }
        return i;
    }

    /** @return whether this object holds a decompressor now: always with context takeover, else mid-message */
    public boolean holdsDecompressor() {
        return inflater != null;
    }

    /**
     * Decompresses one chunk of the current message.
     *
     * @param chunk compressed bytes [position, limit); consumed fully (position == limit on return, also when
     *     an exception is thrown) and not referenced after the call
     * @param sink receives the decompressed bytes, in order, before this method returns
     * @throws ProtocolException {@link CloseCode#MESSAGE_TOO_BIG} when the message would decompress to more than
     *     maxMessageSize bytes, {@link CloseCode#INVALID_PAYLOAD} when the data is not valid DEFLATE; the
     *     inflater is unusable afterwards (the connection fails)
     */
    public void inflate(ByteBuffer chunk, Sink sink) {
        inflate(chunk, sink, Long.MAX_VALUE);
    }

    /**
     * Decompresses one chunk of the current message, or the first part of it: once {@code maxOutput} bytes came
     * out, it stops, and the chunk's position marks the first compressed byte not consumed yet (output the
     * decompressor still holds comes out first at the next call). A caller that serves many connections on one
     * thread bounds the work of one call this way: one 64 KiB read of a "zip bomb" can inflate to megabytes.
     *
     * @param chunk compressed bytes [position, limit); not referenced after the call
     * @param sink receives the decompressed bytes, in order, before this method returns
     * @param maxOutput stop once this many bytes came out in this call (a soft bound: up to 8 KiB more)
     * @return true if it stopped on {@code maxOutput}: call again with the rest of the chunk (possibly empty)
     * @throws ProtocolException as {@link #inflate(ByteBuffer, Sink)}
     */
    public boolean inflate(ByteBuffer chunk, Sink sink, long maxOutput) {
        boolean stopped = false;
        Inflater inflater = inflater();
        try {
            inflater.setInput(chunk);
            stopped = drain(sink, maxOutput);
        } finally {
            // The inflater moves the chunk's position as it consumes; without a stop, everything counts as taken.
            if (!stopped) {
                chunk.position(chunk.limit());
            }
            inflater.setInput(TAIL, 0, 0);
        }
        return stopped;
    }

    /**
     * Ends the current message: inflates the {@code 00 00 FF FF} tail (RFC 7692 §7.2.2), passes the last bytes
     * to the sink, and starts counting the next message from zero. Resets the decompressor when the peer does
     * not take over context, or when the message ended the DEFLATE stream with a final block (RFC 7692 §7.2.3.4).
     *
     * @param sink receives the last decompressed bytes of the message
     * @throws ProtocolException as {@link #inflate}
     */
    public void finish(Sink sink) {
        Inflater inflater = inflater();
        if (!inflater.finished()) {
            inflater.setInput(TAIL);
            drain(sink, Long.MAX_VALUE);
        }
        boolean streamEnded = inflater.finished();
        produced = 0;
        inflater.setInput(TAIL, 0, 0);
        if (noContextTakeover) {
            this.inflater = null;
            ZlibCache.get().giveBack(inflater);   // reset there
        } else if (streamEnded) {
            inflater.reset();
        }
    }

    /**
     * Inflates until the input is used up (or the stream ended with a final block), honouring the cap.
     *
     * @return true if it stopped because {@code maxOutput} bytes came out
     */
    private boolean drain(Sink sink, long maxOutput) {
        Inflater inflater = this.inflater;
        // The sink copies each piece before the next inflate writes over it, so one array per thread serves all.
        byte[] scratch = ZlibCache.get().scratch;
        long out = 0;
        try {
            while (!inflater.finished()) {
                if (out >= maxOutput) {
                    return true;
                }
                // Ask for at most one byte beyond the cap: that byte proves the message is too big.
                int want = (int) Math.min(scratch.length, maxMessageSize - produced + 1);
                int n = inflater.inflate(scratch, 0, want);
                if (n == 0) {
                    if (inflater.needsInput()) {
                        return false;
                    }
                    if (inflater.finished()) {
                        return false;
                    }
                    // a raw stream never asks for a dictionary; treat any other stall as corrupt data
                    throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "invalid deflate data");
                }
                if (produced + n > maxMessageSize) {
                    throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                            "decompressed message exceeds maxMessageSize (" + maxMessageSize + " bytes)");
                }
                produced += n;
                out += n;
                sink.accept(scratch, 0, n);
            }
            // RFC 7692 §7.2.3.4: a final block ended the stream; bytes after it (the tail) are ignored.
            return false;
        } catch (DataFormatException e) {
            throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "invalid deflate data");
        }
    }

    /**
     * Releases the decompressor: this connection's own is ended ({@link Inflater#end()}) and later calls fail; a
     * borrowed one, held because a message was cut short, goes back to the thread's cache.
     */
    @Override
    public void close() {
        Inflater i = inflater;
        if (i == null) {
            return;
        }
        if (noContextTakeover) {
            inflater = null;
            ZlibCache.get().giveBack(i);
        } else {
            i.end();
        }
    }
}
