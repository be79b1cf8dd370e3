package io.wirefly.server.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What every connection of a server has queued for its peer, summed, against one server-wide limit. Each
 * {@link Session} reports its queue at the end of a unit of work; when the sum is over the limit, every connection
 * whose peer has not taken what it already has stops reading (so its handler produces no more), while connections
 * whose queues are empty read on. Per-connection limits alone would let a thousand slow readers each keep up to the
 * high-water mark.
 *
 * <p>Pausing comes one message late: a connection whose queue was empty reads, its handler answers, and only then
 * is the answer found stuck. Many peers that stop reading at once would each leave one message past the limit
 * (300 peers echoed 256 KiB messages ran a {@code -Xmx64m} server out of heap). So the sum has a ceiling too, a
 * quarter above the limit: a report that takes it past the ceiling closes the connections whose peers have taken
 * nothing for longest (at least {@link #STALLED_NANOS}), until the sum is back at the limit, or, when no peer has
 * stalled that long, the connection reporting. They are closed at once, without a close frame (it would wait behind
 * what the peer does not take), and their queues dropped. Connections are ordered by when their peer last took
 * bytes, so one that reads slowly but steadily goes after one that stopped.
 *
 * <pre>{@code
 * OutboundTotal total = new OutboundTotal(16 << 20);
 * boolean closeNow = total.report(session, 0, 4096, false);   // its queue went from 0 to 4096 bytes
 * boolean crowded = total.exceeded();
 * }</pre>
 */
public final class OutboundTotal {
    /** No server-wide limit (a client's connections). */
    public static final OutboundTotal UNLIMITED = new OutboundTotal(Long.MAX_VALUE);
    /** How long a peer must have taken nothing before its queue can be dropped for room. */
    static final long STALLED_NANOS = 1_000_000_000L;

    private final long limit;
    private final long ceiling;
    private final LongSupplier clock;
    private final AtomicLong total = new AtomicLong();
    /**
     * The sessions with bytes queued, in the order their peers last took bytes (a session moves to the end when its
     * peer does, or when its queue starts); guarded by this.
     */
    private final LinkedHashMap<Session, Holder> holders = new LinkedHashMap<>();
    /** Bytes of holders already told to close, still counted in {@link #total} until they close; guarded by this. */
    private long condemned;

    /** @param limit the most bytes (frame overhead included) all connections may queue before reads pause */
    public OutboundTotal(long limit) {
        this(limit, System::nanoTime);
    }

    OutboundTotal(long limit, LongSupplier clock) {
        this.limit = limit;
        this.ceiling = limit == Long.MAX_VALUE ? limit : limit + limit / 4;
        this.clock = clock;
    }

    /** One session's standing in the total. */
    private static final class Holder {
        long bytes;
        /** When its peer last took bytes, or its queue last went from empty to not. */
        long progressed;
        boolean condemned;
    }

    /**
     * Reports a session's queue. Called on the session's loop, only when the size changed.
     *
     * @param session the session
     * @param before its queue at its last report, in accounted bytes
     * @param now its queue now (0 once it is closed)
     * @param peerTook whether its peer took bytes since the last report
     * @return true if the session must close at once to keep the total within its ceiling
     */
    boolean report(Session session, long before, long now, boolean peerTook) {
        if (limit == Long.MAX_VALUE) {
            return false;
        }
        long sum = total.addAndGet(now - before);
        List<Session> stalled;
        boolean closeSelf;
        synchronized (this) {
            Holder h = before == 0 ? null : holders.get(session);
            if (now == 0) {
                if (h != null) {
                    holders.remove(session);
                    if (h.condemned) {
                        condemned -= h.bytes;
                    }
                }
                return false;
            }
            long time = clock.getAsLong();
            if (h == null) {
                h = new Holder();
                h.progressed = time;
                holders.put(session, h);
            } else if (peerTook) {
                h.progressed = time;   // to the end of the order
                holders.remove(session);
                holders.put(session, h);
            }
            if (h.condemned) {
                condemned += now - h.bytes;
            }
            h.bytes = now;
            if (h.condemned || sum - condemned <= ceiling) {
                return false;
            }
            stalled = condemnStalled(time, sum);
            closeSelf = sum - condemned > ceiling;
            if (closeSelf) {
                h.condemned = true;
                condemned += h.bytes;
            }
        }
        for (Session s : stalled) {
            s.stalledOut();
        }
        return closeSelf;
    }

    /**
     * Condemns holders whose peers have taken nothing for {@link #STALLED_NANOS}, least recently progressed first,
     * until the total, less what is condemned, is back at the limit.
     *
     * @return the sessions to tell
     */
    private List<Session> condemnStalled(long time, long sum) {
        List<Session> out = null;
        for (Map.Entry<Session, Holder> e : holders.entrySet()) {
            Holder h = e.getValue();
            if (sum - condemned <= limit || time - h.progressed < STALLED_NANOS) {
                break;   // in order of progress: the rest progressed more recently still
            }
            if (!h.condemned) {
                h.condemned = true;
                condemned += h.bytes;
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(e.getKey());
            }
        }
        return out == null ? List.of() : out;
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
