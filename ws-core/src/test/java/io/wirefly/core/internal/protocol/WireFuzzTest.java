package io.wirefly.core.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.wirefly.core.HandshakeException;
import io.wirefly.core.ProtocolException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import io.wirefly.core.internal.frame.MaskKeys;
import io.wirefly.core.internal.handshake.HandshakeParser;
import io.wirefly.core.internal.handshake.HandshakeRequest;
import io.wirefly.core.internal.handshake.ServerHandshake;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzz targets (Jazzer) for what a peer controls: the bytes after the handshake, as the server's
 * engine reads them, and the handshake head itself.
 *
 * <p>Besides "nothing escapes but the documented exception", each target checks that the answer does not depend on
 * how TCP happened to split the bytes: the same input given whole and in fuzzer-chosen pieces must give the same
 * transcript. {@code ./mvnw test} replays the committed inputs under
 * {@code src/test/resources/io/wirefly/core/internal/protocol/WireFuzzTestInputs/}; {@code ws-core/fuzz/run.sh}
 * fuzzes for a given time.
 */
class WireFuzzTest {
    private static final int MAX_MESSAGE = 4096;
    private static final WebSocketConfig CONFIG = WebSocketConfig.builder()
            .maxMessageSize(MAX_MESSAGE).maxFrameSize(MAX_MESSAGE).deflate(true).deflateThreshold(0).build();

    /** Writes every engine event and every frame it queued into comparable transcripts. */
    private static final class Transcript implements ProtocolListener {
        final StringBuilder log = new StringBuilder();
        /** The frames queued, apart from the events: when the transport drains them is its own business. */
        final StringBuilder out = new StringBuilder();
        Protocol protocol;
        int closed;

        private void event(String e) {
            if (closed > 0) {
                fail(e + " after onClosed");
            }
            log.append(e).append('\n');
        }

        @Override
        public void onText(String text) {
            assertTrue(text.length() <= MAX_MESSAGE, "a text over maxMessageSize was assembled");
            event("text " + text.hashCode() + "/" + text.length());
        }

        @Override
        public void onBinary(ByteBuffer data) {
            assertTrue(data.remaining() <= MAX_MESSAGE, "a binary over maxMessageSize was assembled");
            event("binary " + data.hashCode() + "/" + data.remaining());
        }

        @Override
        public void onPing(ByteBuffer payload) {
            event("ping " + payload.remaining());
        }

        @Override
        public void onPong(ByteBuffer payload) {
            event("pong " + payload.remaining());
        }

        @Override
        public void onProtocolError(ProtocolException e) {
            int code = e.closeCode().code();
            assertTrue(code == 1002 || code == 1007 || code == 1009, "unexpected close code " + code);
            event("error " + code);
        }

        @Override
        public void onClosed(int code, String reason) {
            assertEquals(ReadyState.CLOSED, protocol.state(), "onClosed before the state is CLOSED");
            event("closed " + code);
            closed++;
        }

        void drain() {
            protocol.drainOutbound((frame, kind, tag) -> {
                byte[] b = new byte[frame.remaining()];
                frame.get(b);
                out.append(kind).append(' ');
                if (kind == OutboundKind.CLOSE || kind == OutboundKind.CLOSE_ABORT) {
                    // The code only: when one input has two faults (bad deflate data that also inflates to bad
                    // UTF-8), the split may decide which one the reason names, never the code.
                    out.append(b.length >= 4 ? ((b[2] & 0xFF) << 8) | (b[3] & 0xFF) : -1);
                } else {
                    out.append(Arrays.hashCode(b));
                }
                out.append('\n');
            });
        }
    }

