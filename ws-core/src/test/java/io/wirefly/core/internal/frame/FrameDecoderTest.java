package io.wirefly.core.internal.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int RFC_KEY = 0x37fa213d;
    private static final int[] SIZES = {0, 1, 125, 126, 127, 65535, 65536, 65537};

    /** A frame as the test expects it, with its own wire writer (independent of {@link FrameEncoder}). */
    record Frame(boolean fin, int rsv, int opcode, boolean masked, int key, byte[] payload) {
        byte[] wire() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write((fin ? 0x80 : 0) | rsv << 4 | opcode);
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
                for (int shift = 24; shift >= 0; shift -= 8) {
                    out.write(key >>> shift);
                }
                // RFC 6455 §5.3, literally: octet i XOR masking-key octet (i MOD 4)
                for (int i = 0; i < body.length; i++) {
                    body[i] ^= (byte) (key >>> (24 - 8 * (i % 4)));
                }
            }
            out.writeBytes(body);
            return out.toByteArray();
        }
    }

    /**
     * Checks every call against the expected frames as it happens, without copying payload, and checks the
     * {@link FrameSink} contract: non-empty chunks, zero-length frames with no payload call.
     */
    static final class ExpectingSink implements FrameSink {
        private final List<Frame> expected;
        private int frame;
        private int offset = -1;

        ExpectingSink(List<Frame> expected) {
            this.expected = expected;
        }

        @Override
        public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
            if (frame >= expected.size() || offset >= 0) {
                fail("unexpected header in frame " + frame + " at payload offset " + offset);
            }
            Frame f = expected.get(frame);
            if (f.fin != fin || f.rsv != rsv || f.opcode != opcode || f.masked != masked
                    || f.payload.length != payloadLength) {
                fail("frame " + frame + ": header " + fin + "/" + rsv + "/" + opcode + "/" + masked + "/"
                        + payloadLength + " instead of " + f);
            }
            offset = 0;
        }

        @Override
        public void onPayload(ByteBuffer chunk) {
            int n = chunk.remaining();
            if (offset < 0 || n == 0 || offset + n > expected.get(frame).payload.length) {
                fail("frame " + frame + ": chunk of " + n + " bytes at payload offset " + offset);
            }
            int mismatch = chunk.mismatch(ByteBuffer.wrap(expected.get(frame).payload, offset, n));
            if (mismatch >= 0) {
                fail("frame " + frame + ": payload differs at " + (offset + mismatch));
            }
            offset += n;
            // Move the position like a consumer that reads the chunk; the decoder must not depend on it.
            chunk.position(chunk.limit());
        }

        @Override
        public void onFrameEnd() {
            if (offset != expected.get(frame).payload.length) {
                fail("frame " + frame + " ended after " + offset + " payload bytes");
            }
            frame++;
            offset = -1;
        }

        void assertAllSeen() {
            assertEquals(expected.size(), frame, "frames completed");
            assertEquals(-1, offset, "no frame left open");
        }
    }

    /** Records calls as text; payload chunks joined per frame. */
    static final class RecordingSink implements FrameSink {
        final List<String> events = new ArrayList<>();
        private final StringBuilder payload = new StringBuilder();
        int payloadCalls;

        @Override
        public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
            events.add("header fin=" + fin + " rsv=" + rsv + " opcode=" + opcode + " masked=" + masked
                    + " length=" + payloadLength);
        }

        @Override
        public void onPayload(ByteBuffer chunk) {
            payloadCalls++;
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            payload.append(HEX.formatHex(bytes));
        }

        @Override
        public void onFrameEnd() {
            events.add("end " + payload);
            payload.setLength(0);
        }
    }

    private static ByteBuffer buffer(byte[] content, boolean direct) {
        ByteBuffer buf = direct ? ByteBuffer.allocateDirect(content.length) : ByteBuffer.allocate(content.length);
        return buf.put(content).flip();
    }

    private static byte[] concat(List<Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            out.writeBytes(f.wire());
        }
        return out.toByteArray();
    }

    private static List<String> decodeWhole(String hex) {
        RecordingSink sink = new RecordingSink();
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex(hex));
        new FrameDecoder().decode(in, sink);
        assertFalse(in.hasRemaining());
        return sink.events;
    }

    @Test
    void decodesTheRfcExamples() {
        // RFC 6455 §5.7: a single-frame unmasked text message "Hello"
        assertEquals(List.of("header fin=true rsv=0 opcode=1 masked=false length=5", "end 48656c6c6f"),
                decodeWhole("810548656c6c6f"));
        // RFC 6455 §5.7: a single-frame masked text message "Hello", key 37 fa 21 3d
        assertEquals(List.of("header fin=true rsv=0 opcode=1 masked=true length=5", "end 48656c6c6f"),
                decodeWhole("818537fa213d7f9f4d5158"));
        // RFC 6455 §5.7: a fragmented unmasked text message, "Hel" then "lo"
        assertEquals(List.of("header fin=false rsv=0 opcode=1 masked=false length=3", "end 48656c",
                "header fin=true rsv=0 opcode=0 masked=false length=2", "end 6c6f"),
                decodeWhole("010348656c" + "80026c6f"));
        // RFC 6455 §5.7: unmasked ping "Hello", and a masked pong "Hello" in reply
        assertEquals(List.of("header fin=true rsv=0 opcode=9 masked=false length=5", "end 48656c6c6f"),
                decodeWhole("890548656c6c6f"));
        assertEquals(List.of("header fin=true rsv=0 opcode=10 masked=true length=5", "end 48656c6c6f"),
                decodeWhole("8a8537fa213d7f9f4d5158"));
    }

    @Test
    void decodesTheRfcExtendedLengthHeaders() {
        // RFC 6455 §5.7: 256 bytes of binary data in a single unmasked frame: 0x82 0x7E 0x0100 [256 bytes]
        byte[] small = new byte[256];
        new Random(256).nextBytes(small);
        ExpectingSink sink = new ExpectingSink(List.of(new Frame(true, 0, 2, false, 0, small)));
        new FrameDecoder().decode(ByteBuffer.wrap(HEX.parseHex("827e0100" + HEX.formatHex(small))), sink);
        sink.assertAllSeen();
        // RFC 6455 §5.7: 64KiB of binary data in a single unmasked frame: 0x82 0x7F 0x0000000000010000 [65536 bytes]
        byte[] big = new byte[65536];
        new Random(65536).nextBytes(big);
        sink = new ExpectingSink(List.of(new Frame(true, 0, 2, false, 0, big)));
        ByteBuffer in = ByteBuffer.allocate(10 + big.length).put(HEX.parseHex("827f0000000000010000")).put(big).flip();
        new FrameDecoder().decode(in, sink);
        sink.assertAllSeen();
    }

    @Test
    void unmasksInPlaceInTheCallersBuffer() {
        // RFC 6455 §5.7: masked "Hello"; the payload bytes become plain text where they are
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("818537fa213d7f9f4d5158"));
        List<Integer> chunkPositions = new ArrayList<>();
        new FrameDecoder().decode(in, new FrameSink() {
            @Override
            public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
            }

            @Override
            public void onPayload(ByteBuffer chunk) {
                assertSame(in, chunk, "the caller's buffer itself, not a slice");
                chunkPositions.add(chunk.position());
                chunkPositions.add(chunk.limit());
            }

            @Override
            public void onFrameEnd() {
            }
        });
        assertEquals(List.of(6, 11), chunkPositions);
        assertEquals("818537fa213d48656c6c6f", HEX.formatHex(in.array()));
        assertEquals(11, in.position());
        assertEquals(11, in.limit());
    }

    @Test
    void zeroLengthFrameHasHeaderAndEndButNoPayloadCall() {
        RecordingSink sink = new RecordingSink();
        // an empty unmasked ping, then an empty masked close (RFC 6455 §5.5.1: a close frame MAY have no body)
        new FrameDecoder().decode(ByteBuffer.wrap(HEX.parseHex("8900" + "888001020304")), sink);
        assertEquals(List.of("header fin=true rsv=0 opcode=9 masked=false length=0", "end ",
                "header fin=true rsv=0 opcode=8 masked=true length=0", "end "), sink.events);
        assertEquals(0, sink.payloadCalls);
    }

    @Test
    void reportsRawRsvBitsAndReservedOpcodesWithoutJudgingThem() {
        // RSV1|RSV3, reserved opcode 3, not final: the decoder only tokenises (RFC 6455 §5.2 rules are the
        // Protocol's)
        assertEquals(List.of("header fin=false rsv=5 opcode=3 masked=false length=1", "end 2a"),
                decodeWhole("53012a"));
        // a control frame above 125 bytes is also passed on
        String hex = "897e007e" + "00".repeat(126);
        assertEquals("header fin=true rsv=0 opcode=9 masked=false length=126", decodeWhole(hex).get(0));
    }

    @Test
    void passesOnTheLargestLegalLength() {
        // RFC 6455 §5.2: a 64-bit length with the most significant bit 0: 2^63 - 1
        RecordingSink sink = new RecordingSink();
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("827f7fffffffffffffff" + "0102"));
        FrameDecoder decoder = new FrameDecoder();
        decoder.decode(in, sink);
        assertEquals(List.of("header fin=true rsv=0 opcode=2 masked=false length=9223372036854775807"), sink.events);
        assertEquals(1, sink.payloadCalls);
        assertFalse(decoder.isStopped());
    }

    private static List<Frame> framesOfEverySize(boolean masked, Random random) {
        List<Frame> frames = new ArrayList<>();
        for (int size : SIZES) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            frames.add(new Frame(size % 2 == 0, size & 7, size % 3, masked, random.nextInt(), payload));
        }
        return frames;
    }

    @Test
    void decodesEveryFrameOneByteAtATime() {
        Random random = new Random(5);
        for (boolean masked : new boolean[] {false, true}) {
            List<Frame> frames = framesOfEverySize(masked, random);
            byte[] stream = concat(frames);
            for (boolean direct : new boolean[] {false, true}) {
                ByteBuffer in = buffer(stream, direct);
                FrameDecoder decoder = new FrameDecoder();
                ExpectingSink sink = new ExpectingSink(frames);
                for (int i = 0; i < stream.length; i++) {
                    in.limit(i + 1).position(i);
                    decoder.decode(in, sink);
                    assertEquals(i + 1, in.position());
                }
                sink.assertAllSeen();
            }
        }
    }

    /**
     * Every frame size, split once at every point of the stream "frame, then a 2-byte frame" (so the second
     * call also has to find the next header). Unmasked input is not modified by decoding, so one buffer serves
     * all splits; masked input is restored from the wire bytes before each split.
     */
    @Test
    void decodesEveryFrameSplitAtEveryPoint() {
        Random random = new Random(6455);
        for (boolean masked : new boolean[] {false, true}) {
            for (int size : SIZES) {
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                List<Frame> frames = List.of(new Frame(true, 0, 2, masked, random.nextInt(), payload),
                        new Frame(true, 0, 9, masked, random.nextInt(), new byte[] {'o', 'k'}));
                byte[] stream = concat(frames);
                for (boolean direct : new boolean[] {false, true}) {
                    ByteBuffer in = buffer(stream, direct);
                    for (int split = 0; split <= stream.length; split++) {
                        if (masked) {
                            in.clear().put(stream).flip();
                        }
                        FrameDecoder decoder = new FrameDecoder();
                        ExpectingSink sink = new ExpectingSink(frames);
                        in.limit(split).position(0);
                        decoder.decode(in, sink);
                        assertEquals(split, in.position());
                        in.limit(stream.length);
                        decoder.decode(in, sink);
                        assertEquals(stream.length, in.position());
                        sink.assertAllSeen();
                    }
                }
            }
        }
    }

    @Test
    void decodesARandomStreamCutIntoRandomPieces() {
        Random random = new Random(17);
        for (int round = 0; round < 50; round++) {
            List<Frame> frames = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int size = random.nextInt(4) == 0 ? random.nextInt(70_000) : random.nextInt(300);
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                frames.add(new Frame(random.nextBoolean(), random.nextInt(8), random.nextInt(16),
                        random.nextBoolean(), random.nextInt(), payload));
            }
            byte[] stream = concat(frames);
            ByteBuffer in = buffer(stream, random.nextBoolean());
            FrameDecoder decoder = new FrameDecoder();
            ExpectingSink sink = new ExpectingSink(frames);
            int pos = 0;
            while (pos < stream.length) {
                int end = Math.min(stream.length, pos + 1 + random.nextInt(random.nextBoolean() ? 16 : 40_000));
                in.limit(end).position(pos);
                decoder.decode(in, sink);
                pos = end;
            }
            sink.assertAllSeen();
        }
    }

    private static void assertViolation(String hex, String detailFragment) {
        byte[] wire = HEX.parseHex(hex);
        // whole, and one byte at a time
        for (int step : new int[] {wire.length, 1}) {
            FrameDecoder decoder = new FrameDecoder();
            RecordingSink sink = new RecordingSink();
            ByteBuffer in = ByteBuffer.wrap(wire);
            ProtocolException e = null;
            for (int pos = 0; pos < wire.length && e == null; pos += step) {
                in.limit(Math.min(wire.length, pos + step)).position(pos);
                try {
                    decoder.decode(in, sink);
                } catch (ProtocolException thrown) {
                    e = thrown;
                    assertEquals(in.limit(), in.position(), "input consumed when it throws");
                }
            }
            if (e == null) {
                fail("no violation for " + hex);
            }
            assertEquals(CloseCode.PROTOCOL_ERROR, e.closeCode(), hex);
            assertTrue(e.getMessage().contains(detailFragment), e.getMessage());
            assertEquals(List.of(), sink.events, "no header for a bad length");
            assertTrue(decoder.isStopped());
            // From now on everything is discarded: a valid frame gives no calls.
            ByteBuffer more = ByteBuffer.wrap(HEX.parseHex("810548656c6c6f"));
            decoder.decode(more, sink);
            assertFalse(more.hasRemaining());
            assertEquals(List.of(), sink.events);
        }
    }

    @Test
    void rejectsNonMinimalAndOversizedLengthsWithProtocolError() {
        // RFC 6455 §5.2: "the minimal number of bytes MUST be used to encode the length"
        assertViolation("817e007d" + "00".repeat(125), "125 sent in the 16-bit form");
        assertViolation("817e0000", "0 sent in the 16-bit form");
        assertViolation("81fe0005" + "01020304" + "0000000000", "5 sent in the 16-bit form");
        assertViolation("827f000000000000ffff", "65535 sent in the 64-bit form");
        assertViolation("827f0000000000000000", "0 sent in the 64-bit form");
        // RFC 6455 §5.2: "the most significant bit MUST be 0"
        assertViolation("827f8000000000000000", "most significant bit");
        assertViolation("827fffffffffffffffff", "most significant bit");
    }

    @Test
    void acceptsTheSmallestLengthOfEachExtendedForm() {
        // RFC 6455 §5.2: 126 is the first length in the 16-bit form, 65536 the first in the 64-bit form
        assertEquals("header fin=true rsv=0 opcode=2 masked=false length=126",
                decodeWhole("827e007e" + "00".repeat(126)).get(0));
        RecordingSink sink = new RecordingSink();
        new FrameDecoder().decode(ByteBuffer.wrap(HEX.parseHex("827f0000000000010000")), sink);
        assertEquals(List.of("header fin=true rsv=0 opcode=2 masked=false length=65536"), sink.events);
    }

    @Test
    void sinkExceptionFailsTheDecoderAndIsRethrownUnchanged() {
        IllegalStateException boom = new IllegalStateException("boom");
        RecordingSink recorder = new RecordingSink();
        FrameSink throwing = new FrameSink() {
            @Override
            public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
                recorder.onHeader(fin, rsv, opcode, masked, payloadLength);
            }

            @Override
            public void onPayload(ByteBuffer chunk) {
                chunk.limit(chunk.position());   // mess with the buffer before throwing
                throw boom;
            }

            @Override
            public void onFrameEnd() {
                recorder.onFrameEnd();
            }
        };
        FrameDecoder decoder = new FrameDecoder();
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("810548656c6c6f" + "890548656c6c6f"));
        assertSame(boom, assertThrows(IllegalStateException.class, () -> decoder.decode(in, throwing)));
        assertTrue(decoder.isStopped());
        assertEquals(14, in.limit(), "limit restored");
        assertEquals(14, in.position(), "the rest of the input consumed");
        ByteBuffer more = ByteBuffer.wrap(HEX.parseHex("810548656c6c6f"));
        decoder.decode(more, throwing);
        assertFalse(more.hasRemaining());
        assertEquals(1, recorder.events.size(), "only the first header: " + recorder.events);
    }

    @Test
    void protocolExceptionFromOnHeaderStopsBeforeAnyPayload() {
        ProtocolException reserved = new ProtocolException(CloseCode.PROTOCOL_ERROR, "RSV1 without an extension");
        List<String> calls = new ArrayList<>();
        FrameSink strict = new FrameSink() {
            @Override
            public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
                calls.add("header");
                if (rsv != 0) {
                    throw reserved;
                }
            }

            @Override
            public void onPayload(ByteBuffer chunk) {
                calls.add("payload");
            }

            @Override
            public void onFrameEnd() {
                calls.add("end");
            }
        };
        FrameDecoder decoder = new FrameDecoder();
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("c10548656c6c6f" + "8100"));
        assertSame(reserved, assertThrows(ProtocolException.class, () -> decoder.decode(in, strict)));
        assertEquals(List.of("header"), calls);
        assertFalse(in.hasRemaining());
    }

    /** A sink that stops the decoder at a chosen call, as the Protocol does after a close frame. */
    private static final class StoppingSink implements FrameSink {
        final RecordingSink recorder = new RecordingSink();
        final String stopAt;
        FrameDecoder decoder;

        StoppingSink(String stopAt) {
            this.stopAt = stopAt;
        }

        @Override
        public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
            recorder.onHeader(fin, rsv, opcode, masked, payloadLength);
            if (stopAt.equals("header") && opcode == 8) {
                decoder.stop();
            }
        }

        @Override
        public void onPayload(ByteBuffer chunk) {
            recorder.onPayload(chunk);
            if (stopAt.equals("payload")) {
                decoder.stop();
            }
        }

        @Override
        public void onFrameEnd() {
            recorder.onFrameEnd();
            if (stopAt.equals("end")) {
                decoder.stop();
            }
        }
    }

    @Test
    void stopDiscardsTheRestOfTheSameBufferAndEverythingAfter() {
        // a close frame (code 1000), then a text frame that must never be seen
        String closeThenText = "88020" + "3e8" + "810548656c6c6f";
        List<List<String>> expectedByStopPoint = List.of(
                List.of("header fin=true rsv=0 opcode=8 masked=false length=2"),
                List.of("header fin=true rsv=0 opcode=8 masked=false length=2"),
                List.of("header fin=true rsv=0 opcode=8 masked=false length=2", "end 03e8"));
        List<String> stopPoints = List.of("header", "payload", "end");
        for (int i = 0; i < stopPoints.size(); i++) {
            StoppingSink sink = new StoppingSink(stopPoints.get(i));
            FrameDecoder decoder = new FrameDecoder();
            sink.decoder = decoder;
            ByteBuffer in = ByteBuffer.wrap(HEX.parseHex(closeThenText));
            decoder.decode(in, sink);
            assertTrue(decoder.isStopped());
            assertEquals(in.limit(), in.position(), "the discarded input is consumed");
            assertEquals(expectedByStopPoint.get(i), sink.recorder.events, "stop in " + stopPoints.get(i));
            ByteBuffer more = ByteBuffer.wrap(HEX.parseHex("8100"));
            decoder.decode(more, sink);
            assertFalse(more.hasRemaining());
            assertEquals(expectedByStopPoint.get(i), sink.recorder.events);
        }
    }

    @Test
    void stopBeforeAnyInputDiscardsEverything() {
        FrameDecoder decoder = new FrameDecoder();
        assertFalse(decoder.isStopped());
        decoder.stop();
        assertTrue(decoder.isStopped());
        RecordingSink sink = new RecordingSink();
        ByteBuffer in = ByteBuffer.wrap(HEX.parseHex("810548656c6c6f"));
        decoder.decode(in, sink);
        assertFalse(in.hasRemaining());
        assertEquals(List.of(), sink.events);
        assertArrayEquals(HEX.parseHex("810548656c6c6f"), in.array(), "nothing unmasked or changed");
    }

    @Test
    void emptyInputIsANoOp() {
        FrameDecoder decoder = new FrameDecoder();
        RecordingSink sink = new RecordingSink();
        decoder.decode(ByteBuffer.allocate(0), sink);
        decoder.decode(ByteBuffer.wrap(HEX.parseHex("8105")), sink);
        decoder.decode(ByteBuffer.allocate(0), sink);
        decoder.decode(ByteBuffer.wrap(HEX.parseHex("48656c6c6f")), sink);
        assertEquals(List.of("header fin=true rsv=0 opcode=1 masked=false length=5", "end 48656c6c6f"), sink.events);
    }

    @Test
    void aPauseInsideAPayloadHandsTheUntakenBytesOnAgainUnmaskedOnce() {
        Random random = new Random(7);
        List<Frame> frames = new ArrayList<>();
        for (int size : new int[] {1000, 3, 0, 70_000}) {
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            frames.add(new Frame(true, 0, 2, true, random.nextInt(), payload));
        }
        frames.add(new Frame(true, 0, 1, false, 0, new byte[] {'h', 'i'}));
        ExpectingSink check = new ExpectingSink(frames);
        FrameDecoder decoder = new FrameDecoder();
        // Takes at most 7 bytes of each chunk, then pauses: the rest must come again, byte for byte.
        FrameSink stingy = new FrameSink() {
            @Override
            public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
                check.onHeader(fin, rsv, opcode, masked, payloadLength);
            }

            @Override
            public void onPayload(ByteBuffer chunk) {
                int take = Math.min(7, chunk.remaining());
                ByteBuffer taken = chunk.duplicate();
                taken.limit(taken.position() + take);
                check.onPayload(taken);
                chunk.position(chunk.position() + take);
                if (chunk.hasRemaining()) {
                    decoder.pause();
                }
            }

            @Override
            public void onFrameEnd() {
                check.onFrameEnd();
            }
        };
        ByteBuffer in = ByteBuffer.wrap(concat(frames));
        int calls = 0;
        while (in.hasRemaining() && calls < 20_000) {
            decoder.decode(in, stingy);
            calls++;
        }
        check.assertAllSeen();
        assertTrue(calls > 10_000, calls + " calls: every pause returned");
        assertFalse(decoder.isStopped());
    }

    @Test
    void aPauseFromOnFrameEndStopsBetweenFrames() {
        List<Frame> frames = List.of(new Frame(true, 0, 1, true, RFC_KEY, new byte[] {1, 2}),
                new Frame(true, 0, 9, true, RFC_KEY, new byte[0]), new Frame(true, 0, 2, true, RFC_KEY, new byte[5]));
        byte[] wire = concat(frames);
        ExpectingSink check = new ExpectingSink(frames);
        FrameDecoder decoder = new FrameDecoder();
        FrameSink pausing = new FrameSink() {
            @Override
            public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
                check.onHeader(fin, rsv, opcode, masked, payloadLength);
            }

            @Override
            public void onPayload(ByteBuffer chunk) {
                check.onPayload(chunk);
            }

            @Override
            public void onFrameEnd() {
                check.onFrameEnd();
                decoder.pause();
            }
        };
        ByteBuffer in = ByteBuffer.wrap(wire);
        decoder.decode(in, pausing);
        assertEquals(8, in.position(), "after the first frame (2 + 4 + 2 bytes)");
        decoder.decode(in, pausing);
        assertEquals(14, in.position(), "after the empty ping");
        decoder.decode(in, pausing);
        assertEquals(wire.length, in.position());
        check.assertAllSeen();
    }
}
