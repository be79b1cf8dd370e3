package io.wirefly.core.internal.deflate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeflateParamsTest {
    /** Context takeover both ways, so each parameter below comes from the offer (or the answer) alone. */
    private static final WebSocketConfig ON = WebSocketConfig.builder().deflate(true)
            .deflateServerNoContextTakeover(false).deflateClientNoContextTakeover(false).build();

    private static Optional<DeflateParams> negotiate(String... headerValues) {
        return DeflateParams.negotiate(List.of(headerValues), ON);
    }

    @Test
    void plainOfferIsAcceptedWithDefaults() {
        DeflateParams p = negotiate("permessage-deflate").orElseThrow();
        assertEquals(new DeflateParams(false, false, 15, 15), p);
        assertEquals("permessage-deflate; server_max_window_bits=15", p.responseHeader());
    }

    @Test
    void chromesOfferWithClientMaxWindowBitsWithoutValue() {
        DeflateParams p = negotiate("permessage-deflate; client_max_window_bits").orElseThrow();
        assertEquals(new DeflateParams(false, false, 15, 15), p);
    }

    @Test
    void clientMaxWindowBitsHintIsRecordedAndEchoed() {
        DeflateParams p = negotiate("permessage-deflate; client_max_window_bits=10").orElseThrow();
        assertEquals(10, p.clientMaxWindowBits());
        assertEquals("permessage-deflate; server_max_window_bits=15; client_max_window_bits=10",
                p.responseHeader());
    }

    @Test
    void allFourParametersWithQuotedValuesAndOddCase() {
        DeflateParams p = negotiate("Permessage-Deflate; Server_No_Context_Takeover; client_no_context_takeover;"
                + " server_max_window_bits=\"15\"; client_max_window_bits=\"8\"").orElseThrow();
        assertEquals(new DeflateParams(true, true, 15, 8), p);
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
                + " server_max_window_bits=15; client_max_window_bits=8", p.responseHeader());
    }

    @Test
    void byDefaultNeitherSideTakesContextOver() {
        // Compressors then hold nothing between messages (shared per event loop, not kept per connection).
        WebSocketConfig defaults = WebSocketConfig.builder().deflate(true).build();
        DeflateParams p = DeflateParams.negotiate(List.of("permessage-deflate; client_max_window_bits"), defaults)
                .orElseThrow();
        assertEquals(new DeflateParams(true, true, 15, 15), p);
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
                + " server_max_window_bits=15", p.responseHeader());
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
                + " client_max_window_bits, permessage-deflate; client_no_context_takeover; client_max_window_bits",
                DeflateParams.offer(defaults));
    }

    @Test
    void configAddsTheNoContextTakeoverParameters() {
        WebSocketConfig config = ON.toBuilder().deflateServerNoContextTakeover(true)
                .deflateClientNoContextTakeover(true).build();
        DeflateParams p = DeflateParams.negotiate(List.of("permessage-deflate"), config).orElseThrow();
        assertEquals(new DeflateParams(true, true, 15, 15), p);
    }

    @Test
    void smallServerWindowIsAcceptedAndAnsweredWithTheSameValue() {
        // RFC 7692 §7.1.2.1: the answer must name a value <= the offered one; we compress Huffman-only below 15
        DeflateParams p = negotiate("permessage-deflate; server_max_window_bits=10, permessage-deflate")
                .orElseThrow();
        assertEquals(new DeflateParams(false, false, 10, 15), p);
        assertEquals("permessage-deflate; server_max_window_bits=10", p.responseHeader());
        assertEquals(new DeflateParams(true, false, 9, 15),
                negotiate("permessage-deflate; server_no_context_takeover; server_max_window_bits=9").orElseThrow());
    }

    @Test
    void offersSpreadOverSeveralHeaderLines() {
        DeflateParams p = negotiate("x-webkit-deflate-frame", "permessage-deflate; server_no_context_takeover")
                .orElseThrow();
        assertTrue(p.serverNoContextTakeover());
    }

    @Test
    void malformedOffersAreDeclinedOneByOne() {
        String[] bad = {
            "permessage-deflate; unknown_param",
            "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
            "permessage-deflate; server_no_context_takeover=1",
            "permessage-deflate; client_no_context_takeover=yes",
            "permessage-deflate; server_max_window_bits",
            "permessage-deflate; server_max_window_bits=16",
            "permessage-deflate; server_max_window_bits=015",
            "permessage-deflate; client_max_window_bits=7",
            "permessage-deflate; client_max_window_bits=abc",
            "permessage-deflate; client_max_window_bits=\"1 5\"",
            "permessage-deflate; client_max_window_bits=\"15",
            "permessage-deflate; =15",
        };
        for (String offer : bad) {
            assertEquals(Optional.empty(), negotiate(offer), offer);
            // the same malformed offer followed by a good one: the good one wins
            assertEquals(Optional.of(new DeflateParams(false, false, 15, 15)),
                    negotiate(offer, "permessage-deflate"), offer);
        }
    }

    @Test
    void otherExtensionsOnlyMeanNoCompression() {
        assertEquals(Optional.empty(), negotiate("x-webkit-deflate-frame; no_context_takeover"));
        assertEquals(Optional.empty(), negotiate());
    }

    @Test
    void clientOfferFollowsTheConfigAndLetsTheServerLimitOurWindow() {
        assertEquals("permessage-deflate; client_max_window_bits", DeflateParams.offer(ON));
        WebSocketConfig both = ON.toBuilder().deflateServerNoContextTakeover(true)
                .deflateClientNoContextTakeover(true).build();
        assertEquals("permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
                + " client_max_window_bits, permessage-deflate; client_no_context_takeover; client_max_window_bits",
                DeflateParams.offer(both), "then a second offer, for a server that keeps its context");
        // what we offer, a server of ours accepts
        assertEquals(new DeflateParams(true, true, 15, 15),
                DeflateParams.negotiate(List.of(DeflateParams.offer(both)), ON).orElseThrow());
    }

    @Test
    void clientAcceptsValidAnswers() {
        assertEquals(new DeflateParams(false, false, 15, 15), DeflateParams.accept("permessage-deflate", ON));
        assertEquals(new DeflateParams(true, true, 10, 15), DeflateParams.accept(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
                        + " server_max_window_bits=10", ON));
        assertEquals(new DeflateParams(false, false, 8, 15),
                DeflateParams.accept("permessage-deflate; server_max_window_bits=\"8\"", ON));
        assertEquals(new DeflateParams(false, false, 15, 15),
                DeflateParams.accept("permessage-deflate; client_max_window_bits=15", ON));
        assertEquals(new DeflateParams(false, false, 15, 9),
                DeflateParams.accept("permessage-deflate; client_max_window_bits=9", ON));
        WebSocketConfig noContext = ON.toBuilder().deflateClientNoContextTakeover(true).build();
        assertTrue(DeflateParams.accept("permessage-deflate", noContext).clientNoContextTakeover());
    }

    @Test
    void clientRejectsInvalidAnswersWithStatusZero() {
        String[][] cases = {
            {"permessage-deflate; client_max_window_bits=16", "client_max_window_bits"},
            {"permessage-deflate; client_max_window_bits", "client_max_window_bits"},
            {"permessage-deflate; server_max_window_bits=7", "server_max_window_bits"},
            {"permessage-deflate; server_max_window_bits", "server_max_window_bits"},
            {"permessage-deflate; server_no_context_takeover=1", "server_no_context_takeover"},
            {"permessage-deflate; server_no_context_takeover; server_no_context_takeover", "repeated"},
            {"permessage-deflate; mystery", "unknown parameter mystery"},
            {"permessage-deflate, permessage-deflate", "exactly one"},
            {"x-webkit-deflate-frame", "not offered"},
            {"permessage-deflate; a=\"b", "malformed"},
        };
        for (String[] c : cases) {
            HandshakeException e = assertThrows(HandshakeException.class, () -> DeflateParams.accept(c[0], ON), c[0]);
            assertEquals(0, e.httpStatus());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void windowBitsOutsideEightToFifteenAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new DeflateParams(false, false, 7, 15));
        assertThrows(IllegalArgumentException.class, () -> new DeflateParams(false, false, 15, 16));
    }
}
