package io.wirefly.core.internal.deflate;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Decompresses permessage-deflate messages (RFC 7692 §7.2.2) as their frames arrive, handing the output on in
 * pieces and stopping at the message size limit, so a decompression bomb ends in 1009 without ever allocating past
 * the limit. Not thread-safe.
 *
 * <pre>{@code
 * MessageInflater inflater = new MessageInflater(false, 1 << 20);
 * inflater.inflate(framePayload, (bytes, off, len) -> out.write(bytes, off, len));
 * inflater.finish((bytes, off, len) -> out.write(bytes, off, len));   // at the end of the message
 * }</pre>
 */
public final class MessageInflater implements AutoCloseable {
    private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

    /** Receives decompressed bytes; the array is reused after the call returns. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param bytes the buffer holding the output
         * @param offset where the output starts
         * @param length how many bytes
         */
        void accept(byte[] bytes, int offset, int length);
    }

    private final Inflater inflater = new Inflater(true);
    private final boolean noContextTakeover;
    private final int maxMessageSize;
    private final byte[] out = new byte[8192];
    private long produced;

    /**
     * @param noContextTakeover whether the peer resets its compressor after every message
     * @param maxMessageSize the largest decompressed message, in bytes
     */
    public MessageInflater(boolean noContextTakeover, int maxMessageSize) {
        this.noContextTakeover = noContextTakeover;
        this.maxMessageSize = maxMessageSize;
    }

    /**
     * Decompresses one piece of a message's payload; consumes all of it.
     *
     * @param chunk compressed bytes between position and limit
     * @param sink receives the output
     * @throws ProtocolException 1009 once the message passes the size limit, 1007 for corrupt data
     */
    public void inflate(ByteBuffer chunk, Sink sink) {
        inflater.setInput(chunk);
        drain(sink);
        chunk.position(chunk.limit());
    }

    /**
     * The message ended: appends {@code 00 00 FF FF} (§7.2.2), drains the output and gets ready for the next
     * message.
     *
     * @param sink receives the rest of the output
     * @throws ProtocolException 1009 or 1007 as for {@link #inflate}
     */
    public void finish(Sink sink) {
        inflater.setInput(TAIL);
        drain(sink);
        produced = 0;
        if (noContextTakeover) {
            inflater.reset();
        }
    }

    private void drain(Sink sink) {
        try {
            while (true) {
                int n = inflater.inflate(out);
                if (n > 0) {
                    produced += n;
                    if (produced > maxMessageSize) {
                        throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                                "decompressed message exceeds maxMessageSize (" + maxMessageSize + " bytes)");
                    }
                    sink.accept(out, 0, n);
                } else if (inflater.needsInput() || inflater.finished() || inflater.needsDictionary()) {
                    if (inflater.finished()) {
                        // A final block ends the stream; later messages need a fresh stream.
                        inflater.reset();
                    }
                    return;
                }
            }
        } catch (DataFormatException e) {
            throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "invalid compressed data");
        }
    }

    /** Releases the native decompressor. */
    @Override
    public void close() {
        inflater.end();
    }
}
