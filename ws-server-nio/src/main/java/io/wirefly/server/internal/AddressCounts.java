package io.wirefly.server.internal;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many connections each peer address holds, for {@code maxConnectionsPerAddress}: an IPv4 address counts by
 * itself, an IPv6 address by its /64 (see {@link HandshakeSlots#key}). The acceptor adds a connection before it
 * reads a byte of it and refuses one past the limit; a connection is removed when its socket is closed. An address
 * with no connection left has no entry. Thread-safe: the acceptor adds, the event loops remove.
 *
 * <pre>{@code
 * AddressCounts counts = new AddressCounts(32);
 * if (counts.tryAdd(peer)) { ... counts.remove(peer); }   // when the connection's socket is closed
 * }</pre>
 */
final class AddressCounts {
    private final int max;
    private final ConcurrentHashMap<InetAddress, Integer> counts = new ConcurrentHashMap<>();

    /** @param max the most connections from one address; positive */
    AddressCounts(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be > 0, was " + max);
        }
        this.max = max;
    }

    /** @return true if {@code address} had fewer than the limit, and now has one more */
    boolean tryAdd(InetAddress address) {
        boolean[] added = new boolean[1];
        counts.compute(HandshakeSlots.key(address), (k, n) -> {
            int held = n == null ? 0 : n;
            if (held >= max) {
                return n;
            }
            added[0] = true;
            return held + 1;
        });
        return added[0];
    }

    /** One connection from {@code address} is gone; it must have been added. */
    void remove(InetAddress address) {
        counts.computeIfPresent(HandshakeSlots.key(address), (k, n) -> n <= 1 ? null : n - 1);
    }

    /** @return the connections {@code address} holds now */
    int count(InetAddress address) {
        return counts.getOrDefault(HandshakeSlots.key(address), 0);
    }

    /** @return how many addresses hold a connection */
    int addresses() {
        return counts.size();
    }

    /** @return the limit */
    int max() {
        return max;
    }
}