    private static Transcript run(byte[] original, int[] cuts, boolean deflate, boolean smallBudget) {
        return run(original, cuts, deflate, smallBudget, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /** @param maxFrames and maxInflated bound each receive call, as the transport does per turn of its loop */
    private static Transcript run(byte[] original, int[] cuts, boolean deflate, boolean smallBudget, int maxFrames,
            int maxInflated) {
        byte[] input = original.clone();   // the engine unmasks in place, as in the transport's read buffer
        Transcript t = new Transcript();
        DeflateParams params = deflate ? new DeflateParams(false, false, 15, 15) : null;
        InboundBudget budget = smallBudget ? InboundBudget.bounded(6 * 1024) : InboundBudget.UNLIMITED;
        t.protocol = new Protocol(Role.SERVER, CONFIG, params, MaskKeys.fixed(7), t, budget);
        int at = 0;
        for (int i = 0; at < input.length; i++) {
            int n = i < cuts.length ? Math.min(cuts[i], input.length - at) : input.length - at;
            ByteBuffer chunk = ByteBuffer.wrap(input, at, n);
            for (int calls = 0; calls == 0 || chunk.hasRemaining(); calls++) {
                // Each call takes input or gives out decompressed bytes (at most MAX_MESSAGE a message).
                assertTrue(calls <= (long) (n + 1) * (MAX_MESSAGE + 1), "a bounded receive makes no progress");
                try {
                    t.protocol.receive(chunk, maxFrames, maxInflated);
                } catch (AssertionError e) {
                    throw e;
                } catch (Throwable e) {
                    throw new AssertionError("escaped receive(): " + e, e);
                }
                if (maxFrames == Integer.MAX_VALUE && maxInflated == Integer.MAX_VALUE) {
                    assertEquals(0, chunk.remaining(), "receive consumes everything");
                }
            }
            t.drain();   // the transport drains between reads; doing so must not change what comes next
            at += n;
        }
        t.protocol.receiveEof();
        t.drain();
        assertEquals(1, t.closed, "onClosed exactly once by the end");
        return t;
    }

    /**
     * The server engine on arbitrary bytes: only events and protocol closes (1002, 1007, 1009), nothing after
     * onClosed, no message over the limit, and the same transcript however the bytes are split.
     */
    @FuzzTest(maxDuration = "30s")
    void serverEngine(FuzzedDataProvider data) {
        boolean deflate = data.consumeBoolean();
        boolean smallBudget = data.consumeBoolean();
        int pieces = data.consumeInt(0, 8);
        int[] cuts = new int[pieces];
        for (int i = 0; i < pieces; i++) {
            cuts[i] = data.consumeInt(1, 64);
        }
        // Derived from the cuts rather than read from the input, so that the committed corpus keeps its meaning.
        int maxFrames = 1 + pieces % 4;
        int maxInflated = pieces > 0 ? cuts[0] * 64 : 4096;
        byte[] input = data.consumeRemainingAsBytes();
        Transcript whole = run(input, new int[0], deflate, smallBudget);
        Transcript split = run(input, cuts, deflate, smallBudget);
        assertEquals(whole.log.toString(), split.log.toString(), "the split changed the events");
        assertEquals(whole.out.toString(), split.out.toString(), "the split changed the frames sent");
        // Bounded calls, as the transport makes them: the same events (pongs may be coalesced differently).
        Transcript bounded = run(input, cuts, deflate, smallBudget, maxFrames, maxInflated);
        assertEquals(whole.log.toString(), bounded.log.toString(), "bounded receive calls changed the events");
    }

    /**
     * The request head parser and the server's checks on arbitrary bytes: a request or a {@link HandshakeException}
     * with an HTTP error status, never anything else, and the same answer given whole or one byte at a time.
     */
    @FuzzTest(maxDuration = "30s")
    void handshakeHead(byte[] input) {
        String whole = parseHead(input, input.length);
        String byteByByte = parseHead(input, 1);
        assertEquals(whole, byteByByte, "the split changed the outcome");
    }

    private static String parseHead(byte[] input, int step) {
        HandshakeParser parser = HandshakeParser.forRequests(CONFIG);
        try {
            for (int at = 0; at < input.length; at += step) {
                ByteBuffer chunk = ByteBuffer.wrap(input, at, Math.min(step, input.length - at));
                if (parser.parse(chunk)) {
                    return accepted(parser.request(), chunk.position());
                }
            }
            return "incomplete";
        } catch (HandshakeException e) {
            assertTrue(e.httpStatus() >= 400 && e.httpStatus() < 600, "status " + e.httpStatus());
            return "rejected " + e.httpStatus();
        }
    }

    private static String accepted(HandshakeRequest request, int consumedEnd) {
        List<String> headers = new ArrayList<>();
        request.headers().forEach(h -> headers.add(h.getKey() + ": " + h.getValue()));
        String head = request.method() + " " + request.target() + " " + request.path() + " ? " + request.query()
                + " " + request.version() + " " + headers + " @" + consumedEnd;
        try {
            ServerHandshake.Result r = ServerHandshake.accept(request, List.of("chat"), CONFIG);
            byte[] response = new byte[r.response().remaining()];
            r.response().duplicate().get(response);
            assertTrue(new String(response, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 101 "));
            return head + " -> 101 " + r.subprotocol() + " " + (r.deflate() != null);
        } catch (HandshakeException e) {
            assertTrue(e.httpStatus() >= 400 && e.httpStatus() < 600, "status " + e.httpStatus());
            return head + " -> " + e.httpStatus();
        }
    }
}
