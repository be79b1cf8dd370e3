package io.wirefly.core.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.wirefly.core.ProtocolException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import io.wirefly.core.internal.frame.MaskKeys;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Drives more than a million random and mutated inputs through server-role state machines. Each must end only in
 * events or a protocol close: no exception escapes {@code receive}, nothing happens after CLOSED, onClosed is
 * called at most once, and no message larger than the configured limit is ever assembled.
 */
class ProtocolRandomInputTest {
    private static final int INPUTS = 1_000_000;
    private static final int MAX_MESSAGE = 4096;
    private static final WebSocketConfig CONFIG = WebSocketConfig.builder()
            .maxMessageSize(MAX_MESSAGE).maxFrameSize(MAX_MESSAGE).deflate(true).deflateThreshold(0).build();

    /** Checks the listener contract on every call. */
    private static final class Checker implements ProtocolListener {
        Protocol protocol;
        int closed;
        long events;

        private void open(String what) {
            if (closed > 0) {
                fail(what + " after onClosed");
            }
            events++;
        }

        @Override
        public void onText(String text) {
            open("onText");
            assertTrue(text.length() <= MAX_MESSAGE);
        }

        @Override
        public void onBinary(ByteBuffer data) {
            open("onBinary");
            assertTrue(data.remaining() <= MAX_MESSAGE);
        }

        @Override
        public void onPing(ByteBuffer payload) {
            open("onPing");
        }

        @Override
        public void onPong(ByteBuffer payload) {
            open("onPong");
        }

        @Override
        public void onProtocolError(ProtocolException e) {
            open("onProtocolError");
            int code = e.closeCode().code();
            assertTrue(code == 1002 || code == 1007 || code == 1009, "unexpected close code " + code);
        }

        @Override
        public void onClosed(int code, String reason) {
            closed++;
            assertEquals(1, closed, "onClosed twice");
            assertEquals(ReadyState.CLOSED, protocol.state());
        }
    }

    @Test
    void randomAndMutatedInputsEndInEventsOrAProtocolClose() {
        SplittableRandom random = new SplittableRandom(0x5EED);
        byte[][] seeds = seeds();
        long totalEvents = 0;
        long closes = 0;
        for (int i = 0; i < INPUTS; i++) {
            byte[] input = (i & 3) == 0 ? randomBytes(random) : mutate(seeds[random.nextInt(seeds.length)], random);
            Checker checker = new Checker();
            DeflateParams deflate = (i & 1) == 0 ? null : new DeflateParams(false, false, 15, 15);
            Protocol p = new Protocol(Role.SERVER, CONFIG, deflate, MaskKeys.fixed(7), checker);
            checker.protocol = p;
            int at = 0;
            while (at < input.length) {
                int n = 1 + random.nextInt(input.length - at);
                ByteBuffer chunk = ByteBuffer.wrap(input, at, n);
                try {
                    p.receive(chunk);
                } catch (AssertionError e) {
                    throw e;
                } catch (Throwable t) {
                    throw new AssertionError("input " + i + " escaped receive(): " + t, t);
                }
                assertEquals(0, chunk.remaining(), "receive consumes everything");
                at += n;
            }
            totalEvents += checker.events;
            closes += checker.closed;
        }
        assertTrue(totalEvents > INPUTS / 2, "the inputs produced events: " + totalEvents);
        assertTrue(closes > INPUTS / 4, "many inputs ended in a protocol close: " + closes);
    }

    /** Valid streams of frames that mutation starts from. */
    private static byte[][] seeds() {
        return new byte[][] {
            RawFrames.fromClient().text("Hello").bytes(),
            RawFrames.fromClient().frame(false, 0, 1, "frag".getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .ping("x").frame(true, 0, 0, "ment".getBytes(java.nio.charset.StandardCharsets.UTF_8)).bytes(),
            RawFrames.fromClient().binary(new byte[200]).close(1000, "bye").bytes(),
            RawFrames.fromClient().frame(true, 0b100, 1, RawFrames.hex("f2 48 cd c9 c9 07 00")).bytes(),
            RawFrames.fromClient().text("€uro ✓").frame(true, 0, 10, new byte[3]).bytes(),
            RawFrames.fromClient().frame(false, 0, 2, new byte[130]).frame(true, 0, 0, new byte[70]).bytes(),
        };
    }

    private static byte[] randomBytes(SplittableRandom random) {
        byte[] b = new byte[1 + random.nextInt(64)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    private static byte[] mutate(byte[] seed, SplittableRandom random) {
        byte[] b = seed.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(b.length);
            switch (random.nextInt(4)) {
                case 0 -> b[at] = (byte) random.nextInt(256);
                case 1 -> b[at] ^= (byte) (1 << random.nextInt(8));
                case 2 -> b = java.util.Arrays.copyOf(b, Math.max(1, at));   // truncate
                default -> {
                    byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(8));
                    for (int i = b.length; i < longer.length; i++) {
                        longer[i] = (byte) random.nextInt(256);
                    }
                    b = longer;
                }
            }
        }
        return b;
    }
}
