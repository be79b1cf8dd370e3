package io.wirefly.core.internal.protocol;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the payload of one message, across frames, up to a size limit. Memory grows with the bytes that actually
 * arrive, never with the length a frame header announces: a peer that announces 1 MiB and sends one byte costs a few
 * hundred bytes here. Every growth is reserved from an {@link InboundBudget} first. It holds memory only while a
 * message is being assembled: {@link #take()} and {@link #reset()} release it and the reservation, so an idle
 * connection costs nothing here.
 *
 * <p>Up to {@value #SEGMENT} bytes the message lives in one array that doubles as it grows; beyond that, in a list of
 * {@value #SEGMENT}-byte segments, joined once when the message is complete. So a large message is never copied while
 * it grows, and a message that is failed before its end (a "zip bomb" stopped at maxMessageSize, a peer that is
 * cut) never held an array big enough to be a humongous object for the garbage collector of a small heap. The
 * segments come from a {@link SegmentPool} and go back to it once the message is joined or dropped; what reaches
 * the caller is always a fresh array, so no spare ever carries one message's bytes into another's.
 *
 * <pre>{@code
 * MessageAssembler assembler = new MessageAssembler(1 << 20, InboundBudget.UNLIMITED);
 * assembler.append(payloadChunk);          // ProtocolException 1009 beyond the limit, 1013 without room
 * ByteBuffer message = assembler.take();   // owned by the caller; the assembler is empty again
 * }</pre>
 */
final class MessageAssembler implements io.wirefly.core.internal.deflate.MessageInflater.Sink {
    private static final byte[] EMPTY = new byte[0];
    private static final int MIN_CAPACITY = 256;
    /** The largest array held while a message grows. */
    static final int SEGMENT = 64 * 1024;

    private final int maxSize;
    private final InboundBudget budget;
    private final SegmentPool pool;
    /** The segments before {@link #current}, each full ({@value #SEGMENT} bytes); empty for a small message. */
    private final List<byte[]> full = new ArrayList<>();
    /** The segment being filled. */
    private byte[] current = EMPTY;
    /** Bytes used in {@link #current}. */
    private int used;
    /** Bytes reserved from the budget: the capacity of every array held. */
    private long reserved;
    /** The least the message will hold, as its frames announced it; tells a refusal for now from one for good. */
    private long announced;

    /**
     * @param maxSize the largest message, in bytes; one byte more is a 1009
     * @param budget where growth is reserved
     */
    MessageAssembler(int maxSize, InboundBudget budget) {
        this(maxSize, budget, SegmentPool.NONE);
    }

    /**
     * @param maxSize the largest message, in bytes; one byte more is a 1009
     * @param budget where growth is reserved
     * @param pool where full-size segments come from and go back to
     */
    MessageAssembler(int maxSize, InboundBudget budget, SegmentPool pool) {
        this.maxSize = maxSize;
        this.budget = budget;
        this.pool = pool;
    }

    /** @return the number of bytes collected so far */
    int size() {
        return full.size() * SEGMENT + used;
    }

    /** @return the bytes of memory held (the capacity of the arrays) */
    int capacity() {
        return (int) reserved;
    }

    /**
     * @return the collected bytes in {@code [0, size())}, in one array (joined now if the message spans segments);
     *     valid until the next call that changes the assembler
     */
    byte[] array() {
        join();
        return current;
    }

    /**
     * Appends the bytes between the buffer's position and limit and moves its position to the limit.
     *
     * @param chunk the bytes to append
     * @throws ProtocolException 1009 if the message would exceed the limit; 1013 or 1009 if the budget refuses more
     *     memory ({@link InboundBudget#refusal})
     */
    void append(ByteBuffer chunk) {
        append(chunk, 0);
    }

    /**
     * Appends as {@link #append(ByteBuffer)} does, for a message whose frames so far announce at least
     * {@code announced} bytes in all: if the budget refuses room, a message announced larger than the whole budget
     * is 1009 rather than 1013, even while it has sent only part of it.
     *
     * @param chunk the bytes to append
     * @param announced the least the message will hold, by its frame headers (only a claim: nothing is reserved)
     */
    void append(ByteBuffer chunk, long announced) {
        this.announced = announced;
        checkLimit(chunk.remaining());
        while (chunk.hasRemaining()) {
            int n = Math.min(chunk.remaining(), room(chunk.remaining()));
            chunk.get(current, used, n);
            used += n;
        }
    }

    @Override
    public void accept(byte[] src, int offset, int length) {
        checkLimit(length);
        int end = offset + length;
        while (offset < end) {
            int n = Math.min(end - offset, room(end - offset));
            System.arraycopy(src, offset, current, used, n);
            used += n;
            offset += n;
        }
    }

    /** @return the message, in a buffer the caller owns; the assembler is empty afterwards */
    ByteBuffer take() {
        join();
        ByteBuffer message = ByteBuffer.wrap(current, 0, used).slice();
        current = EMPTY;   // the caller owns that array now: it must not go back to the pool
        reset();
        return message;
    }

    /** Drops what was collected and releases the memory and its reservation. */
    void reset() {
        if (reserved > 0) {
            budget.release(reserved);
        }
        reserved = 0;
        announced = 0;
        for (byte[] segment : full) {
            pool.give(segment);
        }
        full.clear();
        pool.give(current);   // nobody else refers to it (take() let go of it first); kept if it is a whole segment
        current = EMPTY;
        used = 0;
    }

    private void checkLimit(int more) {
        if ((long) size() + more > maxSize) {
            throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                    "message exceeds maxMessageSize (" + maxSize + " bytes)");
        }
    }

    /**
     * @param wanted bytes the caller has to store
     * @return free bytes in {@link #current}, after growing it or starting a new segment if it is full
     */
    private int room(int wanted) {
        if (used < current.length) {
            return current.length - used;
        }
        int size = size();
        if (full.isEmpty() && current.length < SEGMENT) {
            // Still the first array: double it, or straight to what is needed (never beyond the limit or a segment).
            long target = Math.max((long) size + wanted, Math.max(MIN_CAPACITY, (long) current.length * 2));
            int grown = (int) Math.min(Math.min(maxSize, SEGMENT), target);
            reserve(grown - current.length, size);
            // never a pooled array here: a message that ends in this first array is handed out as it is, and a
            // spare would carry another message's old bytes past its limit
            current = Arrays.copyOf(current, grown);
        } else {
            int next = (int) Math.min(SEGMENT, (long) maxSize - size);
            reserve(next, size);
            full.add(current);
            current = next == SEGMENT ? pool.take() : new byte[next];
            used = 0;
        }
        return current.length - used;
    }

    private void reserve(long bytes, int sizeSoFar) {
        if (!budget.reserve(bytes)) {
            throw InboundBudget.refusal(budget, Math.max(reserved + bytes, announced),
                    "a message of " + sizeSoFar + " bytes so far");
        }
        reserved += bytes;
    }

    /** Makes {@link #current} hold the whole message (one copy, only for a message that spans segments). */
    private void join() {
        if (full.isEmpty()) {
            return;
        }
        int size = size();
        byte[] all = new byte[size];
        int at = 0;
        for (byte[] segment : full) {
            System.arraycopy(segment, 0, all, at, SEGMENT);
            at += SEGMENT;
        }
        System.arraycopy(current, 0, all, at, used);
        // The joined array replaces the segments (the two coexist only during this copy, which is not reserved):
        // the reservation follows the memory held, never more than the segments had (the last may not be full).
        for (byte[] segment : full) {
            pool.give(segment);
        }
        pool.give(current);
        full.clear();
        current = all;
        used = size;
        budget.release(reserved - size);
        reserved = size;
    }
}
