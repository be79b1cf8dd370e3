package io.wirefly.core.internal.protocol;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Collects the payload of one message, across frames, up to a size limit. Its array grows with the bytes that
 * actually arrive (doubling, capped at the limit), never with the length a frame header announces: a peer that
 * announces 1 MiB and sends one byte costs a few hundred bytes here. Every growth is reserved from an
 * {@link InboundBudget} first. It holds memory only while a message is being assembled: {@link #take()} and
 * {@link #reset()} release the array and the reservation, so an idle connection costs nothing here.
 *
 * <pre>{@code
 * MessageAssembler assembler = new MessageAssembler(1 << 20, InboundBudget.UNLIMITED);
 * assembler.append(payloadChunk);          // ProtocolException 1009 beyond the limit or the budget
 * ByteBuffer message = assembler.take();   // owned by the caller; the assembler is empty again
 * }</pre>
 */
final class MessageAssembler implements io.wirefly.core.internal.deflate.MessageInflater.Sink {
    private static final byte[] EMPTY = new byte[0];
    private static final int MIN_CAPACITY = 256;

    private final int maxSize;
    private final InboundBudget budget;
    private byte[] bytes = EMPTY;
    private int size;

    /**
     * @param maxSize the largest message, in bytes; one byte more is a 1009
     * @param budget where growth is reserved
     */
    MessageAssembler(int maxSize, InboundBudget budget) {
        this.maxSize = maxSize;
        this.budget = budget;
    }

    /** @return the number of bytes collected so far */
    int size() {
        return size;
    }

    /** @return the bytes of memory held (the array's capacity) */
    int capacity() {
        return bytes.length;
    }

    /** @return the collected bytes in {@code [0, size())}; valid until the next call that changes the assembler */
    byte[] array() {
        return bytes;
    }

    /**
     * Appends the bytes between the buffer's position and limit and moves its position to the limit.
     *
     * @param chunk the bytes to append
     * @throws ProtocolException 1009 if the message would exceed the limit or the budget refuses more memory
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
        reset();
        return message;
    }

    /** Drops what was collected and releases the memory and its reservation. */
    void reset() {
        if (bytes.length > 0) {
            budget.release(bytes.length);
        }
        bytes = EMPTY;
        size = 0;
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > maxSize) {
            throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                    "message exceeds maxMessageSize (" + maxSize + " bytes)");
        }
        if (needed > bytes.length) {
            int grown = (int) Math.min(maxSize, Math.max(needed, Math.max(MIN_CAPACITY, (long) bytes.length * 2)));
            if (!budget.reserve(grown - bytes.length)) {
                throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                        "message of " + needed + " bytes so far does not fit in the inbound buffer budget ("
                                + budget.limit() + " bytes for all connections)");
            }
            bytes = Arrays.copyOf(bytes, grown);
        }
    }
}
