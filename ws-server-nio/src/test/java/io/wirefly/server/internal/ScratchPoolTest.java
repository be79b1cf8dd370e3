package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ScratchPoolTest {

    @Test
    void aGivenBufferComesBackClearedWhenBigEnough() {
        ScratchPool pool = new ScratchPool();
        ByteBuffer b = pool.take(100);
        assertEquals(100, b.capacity());
        b.put((byte) 1).flip();
        pool.give(b);
        assertNotSame(b, pool.take(200), "too small for 200: a new one");
        ByteBuffer again = pool.take(50);
        assertSame(b, again);
        assertEquals(0, again.position());
        assertEquals(again.capacity(), again.limit());
        assertEquals(0, pool.spares());
    }

    @Test
    void keepsAtMostItsBoundAndNothingHugeDirectOrReadOnly() {
        ScratchPool pool = new ScratchPool();
        for (int i = 0; i < ScratchPool.MAX_SPARES + 5; i++) {
            pool.give(ByteBuffer.allocate(1024));
        }
        assertEquals(ScratchPool.MAX_SPARES, pool.spares());

        ScratchPool other = new ScratchPool();
        other.give(ByteBuffer.allocate(ScratchPool.MAX_CAPACITY + 1));
        other.give(ByteBuffer.allocateDirect(1024));
        other.give(ByteBuffer.allocate(1024).asReadOnlyBuffer());
        assertEquals(0, other.spares());
    }

    @Test
    void sparesNothingDrewOnSinceTheLastTrimAreLetGo() {
        ScratchPool pool = new ScratchPool();
        ByteBuffer[] taken = new ByteBuffer[4];
        for (int i = 0; i < taken.length; i++) {
            taken[i] = pool.take(1024);
        }
        for (ByteBuffer b : taken) {
            pool.give(b);
        }
        assertEquals(0, pool.trim(), "all were in use since the last trim");
        pool.give(pool.take(1024));   // one in use at a time from now on
        assertEquals(3, pool.trim());
        assertEquals(1, pool.spares());
        pool.give(pool.take(1024));
        assertEquals(0, pool.trim(), "the one still in use stays");
        assertEquals(1, pool.trim(), "then goes when nothing takes it");
        assertEquals(0, pool.spares());
    }

    @Test
    void noneKeepsNothing() {
        ByteBuffer b = ScratchPool.NONE.take(64);
        ScratchPool.NONE.give(b);
        assertEquals(0, ScratchPool.NONE.spares());
        assertTrue(ScratchPool.NONE.take(64) != b);
    }
}
