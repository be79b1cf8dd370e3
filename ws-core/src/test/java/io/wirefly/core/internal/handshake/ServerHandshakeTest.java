package io.wirefly.core.internal.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerHandshakeTest {
    private static final WebSocketConfig PLAIN = WebSocketConfig.defaults();
    /** Context takeover both ways, so each parameter below comes from the offer (or the answer) alone. */
    private static final WebSocketConfig DEFLATE = WebSocketConfig.builder().deflate(true)
            .deflateServerNoContextTakeover(false).deflateClientNoContextTakeover(false).build();
    private static final String RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    /** A valid request's header fields, to be changed one rule at a time (null removes a field). */
    private static Map<String, String> valid() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "server.example.com");
        h.put("Upgrade", "websocket");
        h.put("Connection", "Upgrade");
        h.put("Sec-WebSocket-Key", RFC_KEY);
        h.put("Sec-WebSocket-Version", "13");
        return h;
    }

    private static HandshakeRequest request(String method, String version, Map<String, String> fields,
                                            String... extraLines) {
        Headers headers = new Headers();
        fields.forEach((name, value) -> {
            if (value != null) {
                headers.add(name, value);
            }
        });
        for (String line : extraLines) {
            int colon = line.indexOf(':');
            headers.add(line.substring(0, colon), line.substring(colon + 1).strip());
        }
        return new HandshakeRequest(method, "/chat", "/chat", "", version, headers);
    }

    private static HandshakeRequest request(Map<String, String> fields, String... extraLines) {
        return request("GET", "HTTP/1.1", fields, extraLines);
    }

    private static Map<String, String> with(String name, String value) {
        Map<String, String> h = valid();
        h.put(name, value);
        return h;
    }

    private static String text(ByteBuffer b) {
        byte[] a = new byte[b.remaining()];
        b.duplicate().get(a);
        return new String(a, StandardCharsets.ISO_8859_1);
    }

    private static HandshakeException refused(HandshakeRequest r) {
        return assertThrows(HandshakeException.class, () -> ServerHandshake.accept(r, List.of(), PLAIN));
    }

    private static void assertRefused(int status, String inMessage, HandshakeRequest r) {
        HandshakeException e = refused(r);
        assertEquals(status, e.httpStatus(), e.getMessage());
        assertTrue(e.getMessage().contains(inMessage), e.getMessage());
    }

    @Test
    void rfc6455_4_2_2_acceptsTheExampleRequest() {
        ServerHandshake.Result r = ServerHandshake.accept(request(valid()), List.of(), PLAIN);
        assertEquals("", r.subprotocol());
        assertNull(r.deflate());
        assertEquals("HTTP/1.1 101 Switching Protocols\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                + "\r\n", text(r.response()));
        assertEquals(0, r.response().position());
    }

    @Test
    void acceptsParsedBrowserRequests() {
        for (String head : List.of(HandshakeParserTest.CHROME, HandshakeParserTest.FIREFOX)) {
            HandshakeParser p = HandshakeParser.forRequests(PLAIN);
            p.parse(ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1)));
            ServerHandshake.Result r = ServerHandshake.accept(p.request(), List.of(), PLAIN);
            assertTrue(text(r.response()).startsWith("HTTP/1.1 101 "));
        }
    }

    @Test
    void methodMustBeGet() {
        HandshakeException e = refused(request("POST", "HTTP/1.1", valid()));
        assertEquals(405, e.httpStatus());
        assertEquals(Map.of("Allow", "GET"), e.headers());
        assertEquals(405, refused(request("get", "HTTP/1.1", valid())).httpStatus());
    }

    @Test
    void versionMustBeAtLeastHttp11() {
        assertRefused(400, "HTTP/1.1", request("GET", "HTTP/1.0", valid()));
        assertRefused(400, "HTTP/0.9", request("GET", "HTTP/0.9", valid()));
        ServerHandshake.accept(request("GET", "HTTP/1.2", valid()), List.of(), PLAIN);
    }

    @Test
    void hostMustBePresentOnce() {
        assertRefused(400, "Host", request(with("Host", null)));
        assertRefused(400, "Host", request(valid(), "host: other.example.com"));
    }

    @Test
    void anEmptyHostIsRefused() {
        assertRefused(400, "Host header is empty", request(with("Host", "")));
        assertRefused(400, "Host header is empty", request(with("Host", "  ")));
    }

    @Test
    void anUpgradeRequestWithABodyIsRefused() {
        assertRefused(400, "Content-Length: 5", request(valid(), "Content-Length: 5"));
        assertRefused(400, "Transfer-Encoding", request(valid(), "Transfer-Encoding: chunked"));
        ServerHandshake.accept(request(valid(), "Content-Length: 0"), List.of(), PLAIN);   // no body: fine
    }

    @Test
    void upgradeMustContainWebsocket() {
        assertRefused(400, "Upgrade", request(with("Upgrade", null)));
        assertRefused(400, "Upgrade", request(with("Upgrade", "h2c")));
        assertRefused(400, "Upgrade", request(with("Upgrade", "websocket2")));
        ServerHandshake.accept(request(with("Upgrade", "WebSocket")), List.of(), PLAIN);
        ServerHandshake.accept(request(with("Upgrade", "h2c, websocket")), List.of(), PLAIN);
    }

    @Test
    void connectionMustContainUpgrade() {
        assertRefused(400, "Connection", request(with("Connection", null)));
        assertRefused(400, "Connection", request(with("Connection", "keep-alive")));
        assertRefused(400, "Connection", request(with("Connection", "keep-alive Upgrade")));
        ServerHandshake.accept(request(with("Connection", "keep-alive, Upgrade")), List.of(), PLAIN);
        ServerHandshake.accept(request(with("Connection", "upgrade")), List.of(), PLAIN);
        ServerHandshake.accept(request(with("Connection", "keep-alive"), "Connection: Upgrade"), List.of(), PLAIN);
    }

    @Test
    void websocketVersionMustBe13Else426() {
        for (HandshakeRequest r : List.of(request(with("Sec-WebSocket-Version", "8")),
                request(with("Sec-WebSocket-Version", null)),
                request(with("Sec-WebSocket-Version", "13, 8")),
                request(valid(), "Sec-WebSocket-Version: 13"))) {
            HandshakeException e = refused(r);
            assertEquals(426, e.httpStatus());
            assertEquals(Map.of("Sec-WebSocket-Version", "13"), e.headers());
            assertTrue(e.getMessage().contains("Sec-WebSocket-Version"), e.getMessage());
        }
    }

    @Test
    void keyMustBeTheBase64OfSixteenBytesAndPresentOnce() {
        assertRefused(400, "Sec-WebSocket-Key", request(with("Sec-WebSocket-Key", null)));
        assertRefused(400, "Sec-WebSocket-Key", request(valid(), "Sec-WebSocket-Key: " + RFC_KEY));
        String[] bad = {
            "not base64!!",
            "AAAAAAAAAAAAAAAAAAAA",                 // 15 bytes
            "AAAAAAAAAAAAAAAAAAAAAAA=",             // 17 bytes
            "dGhlIHNhbXBsZSBub25jZQ",               // 16 bytes without padding
            "dGhlIHNhbXBsZSBub25jZR==",             // non-zero trailing bits
            "",
        };
        for (String key : bad) {
            HandshakeException e = refused(request(with("Sec-WebSocket-Key", key)));
            assertEquals(400, e.httpStatus(), key);
            assertTrue(e.getMessage().contains("Sec-WebSocket-Key"), e.getMessage());
        }
    }

    @Test
    void subprotocolIsTheServersFirstChoiceAmongTheOffered() {
        HandshakeRequest r = request(valid(), "Sec-WebSocket-Protocol: a, b", "Sec-WebSocket-Protocol: c");
        ServerHandshake.Result result = ServerHandshake.accept(r, List.of("x", "c", "b"), PLAIN);
        assertEquals("c", result.subprotocol());
        assertTrue(text(result.response()).contains("\r\nSec-WebSocket-Protocol: c\r\n"));

        ServerHandshake.Result none = ServerHandshake.accept(r, List.of("x", "A"), PLAIN);
        assertEquals("", none.subprotocol());
        assertTrue(!text(none.response()).contains("Sec-WebSocket-Protocol"));

        assertEquals("", ServerHandshake.accept(request(valid()), List.of("a"), PLAIN).subprotocol());
        assertEquals("", ServerHandshake.accept(r, List.of(), PLAIN).subprotocol());
    }

    private static DeflateParams deflate(WebSocketConfig config, String... offers) {
        List<String> lines = new ArrayList<>();
        for (String offer : offers) {
            lines.add("Sec-WebSocket-Extensions: " + offer);
        }
        ServerHandshake.Result r = ServerHandshake.accept(request(valid(), lines.toArray(new String[0])),
                List.of(), config);
        String response = text(r.response());
        if (r.deflate() == null) {
            assertTrue(!response.contains("Sec-WebSocket-Extensions"), response);
        } else {
            assertTrue(response.contains("\r\nSec-WebSocket-Extensions: " + r.deflate().responseHeader() + "\r\n"),
                    response);
        }
        return r.deflate();
    }

    @Test
    void deflateIsNegotiatedOnlyWhenConfigured() {
        assertNull(deflate(PLAIN, "permessage-deflate"));
        assertNull(deflate(DEFLATE));
        assertEquals(new DeflateParams(false, false, 15, 15), deflate(DEFLATE, "permessage-deflate"));
    }

    @Test
    void deflateOfferWithParameters() {
        assertEquals(new DeflateParams(true, true, 15, 12), deflate(DEFLATE,
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover;"
                        + " server_max_window_bits=15; client_max_window_bits=12"));
        WebSocketConfig noContext = DEFLATE.toBuilder().deflateServerNoContextTakeover(true).build();
        assertEquals(new DeflateParams(true, false, 15, 15), deflate(noContext, "permessage-deflate"));
    }

    @Test
    void theFirstOfferWinsEvenWithASmallServerWindow() {
        // the client's order is its preference (RFC 7692 §5.1); a small window is honoured Huffman-only
        assertEquals(new DeflateParams(false, false, 10, 15), deflate(DEFLATE,
                "permessage-deflate; server_max_window_bits=10, permessage-deflate; client_max_window_bits"));
        // the same offers on two header lines
        assertEquals(new DeflateParams(false, false, 10, 15), deflate(DEFLATE,
                "permessage-deflate; server_max_window_bits=10", "permessage-deflate"));
        assertEquals(new DeflateParams(false, false, 9, 15),
                deflate(DEFLATE, "permessage-deflate; server_max_window_bits=9"));
    }

    @Test
    void malformedOffersMeanNoCompression() {
        assertNull(deflate(DEFLATE, "permessage-deflate; bogus"));
        assertNull(deflate(DEFLATE, "permessage-deflate; client_max_window_bits=20"));
        assertNull(deflate(DEFLATE, "permessage-deflate; server_no_context_takeover; server_no_context_takeover"));
        assertNull(deflate(DEFLATE, "permessage-deflate; x=\"unterminated"));
        assertNull(deflate(DEFLATE, ";;;"));
    }

    @Test
    void rejectionIsACompleteHttpResponse() {
        String r = text(ServerHandshake.rejection(new HandshakeException(426, "Sec-WebSocket-Version must be 13",
                Map.of("Sec-WebSocket-Version", "13"))));
        assertEquals("HTTP/1.1 426 Upgrade Required\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: 21\r\n"
                + "Connection: close\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "\r\n"
                + "426 Upgrade Required\n", r);
    }

    @Test
    void rejectionContentLengthMatchesTheBodyAndTheMessageStaysPrivate() {
        for (int status : new int[] {400, 403, 404, 405, 414, 431, 503, 418}) {
            String r = text(ServerHandshake.rejection(new HandshakeException(status, "secret detail")));
            int blank = r.indexOf("\r\n\r\n");
            String body = r.substring(blank + 4);
            assertTrue(r.contains("\r\nContent-Length: " + body.length() + "\r\n"), r);
            assertTrue(r.startsWith("HTTP/1.1 " + status + " "), r);
            assertTrue(!r.contains("secret"), r);
        }
    }

    @Test
    void rejectionOfStatusZeroIs400AndUnsafeHeadersAreDropped() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Injected", "a\r\nSet-Cookie: evil");
        headers.put("Bad Name", "x");
        headers.put("connection", "keep-alive");
        headers.put("Allow", "GET");
        String r = text(ServerHandshake.rejection(new HandshakeException(0, "client-side failure", headers)));
        assertTrue(r.startsWith("HTTP/1.1 400 Bad Request\r\n"), r);
        assertTrue(r.contains("\r\nAllow: GET\r\n"), r);
        assertTrue(!r.contains("evil") && !r.contains("Bad Name") && !r.contains("keep-alive"), r);
    }
}
