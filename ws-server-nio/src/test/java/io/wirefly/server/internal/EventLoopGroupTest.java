package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Loops are handed out round-robin; the array given out is a copy. */
class EventLoopGroupTest {

    @Test
    void nextHandsOutEveryLoopInTurn() {
        EventLoopGroup group = new EventLoopGroup(3, "group-test");
        group.start();
        try {
            EventLoop[] loops = group.loops();
            assertEquals(3, loops.length);
            Map<EventLoop, Integer> handedOut = new IdentityHashMap<>();
            for (int i = 0; i < 30; i++) {
                EventLoop next = group.next();
                assertSame(loops[i % 3], next, "call " + i);
                handedOut.merge(next, 1, Integer::sum);
            }
            assertEquals(3, handedOut.size());
            handedOut.values().forEach(n -> assertEquals(10, n));
        } finally {
            group.shutdown(5_000);
        }
    }

    @Test
    void loopsReturnsACopy() {
        EventLoopGroup group = new EventLoopGroup(1, "group-test");
        group.start();
        try {
            EventLoop[] first = group.loops();
            first[0] = null;
            assertNotSame(first, group.loops());
            assertSame(group.next(), group.loops()[0]);
        } finally {
            group.shutdown(5_000);
        }
    }
}
