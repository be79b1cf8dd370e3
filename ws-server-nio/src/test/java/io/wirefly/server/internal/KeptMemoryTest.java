package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.internal.protocol.InboundBudget;
import org.junit.jupiter.api.Test;

/** What a connection keeps between turns, counted in the inbound budget: growth reserved, shrinkage given back. */
class KeptMemoryTest {

    /** @return whether {@code bytes} more fit in the budget now */
    private static boolean room(InboundBudget budget, long bytes) {
        if (!budget.reserve(bytes)) {
            return false;
        }
        budget.release(bytes);
        return true;
    }

    @Test
    void growthIsReservedAndShrinkageGivenBack() {
        InboundBudget budget = InboundBudget.bounded(1_000);
        KeptMemory kept = new KeptMemory(budget, () -> { });
        assertTrue(kept.count(600));
        assertFalse(room(budget, 401));
        assertTrue(kept.count(200));
        assertTrue(room(budget, 800));
        assertFalse(room(budget, 801));
        kept.releaseAll();
        assertTrue(room(budget, 1_000));
    }

    @Test
    void growthWithoutRoomIsRefusedAndNothingMoreIsCounted() {
        InboundBudget budget = InboundBudget.bounded(1_000);
        KeptMemory kept = new KeptMemory(budget, () -> { });
        assertTrue(kept.count(100));
        assertFalse(kept.count(1_200), "more than the whole budget");
        assertTrue(room(budget, 900), "only the first 100 are counted");
        kept.releaseAll();
        assertTrue(room(budget, 1_000));
    }

    @Test
    void whatIsTakenBackForANewerNeedRunsTheCallbackAndReleasingItLaterIsHarmless() throws InterruptedException {
        InboundBudget budget = InboundBudget.bounded(1_000);
        int[] taken = {0};
        KeptMemory old = new KeptMemory(budget, () -> taken[0]++);
        assertTrue(old.count(900));
        Thread.sleep(1_100);   // the budget lets holdings a second old give way
        KeptMemory fresh = new KeptMemory(budget, () -> { });
        assertTrue(fresh.count(200), "the older holding gives way");
        assertEquals(1, taken[0]);
        old.releaseAll();   // already taken back: nothing is released twice
        assertTrue(room(budget, 800));
        assertFalse(room(budget, 801));
    }
}
