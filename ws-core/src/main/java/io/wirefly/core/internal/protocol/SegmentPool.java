package io.wirefly.core.internal.protocol;

import java.util.ArrayDeque;

/**
 * Spare {@value MessageAssembler#SEGMENT}-byte arrays for the {@link MessageAssembler}s of one thread's connections
 * (an event loop's): a large message gives its segments back when it is taken or dropped, and the next one reuses
 * them. Without it, every large message, and every "zip bomb" stopped at maxMessageSize, would leave up to
 * maxMessageSize of garbage, and on a small heap the young collections that follow pause every connection. Holds
 * at most {@code max} segments; not thread-safe (one thread uses it). Its owner calls {@link #trim} now and then
 * (an event loop every few seconds), which lets go of the spares that nothing needed since the call before, so a
 * burst's segments do not stay on the heap for good once traffic is quiet.
 *
 * <pre>{@code
 * SegmentPool pool = new SegmentPool(64);   // up to 4 MiB of spares
 * Protocol p = new Protocol(role, config, deflate, keys, listener, budget, pool);
 * }</pre>
 */
public final class SegmentPool {
    /** A pool that keeps nothing (every segment is allocated). */
    public static final SegmentPool NONE = new SegmentPool(0);

    private final ArrayDeque<byte[]> spares = new ArrayDeque<>();
    private final int max;
    /** The fewest spares held since the last {@link #trim}: that many were never needed in that time. */
    private int idleSinceTrim;

    /** @param max the most segments kept */
    public SegmentPool(int max) {
        this.max = max;
    }

    /** @return a segment, a spare if there is one (its old bytes are still in it) */
    byte[] take() {
        byte[] s = spares.pollFirst();
        idleSinceTrim = Math.min(idleSinceTrim, spares.size());
        return s != null ? s : new byte[MessageAssembler.SEGMENT];
    }

    /** @param segment a {@value MessageAssembler#SEGMENT}-byte array nobody else refers to any more */
    void give(byte[] segment) {
        if (segment.length == MessageAssembler.SEGMENT && spares.size() < max) {
            spares.addFirst(segment);
        }
    }

    /**
     * Lets go of as many spares as stayed unused since the last call (the coldest ones), so that a pool filled by a
     * burst empties over two calls of quiet, while one that steady traffic draws on keeps what that traffic uses.
     *
     * @return how many spares were let go
     */
    public int trim() {
        int drop = Math.min(idleSinceTrim, spares.size());
        for (int i = 0; i < drop; i++) {
            spares.pollLast();
        }
        idleSinceTrim = spares.size();
        return drop;
    }

    /** @return the spares held */
    public int spares() {
        return spares.size();
    }
}
