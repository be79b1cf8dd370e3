package io.wirefly.core.internal.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameDecoderTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int RFC_KEY = 0x37fa213d;

    // RFC 6455 §5.7 examples.
    /** A single-frame unmasked text message "Hello". */
    private static final String UNMASKED_HELLO = "810548656c6c6f";
    /** A single-frame masked text message "Hello", masking key 37 fa 21 3d. */
    private static final String MASKED_HELLO = "818537fa213d7f9f4d5158";
    /** A fragmented unmasked text message: "Hel" then "lo". */
    private static final String FRAGMENTED_HELLO = "010348656c" + "80026c6f";
    /** An unmasked ping whose payload is "Hello". */
    private static final String UNMASKED_PING = "890548656c6c6f";
    /** A masked pong whose payload is "Hello" (the answer to the ping above). */
    private static final String MASKED_PONG = "8a8537fa213d7f9f4d5158";
    /** The header of a 256-byte binary message in a single unmasked frame. */
    private static final String BINARY_256_HEADER = "827e0100";
    /** The header of a 64 KiB binary message in a single unmasked frame. */
    private static final String BINARY_64K_HEADER = "827f0000000000010000";

    /** What onHeader reported. */
    record Header(boolean fin, int rsv, int opcode, boolean masked, long length) {
    }

    /**
     * Records headers and payload bytes and checks the call sequence: onPayload only inside a frame, never empty,
     * always on the caller's own buffer, and adding up to the header's length by onFrameEnd.
     */
    static class Collector implements FrameSink {
        final List<Header> headers = new ArrayList<>();
        final List<String> events = new ArrayList<>();
        byte[] payload = new byte[256];
        int size;
        int frameEnds;
        ByteBuffer input;
        private long inFrame = -1;

        void reset(ByteBuffer expectedInput) {
            headers.clear();
            events.clear();
            size = 0;
            frameEnds = 0;
            input = expectedInput;
            inFrame = -1;
        }

        byte[] payload() {
            return Arrays.copyOf(payload, size);
        }

        @Override
        public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
            assertEquals(-1, inFrame, "onHeader inside a frame");
            headers.add(new Header(fin, rsv, opcode, masked, payloadLength));
            events.add("header");
            inFrame = payloadLength;
        }

        @Override
        public void onPayload(ByteBuffer chunk) {
            if (input != null) {
                assertSame(input, chunk, "the payload must be the caller's buffer, not a copy or slice");
            }
            int n = chunk.remaining();
            assertTrue(n > 0, "empty payload chunk");
            assertTrue(inFrame >= n, "payload beyond the frame's length");
            inFrame -= n;
            if (size + n > payload.length) {
                payload = Arrays.copyOf(payload, Math.max(2 * payload.length, size + n));
            }
            chunk.get(payload, size, n);
            size += n;
            events.add("payload");
        }

        @Override
        public void onFrameEnd() {
            assertEquals(0, inFrame, "onFrameEnd before the whole payload");
            inFrame = -1;
            frameEnds++;
            events.add("end");
        }
    }

    /** A frame built the naive way: header bytes by hand, masking per RFC 6455 §5.3 one byte at a time. */
    private static byte[] frame(int b0, boolean masked, int key, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        int maskBit = masked ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            out.write(maskBit | n);
        } else if (n < 65536) {
            out.write(maskBit | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >>> shift));
            }
        }
        byte[] body = payload.clone();
        if (masked) {
            for (int s = 24; s >= 0; s -= 8) {
                out.write(key >>> s);
            }
            for (int i = 0; i < n; i++) {
                body[i] ^= (byte) (key >>> (24 - 8 * (i & 3)));
            }
        }
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static ByteBuffer allocate(int capacity, boolean direct) {
        return direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    }

    /** Decodes {@code wire} in one call from a fresh heap buffer. */
    private static Collector decodeAll(byte[] wire) {
        Collector sink = new Collector();
        ByteBuffer in = ByteBuffer.wrap(wire.clone());
        sink.input = in;
        new FrameDecoder().decode(in, sink);
        assertFalse(in.hasRemaining());
        return sink;
    }

    @Test
    void decodesTheRfcSingleFrameExamples() {
        byte[] hello = "Hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

        Collector unmasked = decodeAll(HEX.parseHex(UNMASKED_HELLO));
        assertEquals(List.of(new Header(true, 0, 1, false, 5)), unmasked.headers);
        assertArrayEquals(hello, unmasked.payload());
        assertEquals(1, unmasked.frameEnds);

        Collector masked = decodeAll(HEX.parseHex(MASKED_HELLO));
        assertEquals(List.of(new Header(true, 0, 1, true, 5)), masked.headers);
        assertArrayEquals(hello, masked.payload());

        Collector ping = decodeAll(HEX.parseHex(UNMASKED_PING));
        assertEquals(List.of(new Header(true, 0, 9, false, 5)), ping.headers);
        assertArrayEquals(hello, ping.payload());

        Collector pong = decodeAll(HEX.parseHex(MASKED_PONG));
        assertEquals(List.of(new Header(true, 0, 10, true, 5)), pong.headers);
        assertArrayEquals(hello, pong.payload());
    }

    @Test
    void decodesTheRfcFragmentedExample() {
        Collector sink = decodeAll(HEX.parseHex(FRAGMENTED_HELLO));
        assertEquals(List.of(new Header(false, 0, 1, false, 3), new Header(true, 0, 0, false, 2)), sink.headers);
        assertArrayEquals("Hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII), sink.payload());
        assertEquals(List.of("header", "payload", "end", "header", "payload", "end"), sink.events);
    }

    @Test
    void decodesTheRfcExtendedLengthExamples() {
        byte[] payload256 = randomBytes(256, 256);
        Collector small = decodeAll(concat(HEX.parseHex(BINARY_256_HEADER), payload256));
        assertEquals(List.of(new Header(true, 0, 2, false, 256)), small.headers);
        assertArrayEquals(payload256, small.payload());

        byte[] payload64k = randomBytes(65536, 65536);
        Collector large = decodeAll(concat(HEX.parseHex(BINARY_64K_HEADER), payload64k));
        assertEquals(List.of(new Header(true, 0, 2, false, 65536)), large.headers);
        assertArrayEquals(payload64k, large.payload());
    }

    @Test
    void emptyPayloadGivesHeaderThenFrameEnd() {
        // RFC 6455 §5.7-style unmasked empty ping, then a masked empty close frame
        Collector sink = decodeAll(HEX.parseHex("8900" + "888037fa213d"));
        assertEquals(List.of(new Header(true, 0, 9, false, 0), new Header(true, 0, 8, true, 0)), sink.headers);
        assertEquals(List.of("header", "end", "header", "end"), sink.events);
    }

    @Test
    void reportsRsvBitsAndReservedOpcodesWithoutJudgingThem() {
        // 0x7B: FIN 0, RSV1-3 set, opcode 0xB (reserved); 0xC3: FIN, RSV1, opcode 3 (reserved), masked
        Collector sink = decodeAll(concat(HEX.parseHex("7b00"), frame(0xC3, true, 1, new byte[] {9})));
        assertEquals(List.of(new Header(false, 7, 0xB, false, 0), new Header(true, 4, 3, true, 1)), sink.headers);
        assertArrayEquals(new byte[] {9}, sink.payload());
        // RSV2 alone and RSV3 alone
        assertEquals(2, decodeAll(HEX.parseHex("a200")).headers.get(0).rsv());
        assertEquals(1, decodeAll(HEX.parseHex("9200")).headers.get(0).rsv());
    }

    @Test
    void reportsAHugeLengthAsIsAndLeavesTheLimitToTheSink() {
        // 2^62: legal on the wire; the Protocol rejects it against maxFrameSize in onHeader.
        FrameDecoder decoder = new FrameDecoder();
        List<Long> lengths = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("827f4000000000000000" + "ffff"));
        decoder.decode(in, new Collector() {
            @Override
            public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
                lengths.add(payloadLength);
                decoder.stop();
            }
        });
        assertEquals(List.of(1L << 62), lengths);
        assertTrue(decoder.isStopped());
        assertFalse(in.hasRemaining());
    }

    /**
     * Every split of one frame into two calls, then one byte per call, for the sizes around each length-form
     * boundary, masked and unmasked, from heap and direct buffers.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 125, 126, 127, 65535, 65536, 65537})
    void decodesAFrameSplitAnywhere(int size) {
        byte[] payload = randomBytes(size, size);
        for (boolean masked : new boolean[] {false, true}) {
            byte[] wire = frame(0x82, masked, 0x8badf00d, payload);
            Header header = new Header(true, 0, 2, masked, size);
            for (boolean direct : new boolean[] {false, true}) {
                String where = (masked ? "masked" : "unmasked") + (direct ? " direct" : " heap");
                ByteBuffer in = allocate(wire.length, direct);
                Collector sink = new Collector();
                for (int split = 0; split <= wire.length; split++) {
                    FrameDecoder decoder = new FrameDecoder();
                    in.clear();
                    in.put(wire).flip();
                    sink.reset(in);
                    in.limit(split);
                    decoder.decode(in, sink);
                    assertEquals(split, in.position());
                    in.limit(wire.length);
                    decoder.decode(in, sink);
                    assertEquals(wire.length, in.position());
                    assertEquals(List.of(header), sink.headers, where + " split " + split);
                    assertEquals(1, sink.frameEnds, where + " split " + split);
                    if (!Arrays.equals(payload, 0, size, sink.payload, 0, sink.size)) {
                        assertArrayEquals(payload, sink.payload(), where + " split " + split);
                    }
                }
                assertOneByteAtATime(wire, direct, List.of(header), payload, where);
            }
        }
    }

    private static void assertOneByteAtATime(byte[] wire, boolean direct, List<Header> headers, byte[] payload,
            String where) {
        FrameDecoder decoder = new FrameDecoder();
        ByteBuffer in = allocate(wire.length, direct);
        in.put(wire).flip();
        Collector sink = new Collector();
        sink.reset(in);
        for (int i = 1; i <= wire.length; i++) {
            in.limit(i);
            decoder.decode(in, sink);
            assertEquals(i, in.position());
        }
        assertEquals(headers, sink.headers, where + " byte by byte");
        assertEquals(headers.size(), sink.frameEnds, where + " byte by byte");
        assertArrayEquals(payload, sink.payload(), where + " byte by byte");
    }

    @Test
    void decodesAStreamOfFramesSplitAnywhereAndFromSeparateBuffers() {
        // The RFC 6455 §5.7 fragmented "Hel" / "lo" with the §5.7 ping between the fragments (§5.4: control
        // frames MAY be injected in the middle of a fragmented message), then masked and empty frames.
        byte[] wire = concat(HEX.parseHex("010348656c"), HEX.parseHex(UNMASKED_PING), HEX.parseHex("80026c6f"),
                HEX.parseHex(MASKED_PONG), frame(0x82, true, 0x01020304, randomBytes(300, 3)),
                HEX.parseHex("8800"), frame(0x81, false, 0, randomBytes(126, 4)));
        Collector whole = decodeAll(wire);
        assertEquals(7, whole.headers.size());
        assertEquals(7, whole.frameEnds);
        byte[] payload = whole.payload();
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            for (boolean direct : new boolean[] {false, true}) {
                for (int split = 0; split <= wire.length; split++) {
                    // Each part in its own buffer: the decoder keeps no reference to earlier input.
                    ByteBuffer first = allocate(split, direct).order(order).put(wire, 0, split).flip();
                    ByteBuffer second = allocate(wire.length - split, direct).order(order)
                            .put(wire, split, wire.length - split).flip();
                    FrameDecoder decoder = new FrameDecoder();
                    Collector sink = new Collector();
                    decoder.decode(first, sink);
                    decoder.decode(second, sink);
                    String where = order + (direct ? " direct" : " heap") + " split " + split;
                    assertEquals(whole.headers, sink.headers, where);
                    assertEquals(7, sink.frameEnds, where);
                    assertArrayEquals(payload, sink.payload(), where);
                    assertSame(order, second.order(), where);
                }
                assertOneByteAtATime(wire, direct, whole.headers, payload, order + " stream");
            }
        }
    }

    @Test
    void rejectsANonMinimal16BitLength() {
        // RFC 6455 §5.2: 125 must use the 7-bit form, so 7e 00 7d is a protocol error; 7e 00 7e (126) is fine.
        assertViolationAtEveryStep("827e007d" + "00".repeat(125), 4);
        assertEquals(126, decodeAll(HEX.parseHex("827e007e" + "00".repeat(126))).headers.get(0).length());
    }

    @Test
    void rejectsANonMinimal64BitLength() {
        // RFC 6455 §5.2: 65535 must use the 16-bit form; 65536 (the §5.7 64 KiB example) needs the 64-bit form.
        assertViolationAtEveryStep("827f000000000000ffff", 10);
        assertViolationAtEveryStep("827f0000000000000000", 10);
        assertViolationAtEveryStep("82ff000000000000007d37fa213d", 10);
    }

    @Test
    void rejectsA64BitLengthWithTheTopBitSet() {
        // RFC 6455 §5.2: "the most significant bit MUST be 0"
        assertViolationAtEveryStep("827f8000000000000000", 10);
        assertViolationAtEveryStep("827fffffffffffffffff", 10);
    }

    /**
     * Feeds a valid frame and then {@code hex} one byte at a time, then in two calls split anywhere: no sink call
     * for the bad frame, a ProtocolException (1002) exactly when its {@code badAt}-th byte arrives, and nothing
     * at all afterwards.
     */
    private static void assertViolationAtEveryStep(String hex, int badAt) {
        byte[] bad = HEX.parseHex(hex);
        byte[] wire = concat(HEX.parseHex(UNMASKED_HELLO), bad, HEX.parseHex(UNMASKED_PING));
        int failAt = 7 + badAt;

        FrameDecoder decoder = new FrameDecoder();
        Collector sink = new Collector();
        ByteBuffer in = ByteBuffer.wrap(wire);
        for (int i = 1; i <= wire.length; i++) {
            in.limit(i);
            if (i == failAt) {
                ProtocolException e = assertThrows(ProtocolException.class, () -> decoder.decode(in, sink), hex);
                assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode());
                assertTrue(decoder.isStopped());
            } else {
                decoder.decode(in, sink);
            }
            assertEquals(i, in.position());
            assertEquals(i, in.limit());
        }
        assertEquals(List.of(new Header(true, 0, 1, false, 5)), sink.headers, "only the good frame: " + hex);
        assertEquals(1, sink.frameEnds);

        for (int split = 0; split <= wire.length; split++) {
            FrameDecoder twoCalls = new FrameDecoder();
            Collector events = new Collector();
            ByteBuffer buf = ByteBuffer.wrap(wire).limit(split);
            boolean failed = false;
            for (int limit : new int[] {split, wire.length}) {
                buf.limit(limit);
                try {
                    twoCalls.decode(buf, events);
                } catch (ProtocolException e) {
                    assertFalse(failed, "thrown twice");
                    failed = true;
                    assertTrue(limit >= failAt, "thrown before the bad byte arrived");
                }
                assertEquals(limit, buf.position());
            }
            assertTrue(failed, hex + " split " + split);
            assertEquals(1, events.headers.size(), hex + " split " + split);
        }
    }

    @Test
    void stopInOnHeaderDiscardsTheRestOfTheBufferAndLaterInput() {
        FrameDecoder decoder = new FrameDecoder();
        Collector sink = new Collector() {
            @Override
            public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
                super.onHeader(fin, rsv, opcode, masked, payloadLength);
                decoder.stop();
            }
        };
        // An empty close frame then "Hello": after the close frame's header nothing more may be reported.
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("8800" + UNMASKED_HELLO));
        decoder.decode(in, sink);
        assertEquals(List.of("header"), sink.events);
        assertFalse(in.hasRemaining());
        assertTrue(decoder.isStopped());

        ByteBuffer later = ByteBuffer.wrap(HEX.parseHex(UNMASKED_HELLO));
        decoder.decode(later, sink);
        assertEquals(List.of("header"), sink.events);
        assertFalse(later.hasRemaining());
    }

    @Test
    void stopInOnPayloadSkipsTheFrameEndAndRestoresTheBuffer() {
        FrameDecoder decoder = new FrameDecoder();
        Collector sink = new Collector() {
            @Override
            public void onPayload(ByteBuffer chunk) {
                super.onPayload(chunk);
                decoder.stop();
            }
        };
        // A buffer from index 1 to 19 of a 20-byte array: the masked "Hello" and a ping.
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("00" + MASKED_HELLO + UNMASKED_PING + "00"), 1, 18);
        decoder.decode(in, sink);
        assertEquals(List.of("header", "payload"), sink.events);
        assertEquals(19, in.limit(), "limit restored after the narrowed payload call");
        assertEquals(19, in.position());
    }

    @Test
    void stopInOnFrameEndDiscardsTheFollowingFrames() {
        FrameDecoder decoder = new FrameDecoder();
        Collector sink = new Collector() {
            @Override
            public void onFrameEnd() {
                super.onFrameEnd();
                decoder.stop();
            }
        };
        decoder.decode(ByteBuffer.wrap(HEX.parseHex(FRAGMENTED_HELLO + UNMASKED_PING)), sink);
        assertEquals(List.of(new Header(false, 0, 1, false, 3)), sink.headers);
        assertEquals(List.of("header", "payload", "end"), sink.events);
    }

    @Test
    void stopBeforeAnyInputDiscardsEverything() {
        FrameDecoder decoder = new FrameDecoder();
        assertFalse(decoder.isStopped());
        decoder.stop();
        assertTrue(decoder.isStopped());
        Collector sink = new Collector();
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex(UNMASKED_HELLO));
        decoder.decode(in, sink);
        assertTrue(sink.events.isEmpty());
        assertFalse(in.hasRemaining());
    }

    @Test
    void aThrowingSinkFailsTheDecoderWhichRethrowsAndThenDiscards() {
        RuntimeException boom = new ProtocolException(CloseCode.PROTOCOL_ERROR, "RSV1 set without an extension");
        for (String event : new String[] {"header", "payload", "end"}) {
            FrameDecoder decoder = new FrameDecoder();
            Collector sink = new Collector() {
                @Override
                public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
                    super.onHeader(fin, rsv, opcode, masked, payloadLength);
                    if (event.equals("header")) {
                        throw boom;
                    }
                }

                @Override
                public void onPayload(ByteBuffer chunk) {
                    super.onPayload(chunk);
                    if (event.equals("payload")) {
                        chunk.limit(chunk.position());     // a badly behaved sink: the decoder must repair this
                        throw boom;
                    }
                }

                @Override
                public void onFrameEnd() {
                    super.onFrameEnd();
                    if (event.equals("end")) {
                        throw boom;
                    }
                }
            };
            ByteBuffer in = ByteBuffer.wrap(HEX.parseHex(MASKED_HELLO + UNMASKED_PING));
            RuntimeException thrown = assertThrows(RuntimeException.class, () -> decoder.decode(in, sink));
            assertSame(boom, thrown);
            assertTrue(decoder.isStopped(), event);
            assertEquals(18, in.limit(), event);
            assertEquals(18, in.position(), event);
            assertEquals(event, sink.events.get(sink.events.size() - 1));
            int calls = sink.events.size();

            decoder.decode(ByteBuffer.wrap(HEX.parseHex(UNMASKED_PING)), sink);
            assertEquals(calls, sink.events.size(), "no sink call after a failure");
        }
    }

    @Test
    void decodesSmallFramesWithoutAllocatingPerFrame() throws ReflectiveOperationException {
        // 100 masked 6-byte frames in one buffer, decoded again and again. Each pass unmasks the payloads in
        // place, which flips them between masked and unmasked; the sink only counts, so that does not matter.
        byte[] one = frame(0x82, true, 0x11223344, "abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        ByteBuffer in = ByteBuffer.allocate(100 * one.length);
        for (int i = 0; i < 100; i++) {
            in.put(one);
        }
        CountingSink sink = new CountingSink();
        FrameDecoder decoder = new FrameDecoder();
        for (int round = 0; round < 2000; round++) {     // warm up: let the JIT compile the decode path
            decoder.decode(in.clear(), sink);
        }
        // com.sun.management.ThreadMXBean is reached by reflection: module io.wirefly.core (which the tests are
        // patched into) does not read jdk.management, and must not require it just for this test.
        Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Method allocated = Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getCurrentThreadAllocatedBytes");
        allocated.invoke(bean);
        sink.frames = 0;
        sink.bytes = 0;

        long before = (long) allocated.invoke(bean);
        for (int round = 0; round < 1000; round++) {
            decoder.decode(in.clear(), sink);
        }
        long after = (long) allocated.invoke(bean);

        assertEquals(100_000, sink.frames);
        assertEquals(600_000, sink.bytes);
        long total = after - before;
        assertTrue(total < 64 * 1024, "decoding 100,000 frames allocated " + total + " bytes");
    }

    /** Counts frames and payload bytes without allocating. */
    private static final class CountingSink implements FrameSink {
        long frames;
        long bytes;

        @Override
        public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
        }

        @Override
        public void onPayload(ByteBuffer chunk) {
            bytes += chunk.remaining();
        }

        @Override
        public void onFrameEnd() {
            frames++;
        }
    }
}
