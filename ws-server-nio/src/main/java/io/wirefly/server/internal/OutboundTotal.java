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
 * (300 peers echoed 256 KiB messages ran a {@code -Xmx64m} server out of heap). So the memory the queues hold of
 * their own (a broadcast frame, one buffer for every subscriber, does not count) has a ceiling, a quarter above the
 * limit. A report that takes it past the ceiling closes the connections whose peers have taken nothing for
 * {@link #STALLED_NANOS} or more, least recently progressed first (a peer that reads slowly but steadily goes after
 * one that stopped), until the sum is back at the limit. If that is not enough (a burst of peers that all stopped
 * less than a second ago), the connection reporting is closed too, at once, unless its peer has shown that it reads
 * (it took everything queued for it before): then the closing goes on in the same order, whatever their age, until
 * the sum is under the ceiling, the reporter going only in its turn, so that a peer that reads is not cut for others
 * that just stopped. Those others close on their own loops, soon but not at once: so that a storm of such reports
 * cannot pile up memory meanwhile, once what is condemned and not freed yet would pass half the limit, the reporter
 * is closed instead. Memory therefore stays under the ceiling plus half the limit, and a burst of peers that never
 * read (their first answer stuck) costs what it did before: each closed as it reports.
 * They are closed without a close frame (it would wait behind what the peer does not take), and their queues
 * dropped.
 *
 * <pre>{@code
 * OutboundTotal total = new OutboundTotal(16 << 20);
 * boolean closeNow = total.report(session, 0, 4096, 4096, false, false);   // its queue went from 0 to 4096 bytes
 * boolean crowded = total.exceeded();
 * }</pre>
 */
public final class OutboundTotal {
    /** No server-wide limit (a client's connections). */
    public static final OutboundTotal UNLIMITED = new OutboundTotal(Long.MAX_VALUE);
    /** How long a peer must have taken nothing before its queue can be dropped for room. */
    static final long STALLED_NANOS = 1_000_000_000L;

    private final long limit;
    /** Past this, stalled peers are closed, then the connection reporting, or others if its peer reads. */
    private final long ceiling;
    private final LongSupplier clock;
    /** Everything queued, shared broadcast frames counted in each queue: what pausing looks at. */
    private final AtomicLong total = new AtomicLong();
    /**
     * The sessions with bytes queued, in the order their peers last took bytes (a session moves to the end when its
     * peer does, or when its queue starts); guarded by this.
     */
    private final LinkedHashMap<Session, Holder> holders = new LinkedHashMap<>();
    /** The sum of the holders' own bytes; guarded by this. */
    private long own;
    /** Own bytes of holders already told to close, still counted in {@link #own} until they do; guarded by this. */
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

    /** One session's standing. */
    private static final class Holder {
        /** Its own bytes, as last reported. */
        long bytes;
        /** When its peer last took bytes, or its queue last went from empty to not. */
        long progressed;
        boolean condemned;
    }

    /**
     * Reports a session's queue. Called on the session's loop, only when its size changed.
     *
     * @param session the session
     * @param before its queue at its last report, in accounted bytes
     * @param now its queue now (0 once it is closed)
     * @param ownNow what of {@code now} no other queue shares (0 when {@code now} is)
     * @param peerTook whether its peer took bytes since the last report
     * @param reads whether its peer has taken everything queued for it before: it reads
     * @return true if the session must close at once to keep the queues within the ceiling
     */
    boolean report(Session session, long before, long now, long ownNow, boolean peerTook, boolean reads) {
        if (limit == Long.MAX_VALUE) {
            return false;
        }
        total.addAndGet(now - before);
        List<Session> stalled;
        boolean closeSelf;
        synchronized (this) {
            Holder h = before == 0 ? null : holders.get(session);
            if (now == 0) {
                if (h != null) {
                    holders.remove(session);
                    own -= h.bytes;
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
            own += ownNow - h.bytes;
            if (h.condemned) {
                condemned += ownNow - h.bytes;
            }
            h.bytes = ownNow;
            if (h.condemned || own - condemned <= ceiling) {
                return false;
            }
            stalled = condemn(session, time, limit, STALLED_NANOS, null);
            long excess = own - condemned - ceiling;
            if (excess > 0) {
                if (reads && condemned + excess <= limit / 2) {
                    // Its peer reads: those that progressed least recently go, whatever their age, it in its turn.
                    stalled = condemn(session, time, ceiling, 0, stalled);
                } else {
                    h.condemned = true;
                    condemned += h.bytes;
                }
            }
            closeSelf = h.condemned;
        }
        if (stalled != null) {
            for (Session s : stalled) {
                s.stalledOut();
            }
        }
        return closeSelf;
    }

    /**
     * Condemns holders with bytes of their own, least recently progressed first, until the sum, less what is
     * condemned, is back at {@code target}, or the next holder's peer took bytes less than {@code minStalled} ago.
     *
     * @param reporter the session reporting: not added to the list (its report closes it), only condemned
     * @param out the sessions to tell so far, or null
     * @return the sessions to tell, or null if none
     */
    private List<Session> condemn(Session reporter, long time, long target, long minStalled, List<Session> out) {
        for (Map.Entry<Session, Holder> e : holders.entrySet()) {
            Holder h = e.getValue();
            if (own - condemned <= target || time - h.progressed < minStalled) {
                break;   // in order of progress: the rest progressed more recently still
            }
            if (!h.condemned && h.bytes > 0) {   // (a queue of broadcast frames only: closing it frees nothing)
                h.condemned = true;
                condemned += h.bytes;
                if (e.getKey() != reporter) {
                    if (out == null) {
                        out = new ArrayList<>();
                    }
                    out.add(e.getKey());
                }
            }
        }
        return out;
    }

    /** @return true if the connections together queue more than the limit */
    boolean exceeded() {
        return limit != Long.MAX_VALUE && total.get() > limit;
    }

    /** @return the bytes queued now, over all connections */
    long total() {
        return total.get();
    }

    /** @return what the queues hold of their own now, over all connections (broadcast frames not counted) */
    synchronized long own() {
        return own;
    }
}
