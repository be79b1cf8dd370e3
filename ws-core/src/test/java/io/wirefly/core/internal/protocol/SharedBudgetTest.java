package io.wirefly.core.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    private long now = 1_000 * SECOND;
    private final List<String> evicted = new ArrayList<>();
    /** 1,000 bytes; a message in progress for a second or more can be taken back. */
    private final SharedBudget budget = new SharedBudget(1_000, SECOND, () -> now);

    private InboundBudget account(String name) {
        return budget.account(() -> evicted.add(name));
    }

    /** @return whether {@code bytes} more fit in the budget now (reserved and given back at once) */
    private boolean room(long bytes) {
        if (!budget.reserve(bytes)) {
            return false;
        }
        budget.release(bytes);
        return true;
    }

    @Test
    void reservationsWithinTheLimitAreGrantedAndReleased() {
        InboundBudget a = account("a");
        assertTrue(a.reserve(600));
        assertTrue(budget.reserve(400));   // a lasting reservation, straight from the budget
        assertFalse(room(1));
        a.release(600);
        assertTrue(room(600));
        assertFalse(room(601));
        assertEquals(1_000, a.limit());
        assertSame(budget, a.lasting());
        assertThrows(IllegalArgumentException.class, () -> new SharedBudget(0, SECOND, () -> 0));
    }

    /**
     * A whole message waiting for its handler is held past the limit if need be, is never taken back, and leaves that
     * much less room for messages in progress until it is given back.
     */
    @Test
    void heldBytesMayPassTheLimitAreNeverTakenBackAndLeaveLessRoom() {
        InboundBudget waiting = account("waiting");
        InboundBudget other = account("other");
        assertTrue(other.reserve(200));
        waiting.hold(900);   // already in memory: counted even past the limit (1,100 of 1,000 now)
        assertFalse(room(1));
        now += 10 * SECOND;
        InboundBudget fresh = account("fresh");
        assertFalse(fresh.reserve(200), "taking back 'other' would not make room: held bytes are not taken back");
        assertEquals(List.of(), evicted);
        assertTrue(fresh.reserve(100), "'other' is old: its 200 give way to a newer message");
        assertEquals(List.of("other"), evicted);
        waiting.lasting().release(900);
        assertTrue(room(900), "what was held is room again");
        assertFalse(room(901));
    }

    @Test
    void aFullBudgetRefusesWhileEveryMessageInProgressIsYoung() {
        InboundBudget liar = account("liar");
        assertTrue(liar.reserve(900));
        now += SECOND / 2;
        InboundBudget fresh = account("fresh");
        assertFalse(fresh.reserve(200));
        assertEquals(List.of(), evicted);
    }

    @Test
    void theOldestMessageInProgressGivesWayToANewerOne() {
        InboundBudget first = account("first");
        InboundBudget second = account("second");
        InboundBudget third = account("third");
        assertTrue(first.reserve(300));
        now += 10;
        assertTrue(second.reserve(300));
        now += 10;
        assertTrue(third.reserve(300));
        now += 2 * SECOND;

        InboundBudget fresh = account("fresh");
        assertTrue(fresh.reserve(200));   // 100 were free: one holder must go, the oldest
        assertEquals(List.of("first"), evicted);
        assertTrue(room(200), "second's, third's and fresh's 800 held");
        assertFalse(room(201));

        // What was taken back is gone for good: first's later calls change nothing.
        assertFalse(first.reserve(1));
        first.release(300);
        assertFalse(room(201));
        fresh.release(200);
        assertTrue(room(400));
        assertFalse(room(401));
    }

    @Test
    void asManyOldHoldersAsNeededGoInTheOrderTheyStarted() {
        InboundBudget[] holders = new InboundBudget[4];
        for (int i = 0; i < holders.length; i++) {
            holders[i] = account("h" + i);
            assertTrue(holders[i].reserve(i == 0 ? 100 : 200));
            now += 10;
        }
        now += SECOND;
        // 300 are free; 250 are wanted from a budget of 1,000 (a quarter): nobody goes.
        assertTrue(account("a").reserve(250));
        assertEquals(List.of(), evicted);
        // 50 free, 250 wanted: h0 (100) and h1 (200) go, in that order, and h2 and h3 stay.
        assertTrue(account("b").reserve(250));
        assertEquals(List.of("h0", "h1"), evicted);
    }

    @Test
    void aHolderThatFinishedItsMessageIsNotOldAnyMore() {
        InboundBudget a = account("a");
        InboundBudget b = account("b");
        assertTrue(a.reserve(500));
        assertTrue(b.reserve(450));
        now += 2 * SECOND;
        a.release(500);                   // a's message arrived whole
        assertTrue(a.reserve(500));       // and a new one starts now
        assertTrue(account("fresh").reserve(100));
        assertEquals(List.of("b"), evicted, "b's message is the old one, not a's new one");
    }

    @Test
    void nothingIsTakenBackWhenEvenThatWouldNotMakeRoom() {
        InboundBudget old = account("old");
        assertTrue(old.reserve(100));
        now += 2 * SECOND;
        InboundBudget young = account("young");
        assertTrue(young.reserve(800));
        // 100 free + old's 100 is less than the 250 wanted: refused, and old keeps its room.
        assertFalse(account("fresh").reserve(250));
        assertEquals(List.of(), evicted);
        assertTrue(old.reserve(50));
    }

    @Test
    void aConnectionCannotClearTheBudgetForItselfNorEvictItself() {
        InboundBudget others = account("others");
        assertTrue(others.reserve(700));
        InboundBudget big = account("big");
        assertTrue(big.reserve(240));
        now += 2 * SECOND;
        // big would hold 310, more than a quarter of the budget: refused although others is old.
        assertFalse(big.reserve(70));
        assertEquals(List.of(), evicted);
        // big is the oldest holder too, but a holder is never its own victim.
        others.release(700);
        InboundBudget filler = account("filler");
        assertTrue(filler.reserve(760));
        now += 2 * SECOND;
        assertTrue(big.reserve(10));      // 0 free: filler, old now, goes; big stays
        assertEquals(List.of("filler"), evicted);
    }

    @Test
    void lastingReservationsAreNeverTakenBack() {
        InboundBudget a = account("a");
        assertTrue(a.lasting().reserve(900));   // zlib state with context takeover
        now += 10 * SECOND;
        assertFalse(account("fresh").reserve(200));
        assertEquals(List.of(), evicted);
    }

    @Test
    void budgetsThatAreNotBoundedAreTheirOwnAccounts() {
        assertSame(InboundBudget.UNLIMITED, InboundBudget.UNLIMITED.account(() -> { }));
        assertSame(InboundBudget.UNLIMITED, InboundBudget.UNLIMITED.lasting());
    }
}
