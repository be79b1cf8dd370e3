package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.HandshakeException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of {@link HandshakeSlots} that the ITs cannot see: slots come back exactly once, and the
 * per-address record forgets finished handshakes, so a stream of connections from ever new addresses (a scan, a
 * botnet) does not grow it. Eviction itself is shown against real sockets by {@code HandshakeLimitIT}.
 */
class HandshakeSlotsTest {
    private static final Session.Handshake NOTHING = new Session.Handshake() {
        @Override
        public void onConnected(Session session) {
        }

        @Override
        public void onBytes(Session session, ByteBuffer in) {
        }

        @Override
        public void onMalformed(Session session, HandshakeException cause) {
        }

        @Override
        public void onAborted(Throwable cause) {
        }
    };

    private static InetAddress address(int n) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
    }

    @Test
    void finishedHandshakesFromManyAddressesAreForgotten() throws Exception {
        HandshakeSlots slots = new HandshakeSlots(4, 2);
        for (int n = 0; n < 10_000; n++) {
            assertTrue(slots.take(0), "a slot is free again after each handshake ends");
            HandshakeSlots.Held held = slots.holding(NOTHING);
            held.attach(null, address(n));
            held.onEnded();
            held.onEnded();   // a second end gives nothing back twice
        }
        assertTrue(slots.addressesTracked() <= HandshakeSlots.SWEEP_EVERY,
                slots.addressesTracked() + " addresses remembered after 10,000 finished handshakes");
        for (int i = 0; i < 4; i++) {
            assertTrue(slots.take(0), "all four slots are free");
        }
        assertFalse(slots.take(0), "and no more than four");
    }

    /**
     * One handshake that stalls at the head of the accept order (a slowloris, until the handshake timeout) while
     * thousands of short connections come and go behind it: the finished ones must not pile up behind it with their
     * connections. Before, 75,000 such connections in 7 s filled a {@code -Xmx64m} echo server's heap.
     */
    @Test
    void finishedHandshakesQueuedBehindAStalledOneKeepNeitherTheirHandshakeNorTheirCountBeyondTwiceTheSlots()
            throws Exception {
        HandshakeSlots slots = new HandshakeSlots(8);
        assertTrue(slots.take(0));
        HandshakeSlots.Held stalled = slots.holding(NOTHING);
        stalled.attach(null, address(1));
        java.util.List<HandshakeSlots.Held> finished = new java.util.ArrayList<>();
        for (int n = 0; n < 10_000; n++) {
            assertTrue(slots.take(0));
            HandshakeSlots.Held held = slots.holding(NOTHING);
            held.attach(null, address(2));
            held.onEnded();
            if (n % 1_000 == 0) {
                finished.add(held);
            }
            assertTrue(slots.queued() <= 2 * 8, slots.queued() + " entries queued after " + (n + 1));
        }
        for (HandshakeSlots.Held held : finished) {
            assertFalse(held.holdsConnection(), "a finished entry lets go of its handshake and session");
        }
        assertTrue(stalled.holdsConnection(), "the one in progress keeps them (eviction needs its session)");
    }

    @Test
    void anAddressBelowItsLimitEvictsNothing() throws Exception {
        HandshakeSlots slots = new HandshakeSlots(10, 3);
        InetAddress one = address(1);
        for (int i = 0; i < 2; i++) {
            assertTrue(slots.take(0));
            slots.holding(NOTHING).attach(null, one);
        }
        assertFalse(slots.makeRoomFor(one), "two of three in progress: room left");
        assertFalse(slots.makeRoomFor(address(2)), "an address never seen has room");
        assertEquals(1, slots.addressesTracked());
        assertEquals(0, new HandshakeSlots(10).addressesTracked(), "no per-address record without a limit");
    }

    @Test
    void ipv6AddressesCountByTheirSlash64() throws Exception {
        InetAddress a = InetAddress.getByName("2001:db8:1:2:aaaa::1");
        InetAddress b = InetAddress.getByName("2001:db8:1:2:bbbb::2");
        InetAddress other = InetAddress.getByName("2001:db8:1:3::1");
        assertEquals(HandshakeSlots.key(a), HandshakeSlots.key(b), "one /64");
        assertFalse(HandshakeSlots.key(a).equals(HandshakeSlots.key(other)), "another /64");
        assertEquals(address(7), HandshakeSlots.key(address(7)), "IPv4 as it is");

        HandshakeSlots slots = new HandshakeSlots(10, 2);
        for (InetAddress from : new InetAddress[] {a, b}) {
            assertTrue(slots.take(0));
            slots.holding(NOTHING).attach(null, from);
        }
        assertEquals(1, slots.addressesTracked(), "both count against their /64");
        assertFalse(slots.makeRoomFor(other), "another /64 has room");
    }
}
