package io.wirefly.server.internal;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What every connection of a server has queued for its peer, summed, against one server-wide limit. Each
 * {@link Session} reports the change of its own queue at the end of a unit of work; when the sum is over the limit,
 * every connection whose peer has not taken what it already has stops reading (so its handler produces no more),
 * while connections whose queues are empty read on. Per-connection limits alone would let a thousand slow readers
 * each keep up to the high-water mark.
 *
 * <pre>{@code
 * OutboundTotal total = new OutboundTotal(16 << 20);
 * total.add(+4096);
 * boolean crowded = total.exceeded();
 * }</pre>
 */
public final class OutboundTotal {
    /** No server-wide limit (a client's connections). */
    public static final OutboundTotal UNLIMITED = new OutboundTotal(Long.MAX_VALUE);

    private final long limit;
    private final AtomicLong total = new AtomicLong();

    /** @param limit the most bytes (frame overhead included) all connections may queue before reads pause */
    public OutboundTotal(long limit) {
        this.limit = limit;
    }

    /** @param delta the change of one connection's queue, in accounted bytes */
    void add(long delta) {
        if (limit != Long.MAX_VALUE) {
            total.addAndGet(delta);
        }
    }

    /** @return true if the connections together queue more than the limit */
    boolean exceeded() {
        return limit != Long.MAX_VALUE && total.get() > limit;
    }

    /** @return the bytes queued now, over all connections */
    long total() {
        return total.get();
    }
}
