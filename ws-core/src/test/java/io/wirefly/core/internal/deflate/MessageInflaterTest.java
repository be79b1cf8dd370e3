package io.wirefly.core.internal.deflate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class MessageInflaterTest {
    private static final int ROOMY = 1 << 20;

    /** Collects what the inflater emits and checks the sink contract (length at least 1). */
    private static final class Collector implements MessageInflater.Sink {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int calls;

        @Override
        public void accept(byte[] bytes, int offset, int length) {
            assertTrue(length >= 1, "empty piece");
            calls++;
            out.write(bytes, offset, length);
        }

        String text() {
            String s = out.toString(StandardCharsets.UTF_8);
            out.reset();
            return s;
        }
    }

    private static String inflateMessage(MessageInflater inflater, String... chunksHex) {
        Collector c = new Collector();
        for (String chunk : chunksHex) {
            ByteBuffer in = ByteBuffer.wrap(Hex.bytes(chunk));
            inflater.inflate(in, c);
            assertEquals(0, in.remaining(), "chunk not consumed");
        }
        inflater.finish(c);
        return c.text();
    }

    @Test
    void rfc7692_7_2_3_1_oneCompressedBlock() {
        try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
            assertEquals("Hello", inflateMessage(inflater, "f2 48 cd c9 c9 07 00"));
        }
    }

    @Test
    void rfc7692_7_2_3_1_fragmentedAcrossTwoFrames() {
        try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
            assertEquals("Hello", inflateMessage(inflater, "f2 48 cd", "c9 c9 07 00"));
        }
    }

    @Test
    void rfc7692_7_2_3_2_sharingTheSlidingWindow() {
        try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
            assertEquals("Hello", inflateMessage(inflater, "f2 48 cd c9 c9 07 00"));
            // the second "Hello" is a back-reference into the first message
            assertEquals("Hello", inflateMessage(inflater, "f2 00 11 00 00"));
        }
    }

    @Test
    void rfc7692_7_2_3_2_noContextTakeoverResetsBetweenMessages() {
        try (MessageInflater inflater = new MessageInflater(true, ROOMY)) {
            assertEquals("Hello", inflateMessage(inflater, "f2 48 cd c9 c9 07 00"));
            assertEquals("Hello", inflateMessage(inflater, "f2 48 cd c9 c9 07 00"));
            // a back-reference into the previous message is now corrupt data
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> inflateMessage(inflater, "f2 00 11 00 00"));
            assertEquals(CloseCode.INVALID_PAYLOAD, e.closeCode());
        }
    }

    @Test
    void rfc7692_7_2_3_3_blockWithNoCompression() {
        try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
            assertEquals("Hello", inflateMessage(inflater, "00 05 00 fa ff 48 65 6c 6c 6f 00"));
        }
    }

    @Test
    void rfc7692_7_2_3_4_blockWithBfinalThenAnotherMessage() {
        try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
            assertEquals("Hello", inflateMessage(inflater, "f3 48 cd c9 c9 07 00 00"));
            // the final block ended the DEFLATE stream; the next message starts a new one
            assertEquals("Hello", inflateMessage(inflater, "f2 48 cd c9 c9 07 00"));
        }
    }

    @Test
    void rfc7692_7_2_3_5_twoBlocksInOneMessage() {
        try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
            assertEquals("Hello", inflateMessage(inflater, "f2 48 05 00 00 00 ff ff ca c9 c9 07 00"));
        }
    }

    @Test
    void rfc7692_7_2_3_6_emptyMessageAndEmptyFragment() {
        try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
            assertEquals("", inflateMessage(inflater, "00"));
            // "Hello" flushed in a first frame, then a final frame holding only the empty-block byte
            assertEquals("Hello", inflateMessage(inflater, "f2 48 cd c9 c9 07 00 00 00 ff ff", "00"));
            // the window survived both: a back-reference still works
            assertEquals("Hello", inflateMessage(inflater, "f2 00 11 00 00"));
        }
    }

    @Test
    void everySplitPointOfTheTwoBlockExample() {
        byte[] payload = Hex.bytes("f2 48 05 00 00 00 ff ff ca c9 c9 07 00");
        for (int split = 0; split <= payload.length; split++) {
            try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
                Collector c = new Collector();
                inflater.inflate(ByteBuffer.wrap(payload, 0, split), c);
                inflater.inflate(ByteBuffer.wrap(payload, split, payload.length - split), c);
                inflater.finish(c);
                assertEquals("Hello", c.text(), "split at " + split);
            }
        }
    }

    @Test
    void corruptDataIsInvalidPayload() {
        try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
            // BTYPE 11 is reserved (RFC 1951 §3.2.3)
            ProtocolException e = assertThrows(ProtocolException.class, () -> inflateMessage(inflater, "ff"));
            assertEquals(CloseCode.INVALID_PAYLOAD, e.closeCode());
        }
    }

    @Test
    void aMessageExactlyAtTheCapPassesAndOneByteMoreFails() {
        byte[] hello = Hex.bytes("f2 48 cd c9 c9 07 00");
        try (MessageInflater inflater = new MessageInflater(false, 5)) {
            Collector c = new Collector();
            inflater.inflate(ByteBuffer.wrap(hello), c);
            inflater.finish(c);
            assertEquals("Hello", c.text());
        }
        try (MessageInflater inflater = new MessageInflater(false, 4)) {
            Collector c = new Collector();
            ProtocolException e = assertThrows(ProtocolException.class, () -> {
                inflater.inflate(ByteBuffer.wrap(hello), c);
                inflater.finish(c);
            });
            assertEquals(CloseCode.MESSAGE_TOO_BIG, e.closeCode());
            assertTrue(e.getMessage().contains("maxMessageSize (4 bytes)"), e.getMessage());
            assertTrue(c.out.size() <= 4, "emitted " + c.out.size());
        }
    }

    @Test
    void theCapCountsEachMessageSeparately() {
        try (MessageInflater inflater = new MessageInflater(false, 5)) {
            for (int i = 0; i < 3; i++) {
                assertEquals("Hello", inflateMessage(inflater, "f2 48 cd c9 c9 07 00"));
            }
        }
    }

    @Test
    void aDecompressionBombStopsAtTheCap() {
        // 100 MB of zeros compresses to about 100 KB
        byte[] bomb = compressZeros(100_000_000);
        assertTrue(bomb.length < 200_000, "bomb is " + bomb.length);
        int cap = 1 << 20;
        long[] emitted = {0};
        try (MessageInflater inflater = new MessageInflater(false, cap)) {
            ByteBuffer in = ByteBuffer.wrap(bomb);
            ProtocolException e = assertThrows(ProtocolException.class, () -> {
                // feed in 4 KiB frames, as a transport would
                while (in.hasRemaining()) {
                    ByteBuffer frame = in.slice().limit(Math.min(4096, in.remaining()));
                    in.position(in.position() + frame.remaining());
                    inflater.inflate(frame, (b, off, len) -> emitted[0] += len);
                }
                inflater.finish((b, off, len) -> emitted[0] += len);
            });
            assertEquals(CloseCode.MESSAGE_TOO_BIG, e.closeCode());
        }
        assertTrue(emitted[0] <= cap, "emitted " + emitted[0] + " bytes, cap " + cap);
        assertTrue(emitted[0] > cap - 8192, "stopped early at " + emitted[0]);
    }

    @Test
    void anOutputBoundStopsTheCallAndTheRestOfTheChunkContinuesWhereItStopped() {
        byte[] message = new byte[300_000];
        new java.util.Random(3).nextBytes(message);
        java.util.Arrays.fill(message, 100_000, 250_000, (byte) 'z');   // a compressible stretch
        Deflater d = new Deflater(6, true);
        d.setInput(message);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        int n;
        do {
            n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
            compressed.write(buf, 0, n);
        } while (n == buf.length || !d.needsInput());
        d.end();
        byte[] payload = java.util.Arrays.copyOf(compressed.toByteArray(), compressed.size() - 4);

        try (MessageInflater inflater = new MessageInflater(false, ROOMY)) {
            Collector c = new Collector();
            ByteBuffer chunk = ByteBuffer.wrap(payload);
            int calls = 0;
            while (calls < 1_000) {
                int before = c.out.size();
                boolean stopped = inflater.inflate(chunk, c, 20_000);
                calls++;
                assertTrue(c.out.size() - before <= 20_000 + 8192, "bounded output per call");
                if (!stopped) {
                    break;
                }
            }
            assertEquals(0, chunk.remaining(), "the chunk is used up at the end");
            inflater.finish(c);
            assertTrue(calls >= 300_000 / (20_000 + 8192), calls + " calls");
            assertArrayEquals(message, c.out.toByteArray());
        }
    }

    private static byte[] compressZeros(int size) {
        Deflater d = new Deflater(9, true);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] zeros = new byte[1 << 16];
            byte[] buf = new byte[1 << 16];
            for (int fed = 0; fed < size; fed += zeros.length) {
                d.setInput(zeros, 0, Math.min(zeros.length, size - fed));
                while (!d.needsInput()) {
                    out.write(buf, 0, d.deflate(buf));
                }
            }
            int n;
            do {
                n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                out.write(buf, 0, n);
            } while (n == buf.length);
            byte[] all = out.toByteArray();
            return java.util.Arrays.copyOf(all, all.length - 4);
        } finally {
            d.end();
        }
    }

    @Test
    void roundTripsWhatTheDeflaterProducesWithAndWithoutContextTakeover() {
        byte[][] messages = {
            "a".repeat(1000).getBytes(StandardCharsets.UTF_8),
            new byte[0],
            "the quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8),
            "a".repeat(1000).getBytes(StandardCharsets.UTF_8),
        };
        for (boolean noContext : new boolean[] {false, true}) {
            try (MessageDeflater deflater = new MessageDeflater(6, noContext);
                 MessageInflater inflater = new MessageInflater(noContext, ROOMY)) {
                for (byte[] message : messages) {
                    ByteBuffer compressed = deflater.compress(ByteBuffer.wrap(message));
                    Collector c = new Collector();
                    inflater.inflate(compressed, c);
                    inflater.finish(c);
                    assertArrayEquals(message, c.out.toByteArray());
                }
            }
        }
    }

    @Test
    void withoutContextTakeoverADecompressorIsHeldOnlyWhileAMessageArrives() {
        byte[] first = "first message, ".repeat(200).getBytes(StandardCharsets.UTF_8);
        byte[] second = "the second one; ".repeat(300).getBytes(StandardCharsets.UTF_8);
        ByteBuffer a;
        ByteBuffer b;
        try (MessageDeflater deflater = new MessageDeflater(6, true)) {
            a = deflater.compress(ByteBuffer.wrap(first));
            b = deflater.compress(ByteBuffer.wrap(second));
        }
        // Two connections on one thread, their messages interleaved: each half arrives in its own call.
        try (MessageInflater one = new MessageInflater(true, ROOMY);
             MessageInflater two = new MessageInflater(true, ROOMY);
             MessageInflater owner = new MessageInflater(false, ROOMY)) {
            assertFalse(one.holdsDecompressor());
            assertTrue(owner.holdsDecompressor(), "context takeover keeps its own");
            Collector c1 = new Collector();
            Collector c2 = new Collector();
            one.inflate(a.slice(0, a.remaining() / 2), c1);
            two.inflate(b.slice(0, b.remaining() / 2), c2);
            assertTrue(one.holdsDecompressor() && two.holdsDecompressor(), "mid-message, each holds one");
            one.inflate(a.slice(a.remaining() / 2, a.remaining() - a.remaining() / 2), c1);
            one.finish(c1);
            two.inflate(b.slice(b.remaining() / 2, b.remaining() - b.remaining() / 2), c2);
            two.finish(c2);
            assertArrayEquals(first, c1.out.toByteArray());
            assertArrayEquals(second, c2.out.toByteArray());
            assertFalse(one.holdsDecompressor() || two.holdsDecompressor(), "given back when the message ended");
            assertTrue(ZlibCache.get().idleInflaters() >= 2, "kept for the next message");

            // The next message of a connection takes a decompressor in its initial state, whichever it gets.
            Collector again = new Collector();
            one.inflate(b.duplicate(), again);
            one.finish(again);
            assertArrayEquals(second, again.out.toByteArray());
        }
    }

    @Test
    void aMessageCutShortGivesItsDecompressorBackAtClose() {
        int idleBefore;
        MessageInflater inflater = new MessageInflater(true, ROOMY);
        inflater.inflate(ByteBuffer.wrap(Hex.bytes("f2 48 cd")), new Collector());
        assertTrue(inflater.holdsDecompressor());
        idleBefore = ZlibCache.get().idleInflaters();
        inflater.close();
        assertFalse(inflater.holdsDecompressor());
        assertEquals(Math.min(ZlibCache.IDLE_INFLATERS, idleBefore + 1), ZlibCache.get().idleInflaters());
        // what it gave back was reset: a whole message decompresses from the start
        try (MessageInflater next = new MessageInflater(true, ROOMY)) {
            assertEquals("Hello", inflateMessage(next, "f2 48 cd c9 c9 07 00"));
        }
    }
}
