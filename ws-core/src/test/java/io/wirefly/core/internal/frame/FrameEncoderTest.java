package io.wirefly.core.internal.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.Role;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final int RFC_KEY = 0x37fa213d;
    private static final byte[] HELLO = "Hello".getBytes(StandardCharsets.US_ASCII);

    private static final FrameEncoder SERVER = new FrameEncoder(Role.SERVER, null);
    private static final FrameEncoder RFC_CLIENT = new FrameEncoder(Role.CLIENT, MaskKeys.fixed(RFC_KEY));

    private static String hex(ByteBuffer buf) {
        byte[] bytes = new byte[buf.remaining()];
        buf.duplicate().get(bytes);
        return HEX.formatHex(bytes);
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] bytes = new byte[n];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void encodesTheRfcUnmaskedExamples() {
        // RFC 6455 §5.7: a single-frame unmasked text message
        assertEquals("810548656c6c6f", hex(SERVER.encode(1, true, 0, ByteBuffer.wrap(HELLO))));
        // RFC 6455 §5.7: a fragmented unmasked text message
        assertEquals("010348656c", hex(SERVER.encode(1, false, 0, ByteBuffer.wrap(HELLO, 0, 3))));
        assertEquals("80026c6f", hex(SERVER.encode(0, true, 0, ByteBuffer.wrap(HELLO, 3, 2))));
        // RFC 6455 §5.7: unmasked ping
        assertEquals("890548656c6c6f", hex(SERVER.encode(9, true, 0, ByteBuffer.wrap(HELLO))));
    }

    @Test
    void encodesTheRfcMaskedExamplesWithTheirKey() {
        // RFC 6455 §5.7: a single-frame masked text message, key 37 fa 21 3d
        assertEquals("818537fa213d7f9f4d5158", hex(RFC_CLIENT.encode(1, true, 0, ByteBuffer.wrap(HELLO))));
        // RFC 6455 §5.7: masked pong
        assertEquals("8a8537fa213d7f9f4d5158", hex(RFC_CLIENT.encode(10, true, 0, ByteBuffer.wrap(HELLO))));
    }

    @Test
    void encodesTheRfcExtendedLengthExamples() {
        // RFC 6455 §5.7: 256 bytes binary message in a single unmasked frame: 0x82 0x7E 0x0100 [256 bytes]
        byte[] payload256 = randomBytes(256, 1);
        ByteBuffer frame256 = SERVER.encode(2, true, 0, ByteBuffer.wrap(payload256));
        assertEquals("827e0100" + HEX.formatHex(payload256), hex(frame256));
        // RFC 6455 §5.7: 64KiB binary message in a single unmasked frame: 0x82 0x7F 0x0000000000010000 [65536]
        byte[] payload64k = randomBytes(65536, 2);
        ByteBuffer frame64k = SERVER.encode(2, true, 0, ByteBuffer.wrap(payload64k));
        assertEquals("827f0000000000010000", hex(frame64k.duplicate().limit(10)));
        assertEquals(ByteBuffer.wrap(payload64k), frame64k.duplicate().position(10));
        assertEquals(65546, frame64k.capacity());
    }

    @Test
    void encodeReturnsAnExactFlippedBufferAndLeavesThePayloadAlone() {
        byte[] bytes = randomBytes(300, 3);
        byte[] original = bytes.clone();
        ByteBuffer payload = ByteBuffer.wrap(bytes, 7, 200);
        FrameEncoder client = new FrameEncoder(Role.CLIENT, MaskKeys.fixed(0xcafebabe));

        ByteBuffer frame = client.encode(2, true, 0, payload);

        assertEquals(0, frame.position());
        assertEquals(4 + 4 + 200, frame.limit());
        assertEquals(frame.limit(), frame.capacity());
        assertEquals(7, payload.position());
        assertEquals(207, payload.limit());
        assertArrayEquals(original, bytes, "the caller's payload was modified");
        assertEquals("82fe00c8cafebabe", hex(frame.duplicate().limit(8)));
        byte[] body = new byte[200];
        frame.duplicate().position(8).get(body);
        for (int i = 0; i < 200; i++) {
            assertEquals((byte) (original[7 + i] ^ (0xcafebabe >>> (24 - 8 * (i & 3)))), body[i], "byte " + i);
        }
    }

    @Test
    void encodeHeaderReusesOneBufferAndMasksAClientPayloadInPlace() {
        byte[] bytes = Arrays.copyOf(HELLO, 9);
        ByteBuffer payload = ByteBuffer.wrap(bytes, 0, 5);

        ByteBuffer header = RFC_CLIENT.encodeHeader(1, true, 0, payload);

        // RFC 6455 §5.7 masked "Hello", split into header and payload for a gathering write.
        assertEquals("818537fa213d", hex(header));
        assertEquals("7f9f4d5158", hex(payload));
        assertEquals(0, payload.position());
        assertEquals(5, payload.limit());
        assertEquals(0, bytes[5], "bytes after the limit are untouched");
        assertSame(header, RFC_CLIENT.encodeHeader(9, true, 0, ByteBuffer.allocate(0)));
        assertEquals("898037fa213d", hex(header));
    }

    @Test
    void encodeHeaderNeverTouchesAServerPayload() {
        ByteBuffer payload = ByteBuffer.wrap(HELLO.clone()).asReadOnlyBuffer();
        assertEquals("8105", hex(SERVER.encodeHeader(1, true, 0, payload)));
        assertEquals("827e0100", hex(SERVER.encodeHeader(2, true, 0, ByteBuffer.allocate(256))));
        assertEquals("827f0000000000010000", hex(SERVER.encodeHeader(2, true, 0, ByteBuffer.allocate(65536))));
    }

    @Test
    void writesFinRsvAndOpcodeBits() {
        assertEquals("c100", hex(SERVER.encodeHeader(1, true, 4, ByteBuffer.allocate(0))));   // RFC 7692 RSV1
        assertEquals("7000", hex(SERVER.encodeHeader(0, false, 7, ByteBuffer.allocate(0))));
        assertEquals("8300", hex(SERVER.encodeHeader(3, true, 0, ByteBuffer.allocate(0))));   // reserved, allowed
    }

    @Test
    void eachClientFrameTakesTheNextKey() {
        int[] keys = {0x01020304, 0xa0b0c0d0};
        int[] next = {0};
        FrameEncoder client = new FrameEncoder(Role.CLIENT, () -> keys[next[0]++]);
        assertEquals("818001020304", hex(client.encode(1, true, 0, ByteBuffer.allocate(0))));
        assertEquals("8180a0b0c0d0", hex(client.encodeHeader(1, true, 0, ByteBuffer.allocate(0))));
    }

    @Test
    void headerSizeCoversEveryLengthForm() {
        assertEquals(2, FrameEncoder.headerSize(0, false));
        assertEquals(2, FrameEncoder.headerSize(125, false));
        assertEquals(4, FrameEncoder.headerSize(126, false));
        assertEquals(4, FrameEncoder.headerSize(65535, false));
        assertEquals(10, FrameEncoder.headerSize(65536, false));
        assertEquals(6, FrameEncoder.headerSize(125, true));
        assertEquals(8, FrameEncoder.headerSize(126, true));
        assertEquals(14, FrameEncoder.headerSize(65536, true));
        assertThrows(IllegalArgumentException.class, () -> FrameEncoder.headerSize(-1, false));
    }

    @Test
    void roundTripsThroughTheDecoderAtEveryLengthBoundary() {
        for (Role role : Role.values()) {
            FrameEncoder encoder = new FrameEncoder(role, MaskKeys.secure());
            for (int size : new int[] {0, 1, 125, 126, 127, 65535, 65536, 65537}) {
                byte[] payload = randomBytes(size, size);
                ByteBuffer frame = encoder.encode(2, size % 2 == 0, size % 8, ByteBuffer.wrap(payload));
                assertEquals(FrameEncoder.headerSize(size, role == Role.CLIENT) + size, frame.remaining());

                List<String> headers = new ArrayList<>();
                ByteBuffer received = ByteBuffer.allocate(size);
                new FrameDecoder().decode(frame, new FrameSink() {
                    @Override
                    public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
                        headers.add(fin + " " + rsv + " " + opcode + " " + masked + " " + payloadLength);
                    }

                    @Override
                    public void onPayload(ByteBuffer chunk) {
                        received.put(chunk);
                    }

                    @Override
                    public void onFrameEnd() {
                        headers.add("end");
                    }
                });
                String expected = (size % 2 == 0) + " " + size % 8 + " 2 " + (role == Role.CLIENT) + " " + size;
                assertEquals(List.of(expected, "end"), headers, role + " " + size);
                assertArrayEquals(payload, received.array(), role + " " + size);
            }
        }
    }

    @Test
    void rejectsInvalidArguments() {
        ByteBuffer empty = ByteBuffer.allocate(0);
        assertThrows(IllegalArgumentException.class, () -> SERVER.encode(16, true, 0, empty));
        assertThrows(IllegalArgumentException.class, () -> SERVER.encode(-1, true, 0, empty));
        assertThrows(IllegalArgumentException.class, () -> SERVER.encodeHeader(1, true, 8, empty));
        assertThrows(IllegalArgumentException.class, () -> SERVER.encodeHeader(1, true, -1, empty));
        // RFC 6455 §5.5: control frames carry at most 125 bytes and are never fragmented
        assertThrows(IllegalArgumentException.class, () -> SERVER.encode(9, true, 0, ByteBuffer.allocate(126)));
        assertThrows(IllegalArgumentException.class, () -> SERVER.encodeHeader(8, true, 0, ByteBuffer.allocate(126)));
        assertThrows(IllegalArgumentException.class, () -> SERVER.encode(10, false, 0, empty));
        assertThrows(IllegalArgumentException.class, () -> SERVER.encodeHeader(0xF, false, 0, empty));
        assertEquals(2 + 125, SERVER.encode(9, true, 0, ByteBuffer.allocate(125)).remaining());
        assertThrows(NullPointerException.class, () -> new FrameEncoder(Role.CLIENT, null));
        assertThrows(NullPointerException.class, () -> new FrameEncoder(null, MaskKeys.secure()));
    }

    @Test
    void aRejectedClientFrameConsumesNoKeyAndMasksNothing() {
        byte[] bytes = new byte[126];
        int[] calls = {0};
        FrameEncoder client = new FrameEncoder(Role.CLIENT, () -> {
            calls[0]++;
            return RFC_KEY;
        });
        assertThrows(IllegalArgumentException.class, () -> client.encodeHeader(9, true, 0, ByteBuffer.wrap(bytes)));
        assertEquals(0, calls[0]);
        assertArrayEquals(new byte[126], bytes);
    }

    @Test
    void aFrameStartedAndFinishedInPlaceEqualsTheEncodedFrame() {
        for (int size : new int[] {0, 1, 125, 126, 65535, 65536, 70000}) {
            byte[] payload = randomBytes(size, size);
            for (Role role : Role.values()) {
                FrameEncoder a = new FrameEncoder(role, MaskKeys.fixed(RFC_KEY));
                FrameEncoder b = new FrameEncoder(role, MaskKeys.fixed(RFC_KEY));
                ByteBuffer expected = a.encode(1, true, 4, ByteBuffer.wrap(payload));
                ByteBuffer frame = b.startFrame(1, true, 4, size);
                frame.put(payload);
                ByteBuffer actual = b.finishFrame(frame);
                assertEquals(0, actual.position());
                assertEquals(expected, actual, role + " frame of " + size + " bytes");
            }
        }
    }

    @Test
    void finishingAFrameWhosePayloadIsIncompleteFails() {
        ByteBuffer frame = SERVER.startFrame(2, true, 0, 4);
        frame.put((byte) 1);
        assertThrows(IllegalStateException.class, () -> SERVER.finishFrame(frame));
        assertThrows(IllegalArgumentException.class, () -> SERVER.startFrame(2, true, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> SERVER.startFrame(9, true, 0, 126));
    }

    @Test
    void anEncoderThatNeverWritesAHeaderAloneHoldsNoHeaderBuffer() {
        MaskKeys keys = MaskKeys.fixed(RFC_KEY);
        new FrameEncoder(Role.CLIENT, keys);   // warm up
        Allocations.current();
        FrameEncoder[] keep = new FrameEncoder[100];
        long before = Allocations.current();
        for (int i = 0; i < keep.length; i++) {
            keep[i] = new FrameEncoder(Role.CLIENT, keys);
        }
        long perEncoder = (Allocations.current() - before) / keep.length;
        // The object alone is 24 bytes with compressed references; a 14-byte header buffer adds about 80.
        assertTrue(perEncoder <= 32, "bytes per encoder: " + perEncoder);
        assertEquals("8180", hex(keep[0].encodeHeader(1, true, 0, ByteBuffer.allocate(0))).substring(0, 4));
    }
}
