package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.ClosedException;
import io.wirefly.core.internal.protocol.OutboundKind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class OutboundBufferTest {

    /** A channel that takes at most {@code budget} bytes per write call, like a full socket buffer. */
    private static final class SlowChannel implements GatheringByteChannel {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        int budget;

        SlowChannel(int budget) {
            this.budget = budget;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(budget, src.remaining());
            for (int i = 0; i < n; i++) {
                written.write(src.get());
            }
            budget -= n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }

        String text() {
            return written.toString(StandardCharsets.US_ASCII);
        }
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void controlFramesGoAheadOfQueuedDataButNeverIntoAPartlyWrittenFrame() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        SlowChannel channel = new SlowChannel(3);
        q.addData(bytes("AAAAAA"), null);
        q.addData(bytes("BBBB"), null);
        assertFalse(q.writeTo(channel), "only 3 bytes fit");
        q.addControl(bytes("pp"), null);
        channel.budget = 100;
        assertTrue(q.writeTo(channel));
        assertEquals("AAAAAAppBBBB", channel.text(), "the rest of A first, then the pong, then B");
        assertEquals(0, q.bytes());
    }

    @Test
    void completionsFireWhenTheirBytesAreWrittenAndBytesCountsWhatIsLeft() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        CompletableFuture<Void> first = new CompletableFuture<>();
        CompletableFuture<Void> second = new CompletableFuture<>();
        q.addData(bytes("12345"), first);
        q.addData(bytes("678"), second);
        assertEquals(8, q.bytes());
        SlowChannel channel = new SlowChannel(6);
        assertFalse(q.writeTo(channel));
        assertTrue(first.isDone());
        assertFalse(second.isDone());
        assertEquals(2, q.bytes());
        channel.budget = 10;
        assertTrue(q.writeTo(channel));
        assertTrue(second.isDone());
        assertTrue(q.isEmpty());
    }

    @Test
    void droppingPendingFramesFailsTheirCompletionsButKeepsThePartlyWrittenOne() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        CompletableFuture<Void> partial = new CompletableFuture<>();
        CompletableFuture<Void> pending = new CompletableFuture<>();
        q.addData(bytes("AAAA"), partial);
        q.addData(bytes("BBBB"), pending);
        SlowChannel channel = new SlowChannel(2);
        q.writeTo(channel);
        q.dropPending("connection failed");
        q.addData(bytes("CC"), null);   // the close frame of a failed connection
        channel.budget = 100;
        assertTrue(q.writeTo(channel));
        assertEquals("AAAACC", channel.text());
        assertTrue(partial.isDone() && !partial.isCompletedExceptionally());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, pending::get);
        assertInstanceOf(ClosedException.class, e.getCause());
    }

    @Test
    void aFrameTheSocketRefusedEntirelyHasNotStartedAndCanStillBeDroppedOrOvertaken() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        SlowChannel channel = new SlowChannel(0);
        CompletableFuture<Void> data = new CompletableFuture<>();
        q.addData(bytes("DDDD"), data);
        assertFalse(q.writeTo(channel), "the socket takes nothing");
        q.addControl(bytes("pp"), null);
        q.add(bytes("CC"), OutboundKind.CLOSE_ABORT, null);
        assertTrue(data.isCompletedExceptionally(), "not one byte of it went out, so an abort drops it");
        channel.budget = 100;
        assertTrue(q.writeTo(channel));
        assertEquals("CC", channel.text(), "the aborting close alone");
    }

    @Test
    void gatheringWritesHandleMoreFramesThanOneBatch() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            String s = Integer.toString(i % 10);
            q.addData(bytes(s), null);
            expected.append(s);
        }
        SlowChannel channel = new SlowChannel(1000);
        assertTrue(q.writeTo(channel));
        assertEquals(expected.toString(), channel.text());
    }

    @Test
    void aCompletionCallbackMayQueueAndWriteMoreFrames() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        SlowChannel channel = new SlowChannel(100);
        CompletableFuture<Void> first = new CompletableFuture<>();
        first.thenRun(() -> {
            q.addControl(bytes("pp"), null);
            q.addData(bytes("CC"), null);
            try {
                assertTrue(q.writeTo(channel));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        q.addData(bytes("AA"), first);
        q.addData(bytes("BB"), null);
        assertTrue(q.writeTo(channel));
        assertEquals("AABBppCC", channel.text(), "A and B went out in one write before A's completion ran");
        assertTrue(q.isEmpty());
        assertEquals(0, q.bytes());
    }

    @Test
    void aFramePartlyWrittenInsideAGatheringWriteStaysFirst() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        SlowChannel channel = new SlowChannel(5);
        q.addData(bytes("AAA"), null);
        q.addData(bytes("BBBB"), null);
        assertFalse(q.writeTo(channel), "A and half of B fit");
        q.addControl(bytes("pp"), null);
        channel.budget = 100;
        assertTrue(q.writeTo(channel));
        assertEquals("AAABBBBpp", channel.text(), "the pong waits for the rest of B");
    }

    @Test
    void aFrameInTwoPiecesGoesOutWholeBeforeAnyControlFrame() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        SlowChannel channel = new SlowChannel(3);
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        ByteBuffer payload = bytes("PPPPPP");
        q.add(bytes("hh"), payload, OutboundKind.DATA, done);
        assertEquals(8, q.bytes(), "the header and the payload count");
        assertFalse(q.writeTo(channel), "the header and one payload byte fit");
        q.addControl(bytes("cc"), null);
        channel.budget = 4;
        assertFalse(q.writeTo(channel));
        assertFalse(done.isDone(), "not complete while payload bytes wait");
        channel.budget = 100;
        assertTrue(q.writeTo(channel));
        assertEquals("hhPPPPPPcc", channel.text(), "the control frame waits for the whole two-piece frame");
        assertTrue(done.isDone());
        assertEquals(0, q.bytes());
    }

    @Test
    void manyTwoPieceFramesFillTheGatherArrayByBuffers() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        SlowChannel channel = new SlowChannel(1_000_000);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < OutboundBuffer.GATHER; i++) {   // 2 × GATHER buffers: two gathering writes
            q.add(bytes("h" + (char) ('a' + i % 26)), bytes("p" + i),
                    OutboundKind.DATA, null);
            expected.append("h").append((char) ('a' + i % 26)).append("p").append(i);
        }
        assertTrue(q.writeTo(channel));
        assertEquals(expected.toString(), channel.text());
        assertTrue(q.isEmpty());
    }

    @Test
    void anEmptyQueueHoldsNoArrays() {
        OutboundBuffer[] keep = new OutboundBuffer[100];
        keep[0] = new OutboundBuffer();   // warm up: class loading and initialisation allocate
        Allocations.current();   // warm up the counter's own path
        long before = Allocations.current();
        for (int i = 0; i < keep.length; i++) {
            keep[i] = new OutboundBuffer();
        }
        long perQueue = (Allocations.current() - before) / keep.length;
        // The object alone (header, five references, a long, two ints) is 48 bytes with compressed references; an
        // array of frames or buffers would add at least 16 more.
        assertTrue(perQueue <= 48, "bytes per empty queue: " + perQueue);
        assertEquals(100, java.util.Arrays.stream(keep).filter(OutboundBuffer::isEmpty).count());
    }

    @Test
    void theUnwrittenRestOfALentPayloadIsCopiedAndLaterWritesSendTheBytesAsTheyWereThen() throws Exception {
        OutboundBuffer q = new OutboundBuffer();
        SlowChannel channel = new SlowChannel(6);
        ByteBuffer readBuffer = ByteBuffer.allocateDirect(16);
        readBuffer.put("0123456789".getBytes(StandardCharsets.US_ASCII)).flip();
        ByteBuffer owned = ByteBuffer.allocateDirect(4).put("wxyz".getBytes(StandardCharsets.US_ASCII)).flip();
        q.add(bytes("H1"), readBuffer.asReadOnlyBuffer(), OutboundKind.DATA, null);
        q.add(bytes("H2"), owned, OutboundKind.DATA, null);
        assertFalse(q.writeTo(channel), "6 of 16 bytes fit");
        q.copyLentBodies();
        // the loop's next read overwrites the lent bytes; a writable buffer of the sender's own is not copied
        readBuffer.clear();
        readBuffer.put("##########".getBytes(StandardCharsets.US_ASCII));
        owned.put(1, (byte) 'X');
        channel.budget = 100;
        assertTrue(q.writeTo(channel));
        assertEquals("H10123456789H2wXyz", channel.text());
        assertEquals(0, q.bytes());
    }
}

