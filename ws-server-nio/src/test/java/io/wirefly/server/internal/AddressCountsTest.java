package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressCountsTest {
    private static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void anAddressGetsUpToTheLimitAndAgainAfterARemove() throws Exception {
        AddressCounts counts = new AddressCounts(2);
        assertTrue(counts.tryAdd(ip("10.0.0.1")));
        assertTrue(counts.tryAdd(ip("10.0.0.1")));
        assertFalse(counts.tryAdd(ip("10.0.0.1")), "the third is refused");
        assertEquals(2, counts.count(ip("10.0.0.1")), "a refusal counts nothing");
        assertTrue(counts.tryAdd(ip("10.0.0.2")), "another address has its own count");
        counts.remove(ip("10.0.0.1"));
        assertTrue(counts.tryAdd(ip("10.0.0.1")));
    }

    @Test
    void anAddressWithNothingLeftHasNoEntry() throws Exception {
        AddressCounts counts = new AddressCounts(5);
        counts.tryAdd(ip("10.0.0.1"));
        counts.tryAdd(ip("10.0.0.1"));
        counts.tryAdd(ip("10.0.0.2"));
        counts.remove(ip("10.0.0.1"));
        counts.remove(ip("10.0.0.1"));
        counts.remove(ip("10.0.0.2"));
        assertEquals(0, counts.addresses(), "churn through many addresses leaves no map behind");
        counts.remove(ip("10.0.0.3"));   // not counted: nothing happens, nothing goes negative
        assertEquals(0, counts.count(ip("10.0.0.3")));
    }

    @Test
    void ipv6CountsByItsSlash64() throws Exception {
        AddressCounts counts = new AddressCounts(2);
        assertTrue(counts.tryAdd(ip("2001:db8:1:2::1")));
        assertTrue(counts.tryAdd(ip("2001:db8:1:2:ffff::9")));
        assertFalse(counts.tryAdd(ip("2001:db8:1:2:abcd::7")), "a third address of the same /64 is refused");
        assertTrue(counts.tryAdd(ip("2001:db8:1:3::1")), "the next /64 is another subscriber");
    }

    @Test
    void theLimitMustBePositive() {
        assertEquals("max must be > 0, was 0",
                assertThrows(IllegalArgumentException.class, () -> new AddressCounts(0)).getMessage());
    }
}
