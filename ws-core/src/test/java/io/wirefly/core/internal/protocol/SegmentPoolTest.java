package io.wirefly.core.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The spares of one loop's message segments: bounded, reused last-in first-out, and let go when nothing needs them. */
class SegmentPoolTest {

    private static List<byte[]> take(SegmentPool pool, int n) {
        List<byte[]> taken = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            taken.add(pool.take());
        }
        return taken;
    }

    @Test
    void keepsAtMostItsBoundAndReusesTheLastGiven() {
        SegmentPool pool = new SegmentPool(3);
        List<byte[]> taken = take(pool, 5);
        taken.forEach(pool::give);
        assertEquals(3, pool.spares());
        assertSame(taken.get(2), pool.take(), "the warmest spare first");
        pool.give(new byte[10]);
        assertEquals(2, pool.spares(), "an array of another size is not kept");
    }

    @Test
    void aBurstsSparesGoOverTwoQuietTrims() {
        SegmentPool pool = new SegmentPool(64);
        take(pool, 40).forEach(pool::give);
        assertEquals(40, pool.spares());
        assertEquals(0, pool.trim(), "used since the last trim (there was none): all kept");
        assertEquals(40, pool.spares());
        assertEquals(40, pool.trim(), "nothing took one since: all let go");
        assertEquals(0, pool.spares());
        assertEquals(0, pool.trim());
    }

    @Test
    void steadyUseKeepsWhatItDrawsOn() {
        SegmentPool pool = new SegmentPool(64);
        take(pool, 20).forEach(pool::give);
        pool.trim();
        for (int round = 0; round < 3; round++) {
            take(pool, 5).forEach(pool::give);   // at most 5 in use at once in each period
            assertEquals(round == 0 ? 15 : 0, pool.trim(), "the 15 nobody drew on go, then none");
            assertEquals(5, pool.spares(), "round " + round);
        }
    }

    @Test
    void noneKeepsNothing() {
        byte[] s = SegmentPool.NONE.take();
        SegmentPool.NONE.give(s);
        assertEquals(0, SegmentPool.NONE.spares());
        assertEquals(0, SegmentPool.NONE.trim());
    }
}
