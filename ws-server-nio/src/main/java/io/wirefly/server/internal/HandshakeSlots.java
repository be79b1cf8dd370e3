package io.wirefly.server.internal;

import io.wirefly.core.HandshakeException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The server-wide limit on connections whose opening handshake (the TLS one included) is not done yet. Such a
 * connection costs memory before it is anything: its parser holds up to {@code maxHandshakeSize} bytes of head, and
 * a TLS engine stopped after the ClientHello holds about 48 KiB. Without a limit, a few thousand connections that
 * stall there exhaust a small heap (measured: 2,500 TLS handshakes stalled after the ClientHello threw
 * {@code OutOfMemoryError} in every thread of a server with {@code -Xmx64m}).
 *
 * <p>The acceptor takes a slot before it sets a connection up. When every slot is taken it evicts the oldest
 * handshake still in progress (its connection is closed on its own loop) and takes the slot that frees. An honest
 * handshake takes milliseconds, so it is almost never the oldest: connections that stall are pushed out by new
 * ones instead of locking everyone out until their timeout. The slot is given back when the handshake opens the
 * connection or the connection ends. Memory for handshakes is therefore bounded by the slot count whatever the
 * attack; what an attacker can still do is make each stalled connection short-lived.
 *
 * <p>With a per-address limit, a connection from an address (IPv6: from a /64) that already has that many handshakes
 * in progress first pushes out that address's own oldest one. One address flooding stalled handshakes then holds at
 * most its share of the slots and evicts only its own, so an honest handshake from elsewhere that takes longer than the
 * flood's turnover (a slow link, a TLS handshake across the world) is not pushed out by it.
 *
 * <pre>{@code
 * HandshakeSlots slots = new HandshakeSlots(1000, 16);   // at most 16 from one address
 * slots.makeRoomFor(remote.getAddress());
 * if (slots.take(0) || slots.evictOldest() && slots.take(100)) {
 *     HandshakeSlots.Held h = slots.holding(upgrader.newHandshake());   // gives the slot back once, at its end
 *     Session session = new Session(..., h);
 *     h.attach(session, remote.getAddress());
 * }
 * }</pre>
 */
final class HandshakeSlots {
    private final Semaphore free;
    /** The slots: at most this many entries of {@link #order} are handshakes still in progress. */
    private final int max;
    /**
     * Handshakes in the order their connections were accepted; finished ones leave from the head, lazily. Only the
     * acceptor's thread touches the queue; the loops only mark its entries ended (a volatile flag).
     */
    private final ArrayDeque<Held> order = new ArrayDeque<>();
    /** The most handshakes in progress from one address, or 0 for no limit of its own. */
    private final int perAddress;
    /**
     * With a per-address limit: each address's handshakes in the order they were accepted, finished ones dropped
     * when the address connects again or at a sweep. Acceptor's thread only, like {@link #order}.
     */
    private final Map<InetAddress, ArrayDeque<Held>> byAddress;
    /** Attaches since the last sweep of {@link #byAddress}. */
    private int sinceSweep;
    /** Attaches between two sweeps: the entries of finished handshakes are bounded by this plus the slots. */
    static final int SWEEP_EVERY = 256;

    /** @param max the most handshakes in progress at once */
    HandshakeSlots(int max) {
        this(max, 0);
    }

    /**
     * @param max the most handshakes in progress at once
     * @param perAddress the most from one address, or 0 for no limit of its own
     */
    HandshakeSlots(int max, int perAddress) {
        this.free = new Semaphore(max);
        this.max = max;
        this.perAddress = perAddress;
        this.byAddress = perAddress > 0 ? new HashMap<>() : null;
    }

    /**
     * Before a connection from {@code from} takes a slot: if that address already has the per-address limit of
     * handshakes in progress, asks its oldest to end (its slot comes back once its loop has closed it).
     *
     * @param from the new connection's address
     * @return true if one of that address's handshakes was asked to end
     */
    boolean makeRoomFor(InetAddress from) {
        ArrayDeque<Held> mine = byAddress == null ? null : byAddress.get(key(from));
        if (mine == null) {
            return false;
        }
        dropEnded(mine);
        if (mine.size() < perAddress) {
            return false;
        }
        Session oldest = mine.poll().session;   // null if it ended just now: then its slot is free already
        if (oldest != null) {
            oldest.abandonHandshake("the server needed a slot for a new handshake from " + from + ", which had "
                    + perAddress + " in progress (maxHandshakesPerAddress), and this was its oldest");
        }
        return true;
    }

