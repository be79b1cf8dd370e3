package io.wirefly.core.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {

    /** A budget that counts what is reserved, so a test can see that every reservation is released. */
    private static final class CountingBudget implements InboundBudget {
        long held;
        long peak;
        final long limit;

        CountingBudget(long limit) {
            this.limit = limit;
        }

        @Override
        public boolean reserve(long bytes) {
            if (held + bytes > limit) {
                return false;
            }
            held += bytes;
            peak = Math.max(peak, held);
            return true;
        }

        @Override
        public void release(long bytes) {
            held -= bytes;
            assertTrue(held >= 0, "released more than was reserved");
        }

        @Override
        public void hold(long bytes) {
            held += bytes;
        }

        @Override
        public long limit() {
            return limit;
        }
    }

    @Test
    void aLargeMessageGrowsInSegmentsHeldMemoryFollowsTheBytesAndTakeGivesItWhole() {
        CountingBudget budget = new CountingBudget(Long.MAX_VALUE);
        MessageAssembler assembler = new MessageAssembler(1 << 20, budget);
        byte[] message = new byte[700_000];
        new Random(1).nextBytes(message);
        Random cuts = new Random(2);
        for (int at = 0; at < message.length; ) {
            int n = Math.min(message.length - at, 1 + cuts.nextInt(20_000));
            if (cuts.nextBoolean()) {
                assembler.append(ByteBuffer.wrap(message, at, n));
            } else {
                assembler.accept(message, at, n);
            }
            at += n;
            assertEquals(at, assembler.size());
            assertTrue(assembler.capacity() < at + MessageAssembler.SEGMENT + 1, "held " + assembler.capacity()
                    + " bytes for " + at + ": at most one segment of slack");
            assertEquals(assembler.capacity(), budget.held, "every byte held is reserved");
        }
        ByteBuffer taken = assembler.take();
        byte[] out = new byte[taken.remaining()];
        taken.get(out);
        assertArrayEquals(message, out);
        assertEquals(0, budget.held, "take() releases the reservation");
        assertEquals(0, assembler.size());
    }

    @Test
    void aSmallMessageStaysInOneArrayAndArrayNeedsNoCopy() {
        MessageAssembler assembler = new MessageAssembler(1 << 20, InboundBudget.UNLIMITED);
        assembler.accept(new byte[] {1, 2, 3}, 0, 3);
        assembler.append(ByteBuffer.wrap(new byte[] {4, 5}));
        assertTrue(assembler.capacity() <= 256);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Arrays.copyOf(assembler.array(), assembler.size()));
    }

    @Test
    void theLimitAndTheBudgetAre1009AndAResetReleasesEverything() {
        // (the message alone would hold more than the whole budget: 1009; refusals that are only for now are 1013)
        CountingBudget budget = new CountingBudget(200_000);
        MessageAssembler assembler = new MessageAssembler(150_000, budget);
        assembler.append(ByteBuffer.allocate(150_000));
        ProtocolException tooBig = assertThrows(ProtocolException.class, () -> assembler.append(ByteBuffer.allocate(1)));
        assertEquals(1009, tooBig.closeCode().code());
        assertTrue(budget.held <= 150_000, "the last segment stops at the limit: " + budget.held);
        assembler.reset();
        assertEquals(0, budget.held);

        MessageAssembler other = new MessageAssembler(1 << 20, budget);
        other.append(ByteBuffer.allocate(190_000));
        ProtocolException refused = assertThrows(ProtocolException.class,
                () -> other.append(ByteBuffer.allocate(MessageAssembler.SEGMENT)));
        assertEquals(1009, refused.closeCode().code());
        other.reset();
        assertEquals(0, budget.held);
    }

    @Test
    void aRefusalWhileOthersHoldTheBudgetIs1013() {
        CountingBudget budget = new CountingBudget(200_000);
        MessageAssembler first = new MessageAssembler(1 << 20, budget);
        first.append(ByteBuffer.allocate(150_000));
        MessageAssembler second = new MessageAssembler(1 << 20, budget);
        ProtocolException refused = assertThrows(ProtocolException.class,
                () -> second.append(ByteBuffer.allocate(100_000)));
        assertEquals(1013, refused.closeCode().code());
        assertTrue(refused.getMessage().contains("200000 bytes for all connections"), refused.getMessage());
        second.reset();
        MessageAssembler liar = new MessageAssembler(1 << 20, budget);
        ProtocolException never = assertThrows(ProtocolException.class,
                () -> liar.append(ByteBuffer.allocate(100_000), 1 << 20));
        assertEquals(1009, never.closeCode().code(), "announced larger than the whole budget: no wait would help");
        liar.reset();
        first.reset();
        assertEquals(0, budget.held);
        second.append(ByteBuffer.allocate(100_000));   // and once the room is back, the same message fits
        assertEquals(100_000, second.size());
    }

    @Test
    void segmentsGoBackToThePoolAndNoSpareCarriesOldBytesIntoAMessage() {
        SegmentPool pool = new SegmentPool(8);
        MessageAssembler a = new MessageAssembler(1 << 20, InboundBudget.UNLIMITED, pool);
        byte[] ones = new byte[5 * MessageAssembler.SEGMENT + 100];
        Arrays.fill(ones, (byte) 1);
        a.append(ByteBuffer.wrap(ones));
        a.reset();   // dropped (a message failed at its limit, say): its segments are spares now
        int spares = pool.spares();
        assertTrue(spares >= 4, "segments kept: " + spares);

        byte[] twos = new byte[3 * MessageAssembler.SEGMENT + 7];
        Arrays.fill(twos, (byte) 2);
        a.append(ByteBuffer.wrap(twos));
        assertTrue(pool.spares() < spares, "the next message reuses them");
        ByteBuffer message = a.take();
        assertEquals(twos.length, message.remaining());
        assertEquals(twos.length, message.array().length, "a fresh array of the message's size, nothing more");
        byte[] got = new byte[message.remaining()];
        message.get(got);
        assertArrayEquals(twos, got);

        // A small message never comes from the pool: its array is handed out as it is.
        a.append(ByteBuffer.wrap(new byte[] {3, 3, 3}));
        ByteBuffer small = a.take();
        for (byte b : small.array()) {
            assertTrue(b == 3 || b == 0, "no spare's old bytes behind the message's limit");
        }
    }
}
