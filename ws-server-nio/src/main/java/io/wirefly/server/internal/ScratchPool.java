package io.wirefly.server.internal;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A loop's spare heap buffers for TLS records and for input kept past a turn. A {@link TlsWire} holds its three
 * buffers only while bytes are in them (so an idle connection holds none); without a pool, every record read or
 * written would allocate and zero about 16 KiB anew. A {@link Session} keeps what a read brought beyond its turn's
 * share of frames in one until it is decoded (a flood of tiny frames would otherwise cost an array per read). The
 * connections of one loop run one at a time and give their buffers back as soon as they are empty, so a handful of
 * spares serves all of them. Loop-confined; holds at most {@link #MAX_SPARES} buffers of at most
 * {@link #MAX_CAPACITY} bytes, so its memory is bounded whatever the traffic, and its loop {@link #trim}s it every few
 * seconds, so spares that nothing needs go back to the heap.
 *
 * <pre>{@code
 * ByteBuffer b = pool.take(packetSize);   // cleared, capacity >= packetSize
 * ...
 * pool.give(b);                           // when it holds nothing any more
 * }</pre>
 */
final class ScratchPool {
    /** The most spares kept. */
    static final int MAX_SPARES = 6;
    /** Larger buffers (a grown record buffer) are not kept. */
    static final int MAX_CAPACITY = 128 * 1024;
    /** A pool that keeps nothing: every {@link #take} allocates (for schedulers that are not event loops). */
    static final ScratchPool NONE = new ScratchPool(0);

    private final ArrayDeque<ByteBuffer> spares = new ArrayDeque<>();
    private final int maxSpares;
    /** The fewest spares held since the last {@link #trim}: that many were never needed in that time. */
    private int idleSinceTrim;

    /** A pool of {@link #MAX_SPARES} spares. */
    ScratchPool() {
        this(MAX_SPARES);
    }

    private ScratchPool(int maxSpares) {
        this.maxSpares = maxSpares;
    }

    /**
     * @param capacity the least capacity needed
     * @return a cleared heap buffer of at least that capacity, a spare if one is big enough
     */
    ByteBuffer take(int capacity) {
        idleSinceTrim = Math.min(idleSinceTrim, spares.size() - 1);
        for (int i = spares.size(); i > 0; i--) {
            ByteBuffer b = spares.pollFirst();
            if (b.capacity() >= capacity) {
                return b.clear();
            }
            spares.addLast(b);
        }
        return ByteBuffer.allocate(capacity);
    }

    /**
     * Keeps {@code b} for a later {@link #take}, if there is room. The caller holds no reference to it afterwards.
     *
     * @param b a buffer that was taken from this pool or allocated by its user; its content is discarded
     */
    void give(ByteBuffer b) {
        if (spares.size() < maxSpares && b.capacity() <= MAX_CAPACITY && !b.isDirect() && !b.isReadOnly()) {
            spares.addFirst(b);
        }
    }

    /**
     * Lets go of as many spares as stayed unused since the last call (the coldest ones).
     *
     * @return how many spares were let go
     */
    int trim() {
        int drop = Math.max(0, Math.min(idleSinceTrim, spares.size()));
        for (int i = 0; i < drop; i++) {
            spares.pollLast();
        }
        idleSinceTrim = spares.size();
        return drop;
    }

    /** @return the number of spares held */
    int spares() {
        return spares.size();
    }
}