    /**
     * @return what the per-address limit counts by: an IPv4 address itself, an IPv6 address's /64 (one host or
     *     subscriber usually has a whole /64, so counting each of its addresses would be no limit at all)
     */
    static InetAddress key(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (bytes.length != 16) {
            return address;
        }
        java.util.Arrays.fill(bytes, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException impossible) {
            throw new IllegalStateException(impossible);   // 16 bytes are always an IPv6 address
        }
    }

    private static void dropEnded(ArrayDeque<Held> handshakes) {
        for (Iterator<Held> i = handshakes.iterator(); i.hasNext(); ) {
            if (i.next().ended) {
                i.remove();
            }
        }
    }

    /** Forgets the finished handshakes of every address, and the addresses left with none. */
    private void sweep() {
        for (Iterator<ArrayDeque<Held>> i = byAddress.values().iterator(); i.hasNext(); ) {
            ArrayDeque<Held> handshakes = i.next();
            dropEnded(handshakes);
            if (handshakes.isEmpty()) {
                i.remove();
            }
        }
    }

    /** @return the addresses with handshakes remembered; for tests */
    int addressesTracked() {
        return byAddress == null ? 0 : byAddress.size();
    }

    /**
     * @param millis the longest wait for a free slot
     * @return true if the caller now holds a slot
     * @throws InterruptedException if interrupted while waiting
     */
    boolean take(long millis) throws InterruptedException {
        return free.tryAcquire(millis, TimeUnit.MILLISECONDS);
    }

    /** Gives back a slot taken by {@link #take}, for a connection that was never set up. */
    void give() {
        free.release();
    }

    /**
     * Asks the oldest handshake still in progress to end; its slot comes back once its loop has closed it.
     *
     * @return true if there was one to ask
     */
    boolean evictOldest() {
        for (Held h; (h = order.poll()) != null; ) {
            Session oldest = h.session;
            if (!h.ended && oldest != null) {
                oldest.abandonHandshake("the server needed this handshake's slot: every one of them was taken"
                        + " and this was the oldest");
                return true;
            }
        }
        return false;
    }

    /**
     * Drops the finished handshakes at the head of the queue (their connections are long past accept), and, once the
     * queue holds twice as many entries as there are slots, every finished one. A handshake that stalls at the head
     * (a slowloris, up to the handshake timeout) would otherwise keep every later entry queued behind it: 75,000
     * connections a few seconds long behind one stalled handshake filled a {@code -Xmx64m} heap with them.
     */
    private void trim() {
        while (order.peek() != null && order.peek().ended) {
            order.poll();
        }
        if (order.size() >= 2 * max) {
            order.removeIf(h -> h.ended);   // at most max remain: every later sweep is max attaches away
        }
    }

    /** @return the handshakes remembered in accept order, finished ones included; for tests */
    int queued() {
        return order.size();
    }

    /**
     * @param handshake the handshake of a connection that took a slot
     * @return the same handshake, which gives the slot back when it ends (opened or not), exactly once; {@link
     *     Held#attach attach} its session before the session runs
     */
    Held holding(Session.Handshake handshake) {
        return new Held(handshake);
    }

    /** A handshake that holds a slot. */
    final class Held implements Session.Handshake {
        /** The handshake this one stands for; let go of at its end, like {@link #session}. */
        private Session.Handshake handshake;
        /** Read by the acceptor to evict; null once ended, so that a queued entry keeps no connection alive. */
        private volatile Session session;
        private volatile boolean ended;

        private Held(Session.Handshake handshake) {
            this.handshake = handshake;
        }

        /**
         * @param session the session of this handshake; from now on it may be evicted
         * @param from its peer's address, for the per-address limit (ignored without one)
         */
        void attach(Session session, InetAddress from) {
            this.session = session;
            trim();
            order.add(this);
            if (byAddress != null && from != null) {
                byAddress.computeIfAbsent(key(from), a -> new ArrayDeque<>(4)).add(this);
                if (++sinceSweep >= SWEEP_EVERY) {
                    sinceSweep = 0;
                    sweep();
                }
            }
        }

        @Override
        public void onConnected(Session s) {
            handshake.onConnected(s);
        }

        @Override
        public void onBytes(Session s, ByteBuffer in) {
            handshake.onBytes(s, in);
        }

        @Override
        public void onMalformed(Session s, HandshakeException cause) {
            handshake.onMalformed(s, cause);
        }

        @Override
        public void onAborted(Throwable cause) {
            handshake.onAborted(cause);
        }

        /** Gives the slot back and lets go of the handshake and its session (a queued entry is then 32 bytes). */
        @Override
        public void onEnded() {
            Session.Handshake h;
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
                h = handshake;
                handshake = null;
                session = null;
            }
            free.release();
            h.onEnded();
        }

        /** @return true while this entry still refers to its handshake or session (tests) */
        boolean holdsConnection() {
            return handshake != null || session != null;
        }
    }
}
