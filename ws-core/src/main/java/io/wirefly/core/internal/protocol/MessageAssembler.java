package io.wirefly.core.internal.protocol;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Collects the payload of one message, across frames, up to a size limit. It holds memory only while a message
 * is being assembled: {@link #take()} and {@link #reset()} release the array, so an idle connection costs
 * nothing here.
 *
 * <pre>{@code
 * MessageAssembler assembler = new MessageAssembler(1 << 20);
 * assembler.expect(frameLength);
 * assembler.append(payloadChunk);          // ProtocolException 1009 beyond the limit
 * ByteBuffer message = assembler.take();   // owned by the caller; the assembler is empty again
 * }</pre>
 */
final class MessageAssembler implements io.wirefly.core.internal.deflate.MessageInflater.Sink {
    private static final byte[] EMPTY = new byte[0];
    private static final int MIN_CAPACITY = 256;

    private final int maxSize;
    private byte[] bytes = EMPTY;
    private int size;

    /** @param maxSize the largest message, in bytes; one byte more is a 1009 */
    MessageAssembler(int maxSize) {
        this.maxSize = maxSize;
    }

    /** @return the number of bytes collected so far */
    int size() {
        return size;
    }

    /** @return the collected bytes in {@code [0, size())}; valid until the next call that changes the assembler */
    byte[] array() {
        return bytes;
    }

    /**
     * Makes room for {@code more} bytes at once, so a frame of known length is copied without regrowth.
     *
     * @param more bytes expected next
     * @throws ProtocolException 1009 if the message would exceed the limit
     */
    void expect(long more) {
        ensure(more);
    }

    /**
     * Appends the bytes between the buffer's position and limit and moves its position to the limit.
     *
     * @param chunk the bytes to append
     * @throws ProtocolException 1009 if the message would exceed the limit
     */
    void append(ByteBuffer chunk) {
        int n = chunk.remaining();
        ensure(n);
        chunk.get(bytes, size, n);
        size += n;
    }

    @Override
    public void accept(byte[] src, int offset, int length) {
        ensure(length);
        System.arraycopy(src, offset, bytes, size, length);
        size += length;
    }

    /** @return the message, in a buffer the caller owns; the assembler is empty afterwards */
    ByteBuffer take() {
        ByteBuffer message = ByteBuffer.wrap(bytes, 0, size).slice();
        bytes = EMPTY;
        size = 0;
        return message;
    }

    /** Drops what was collected and releases the memory. */
    void reset() {
        bytes = EMPTY;
        size = 0;
    }

    private void ensure(long more) {
        long needed = size + more;
        if (needed > maxSize) {
            throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                    "message exceeds maxMessageSize (" + maxSize + " bytes)");
        }
        if (needed > bytes.length) {
            long grown = Math.max(needed, Math.max(MIN_CAPACITY, (long) bytes.length * 2));
            bytes = Arrays.copyOf(bytes, (int) Math.min(grown, maxSize));
        }
    }
}
