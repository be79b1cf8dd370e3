package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.internal.protocol.InboundBudget;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Input kept for a later turn: decoded once per turn, counted in the inbound budget only while it counts. */
class InputBacklogTest {

    /** @return whether {@code bytes} more fit in the budget now */
    private static boolean room(InboundBudget budget, long bytes) {
        if (!budget.reserve(bytes)) {
            return false;
        }
        budget.release(bytes);
        return true;
    }

    /** A loop that only collects what is queued for its next turn. */
    private static final class NextTurns implements Scheduler {
        final List<Runnable> next = new ArrayList<>();

        @Override
        public long nanoTime() {
            return 0;
        }

        @Override
        public Cancellable schedule(long delayNanos, Runnable task) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void execute(Runnable task) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void executeNextTurn(Runnable task) {
            next.add(task);
        }

        @Override
        public boolean inLoop() {
            return true;
        }

        @Override
        public ByteBuffer readBuffer() {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void theDecodingIsQueuedOnceUntilItRuns() {
        int[] decoded = {0};
        InputBacklog input = new InputBacklog(() -> decoded[0]++, () -> { });
        NextTurns loop = new NextTurns();
        input.keep(ByteBuffer.allocate(10));
        input.decodeNextTurn(loop);
        input.decodeNextTurn(loop);
        assertEquals(1, loop.next.size(), "queued once");
        loop.next.get(0).run();
        input.decoding();
        input.decodeNextTurn(loop);
        assertEquals(2, loop.next.size(), "queued again after it ran");
        assertEquals(1, decoded[0]);
    }

    @Test
    void whatIsKeptCountsOnlyWhileItCountsAndIsGivenBackWhenDroppedOrReleased() {
        InboundBudget budget = InboundBudget.bounded(1_000);
        InputBacklog input = new InputBacklog(() -> { }, () -> { });
        assertTrue(input.count(budget, true), "nothing kept: nothing counted");
        ByteBuffer kept = ByteBuffer.allocate(600);
        input.keep(kept);
        assertTrue(input.count(budget, false), "a connection that is not open yet does not count it");
        assertTrue(room(budget, 1_000));
        assertTrue(input.count(budget, true));
        assertFalse(room(budget, 401), "600 counted");
        assertSame(kept, input.drop());
        assertNull(input.bytes());
        assertTrue(input.count(budget, true));
        assertTrue(room(budget, 1_000), "given back once dropped");
        input.keep(ByteBuffer.allocate(700));
        assertTrue(input.count(budget, true));
        input.release();
        assertNull(input.bytes());
        assertTrue(room(budget, 1_000), "given back when the connection is gone");
    }

    @Test
    void moreThanTheBudgetHasRoomForIsRefused() {
        InboundBudget budget = InboundBudget.bounded(1_000);
        InputBacklog input = new InputBacklog(() -> { }, () -> { });
        input.keep(ByteBuffer.allocate(1_200));
        assertFalse(input.count(budget, true));
        assertTrue(room(budget, 1_000), "nothing counted");
    }
}
