package io.wirefly.core.internal.deflate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

class MessageDeflaterTest {

    private static String hex(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return Hex.of(a, 0, a.length);
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void rfc7692_7_2_3_1_helloMatchesTheVector() {
        // zlib (inside the JDK) emits a fixed-Huffman block for short input, exactly as the RFC's example
        try (MessageDeflater deflater = new MessageDeflater(6, false)) {
            assertEquals("f2 48 cd c9 c9 07 00", hex(deflater.compress(ascii("Hello"))));
        }
    }

    @Test
    void rfc7692_7_2_3_2_secondHelloReferencesTheFirst() {
        try (MessageDeflater deflater = new MessageDeflater(6, false)) {
            deflater.compress(ascii("Hello"));
            assertEquals("f2 00 11 00 00", hex(deflater.compress(ascii("Hello"))));
        }
    }

    @Test
    void rfc7692_7_2_3_2_noContextTakeoverCompressesEachMessageAlone() {
        try (MessageDeflater deflater = new MessageDeflater(6, true)) {
            assertEquals("f2 48 cd c9 c9 07 00", hex(deflater.compress(ascii("Hello"))));
            assertEquals("f2 48 cd c9 c9 07 00", hex(deflater.compress(ascii("Hello"))));
        }
    }

    @Test
    void rfc7692_7_2_3_6_anEmptyMessageIsOneZeroByte() {
        try (MessageDeflater deflater = new MessageDeflater(6, false)) {
            assertEquals("00", hex(deflater.compress(ByteBuffer.allocate(0))));
        }
    }

    @Test
    void anEmptyMessageAfterAnotherIsStillOneZeroByteAndKeepsTheWindow() {
        // zlib writes nothing for an empty sync flush right after another one; we must still send 00
        try (MessageDeflater deflater = new MessageDeflater(6, false);
             MessageInflater inflater = new MessageInflater(false, 1024)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            MessageInflater.Sink sink = out::write;
            inflater.inflate(deflater.compress(ascii("Hello")), sink);
            inflater.finish(sink);
            ByteBuffer empty = deflater.compress(ByteBuffer.allocate(0));
            assertEquals("00", hex(empty));
            inflater.inflate(empty, sink);
            inflater.finish(sink);
            ByteBuffer again = deflater.compress(ascii("Hello"));
            assertEquals("f2 00 11 00 00", hex(again));
            inflater.inflate(again, sink);
            inflater.finish(sink);
            assertEquals("HelloHello", out.toString(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void leavesTheInputPositionAlone() {
        ByteBuffer in = ascii("xxHelloyy");
        in.position(2).limit(7);
        try (MessageDeflater deflater = new MessageDeflater(6, false)) {
            assertEquals("f2 48 cd c9 c9 07 00", hex(deflater.compress(in)));
        }
        assertEquals(2, in.position());
        assertEquals(7, in.limit());
    }

    @Test
    void compressesDirectBuffers() {
        ByteBuffer direct = ByteBuffer.allocateDirect(5).put(ascii("Hello")).flip();
        try (MessageDeflater deflater = new MessageDeflater(6, false)) {
            assertEquals("f2 48 cd c9 c9 07 00", hex(deflater.compress(direct)));
        }
    }

    @Test
    void incompressibleInputLargerThanTheFirstGuessRoundTrips() throws DataFormatException {
        // random bytes grow under DEFLATE, so the output array must be enlarged several times
        byte[] message = new byte[300_000];
        new Random(7).nextBytes(message);
        try (MessageDeflater deflater = new MessageDeflater(9, false)) {
            ByteBuffer compressed = deflater.compress(ByteBuffer.wrap(message));
            assertTrue(compressed.remaining() > message.length / 2);
            assertArrayEquals(message, inflateWithJdk(compressed));
        }
    }

    @Test
    void outputEndsWithoutTheSyncTail() throws DataFormatException {
        try (MessageDeflater deflater = new MessageDeflater(1, false)) {
            ByteBuffer compressed = deflater.compress(ascii("abcabcabcabc".repeat(50)));
            int end = compressed.limit();
            boolean tail = end >= 4 && compressed.get(end - 4) == 0 && compressed.get(end - 3) == 0
                    && compressed.get(end - 2) == (byte) 0xFF && compressed.get(end - 1) == (byte) 0xFF;
            assertTrue(!tail, "tail not removed: " + hex(compressed));
            assertEquals("abcabcabcabc".repeat(50), new String(inflateWithJdk(compressed), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aWindowBelowFifteenBitsMeansNoBackReferencesWithinOrAcrossMessages() throws DataFormatException {
        // Huffman-only: every byte is a literal of at least one bit, however repetitive the input. With LZ77
        // this message shrinks to about a hundred bytes.
        String repetitive = "abc".repeat(20_000);
        try (MessageDeflater deflater = new MessageDeflater(6, false, 9)) {
            ByteBuffer compressed = deflater.compress(ascii(repetitive));
            assertTrue(compressed.remaining() >= repetitive.length() / 8, "back-references used: "
                    + compressed.remaining() + " bytes");
            assertEquals(repetitive, new String(inflateWithJdk(compressed), StandardCharsets.US_ASCII));
            // context takeover would make the second Hello a back-reference into the first ("f2 00 11 00 00")
            deflater.compress(ascii("Hello"));
            ByteBuffer second = deflater.compress(ascii("Hello"));
            assertTrue(second.remaining() > 5, "second message referenced the first: " + hex(second));
        }
    }

    @Test
    void theFullWindowStillUsesBackReferences() {
        String repetitive = "abc".repeat(20_000);
        try (MessageDeflater deflater = new MessageDeflater(6, false, 15)) {
            assertTrue(deflater.compress(ascii(repetitive)).remaining() < 1_000);
        }
    }

    @Test
    void rejectsABadLevelOrWindowAndFailsAfterClose() {
        assertThrows(IllegalArgumentException.class, () -> new MessageDeflater(10, false));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> new MessageDeflater(6, false, 7));
        assertTrue(small.getMessage().contains("7"), small.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new MessageDeflater(6, false, 16));
        MessageDeflater deflater = new MessageDeflater(6, false);
        deflater.close();
        assertThrows(RuntimeException.class, () -> deflater.compress(ascii("Hello")));
    }

    /** An independent inflater: the JDK's, with the tail appended (RFC 7692 §7.2.2). */
    private static byte[] inflateWithJdk(ByteBuffer compressed) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            byte[] in = new byte[compressed.remaining() + 4];
            compressed.duplicate().get(in, 0, compressed.remaining());
            in[in.length - 2] = (byte) 0xFF;
            in[in.length - 1] = (byte) 0xFF;
            inflater.setInput(in);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!inflater.needsInput() && !inflater.finished()) {
                out.write(buf, 0, inflater.inflate(buf));
            }
            return out.toByteArray();
        } finally {
            inflater.end();
        }
    }

    @Test
    void withoutContextTakeoverConnectionsShareTheThreadsCompressorAndEachMessageStandsAlone() {
        byte[] json = "{\"sensor\":\"t1\",\"value\":21.5,\"unit\":\"C\"}".repeat(30).getBytes(StandardCharsets.UTF_8);
        byte[] other = "a different message, a different dictionary ".repeat(40).getBytes(StandardCharsets.UTF_8);
        try (MessageDeflater one = new MessageDeflater(6, true);
             MessageDeflater two = new MessageDeflater(6, true);
             MessageDeflater owner = new MessageDeflater(6, false)) {
            assertFalse(one.holdsCompressor());
            assertTrue(owner.holdsCompressor(), "context takeover keeps its own");
            ByteBuffer first = one.compress(ByteBuffer.wrap(json));
            ByteBuffer between = two.compress(ByteBuffer.wrap(other));
            ByteBuffer again = one.compress(ByteBuffer.wrap(json));
            // Nothing of the other connection's message (nor of its own last one) leaks into a message.
            assertEquals(first, again);
            for (ByteBuffer[] pair : new ByteBuffer[][] {{first, ByteBuffer.wrap(json)},
                    {between, ByteBuffer.wrap(other)}, {again, ByteBuffer.wrap(json)}}) {
                try (MessageInflater alone = new MessageInflater(true, 1 << 20)) {
                    ByteArrayOutputStream out = new ByteArrayOutputStream();
                    alone.inflate(pair[0].duplicate(), out::write);
                    alone.finish(out::write);
                    assertEquals(pair[1], ByteBuffer.wrap(out.toByteArray()));
                }
            }
        }
    }
}
