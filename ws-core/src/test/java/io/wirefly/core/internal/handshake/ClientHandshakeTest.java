package io.wirefly.core.internal.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientHandshakeTest {
    private static final WebSocketConfig PLAIN = WebSocketConfig.defaults();
    /** Context takeover both ways, so each parameter below comes from the offer (or the answer) alone. */
    private static final WebSocketConfig DEFLATE = WebSocketConfig.builder().deflate(true)
            .deflateServerNoContextTakeover(false).deflateClientNoContextTakeover(false).build();

    private static ClientHandshake client(String uri, List<String> protocols, Map<String, String> extra,
                                          WebSocketConfig config) {
        return new ClientHandshake(URI.create(uri), protocols, extra, config, new Random(42));
    }

    private static ClientHandshake client(String uri) {
        return client(uri, List.of(), Map.of(), PLAIN);
    }

    private static HandshakeRequest parsed(ClientHandshake c) {
        HandshakeParser p = HandshakeParser.forRequests(PLAIN);
        ByteBuffer in = c.request();
        assertTrue(p.parse(in));
        assertEquals(0, in.remaining());
        return p.request();
    }

    private static HandshakeResponse response(String head) {
        HandshakeParser p = HandshakeParser.forResponses(PLAIN);
        assertTrue(p.parse(ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1))));
        return p.response();
    }

    /** A good 101 for this client, plus extra header lines. */
    private static String ok(ClientHandshake c, String... extraLines) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Accept: " + AcceptKey.of(c.key()) + "\r\n");
        for (String line : extraLines) {
            sb.append(line).append("\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private static HandshakeException refused(ClientHandshake c, String head) {
        return assertThrows(HandshakeException.class, () -> c.verify(response(head)));
    }

    @Test
    void requestHasEveryRequiredHeader() {
        ClientHandshake c = client("ws://example.com/chat?x=1&y=%20");
        HandshakeRequest r = parsed(c);
        assertEquals("GET", r.method());
        assertEquals("HTTP/1.1", r.version());
        assertEquals("/chat?x=1&y=%20", r.target());
        Headers h = r.headers();
        assertEquals("example.com", h.get("Host"));
        assertEquals("websocket", h.get("Upgrade"));
        assertEquals("Upgrade", h.get("Connection"));
        assertEquals("13", h.get("Sec-WebSocket-Version"));
        assertNull(h.get("Sec-WebSocket-Protocol"));
        assertNull(h.get("Sec-WebSocket-Extensions"));
        assertEquals(5, h.size());
        // RFC 6455 §4.1: the key is 16 random bytes, base64-encoded; here from the given Random
        byte[] expected = new byte[16];
        new Random(42).nextBytes(expected);
        assertEquals(Base64.getEncoder().encodeToString(expected), h.get("Sec-WebSocket-Key"));
        assertEquals(c.key(), h.get("Sec-WebSocket-Key"));
        // and the server accepts it
        ServerHandshake.accept(r, List.of(), PLAIN);
    }

    @Test
    void keysDifferPerRandom() {
        ClientHandshake a = new ClientHandshake(URI.create("ws://h/"), List.of(), Map.of(), PLAIN, new Random(1));
        ClientHandshake b = new ClientHandshake(URI.create("ws://h/"), List.of(), Map.of(), PLAIN, new Random(2));
        assertNotEquals(a.key(), b.key());
    }

    @Test
    void hostCarriesThePortUnlessItIsTheDefault() {
        assertEquals("h", parsed(client("ws://h:80/")).headers().get("Host"));
        assertEquals("h:8080", parsed(client("ws://h:8080/")).headers().get("Host"));
        assertEquals("h", parsed(client("wss://h:443/")).headers().get("Host"));
        assertEquals("h:80", parsed(client("wss://h:80/")).headers().get("Host"));
        assertEquals("h", parsed(client("wss://h/")).headers().get("Host"));
        assertEquals("[::1]:9998", parsed(client("ws://[::1]:9998/")).headers().get("Host"));
    }

    @Test
    void targetIsPathAndQueryWithSlashForAnEmptyPath() {
        assertEquals("/", parsed(client("ws://h")).target());
        assertEquals("/?q=1", parsed(client("ws://h?q=1")).target());
        assertEquals("/a%2Fb", parsed(client("ws://h/a%2Fb")).target());
    }

    @Test
    void offersSubprotocolsAndDeflate() {
        WebSocketConfig config = DEFLATE.toBuilder().deflateClientNoContextTakeover(true).build();
        Headers h = parsed(client("ws://h/", List.of("chat.v2", "chat.v1"), Map.of(), config)).headers();
        assertEquals("chat.v2, chat.v1", h.get("Sec-WebSocket-Protocol"));
        assertEquals("permessage-deflate; client_no_context_takeover; client_max_window_bits",
                h.get("Sec-WebSocket-Extensions"));
    }

    @Test
    void extraHeadersAreWrittenInOrder() {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("Origin", "http://h");
        extra.put("Authorization", "Bearer abc");
        Headers h = parsed(client("ws://h/", List.of(), extra, PLAIN)).headers();
        assertEquals("http://h", h.get("Origin"));
        assertEquals("Bearer abc", h.get("authorization"));
        assertEquals(7, h.size());
    }

    @Test
    void rejectsInjectionAndBadArguments() {
        List<Map<String, String>> badHeaders = List.of(
                Map.of("X-A", "a\r\nX-B: b"),
                Map.of("X-A", "a\nb"),
                Map.of("X-A\r\nX-B", "b"),
                Map.of("X-A: b", "c"),
                Map.of("", "c"),
                Map.of("Sec-WebSocket-Key", "AAAAAAAAAAAAAAAAAAAAAA=="),
                Map.of("host", "other"));
        for (Map<String, String> extra : badHeaders) {
            assertThrows(IllegalArgumentException.class, () -> client("ws://h/", List.of(), extra, PLAIN),
                    extra.toString());
        }
        assertThrows(IllegalArgumentException.class, () -> client("http://h/"));
        assertThrows(IllegalArgumentException.class, () -> client("ws:///path"));
        assertThrows(IllegalArgumentException.class, () -> client("ws://h/#frag"));
        assertThrows(IllegalArgumentException.class, () -> client("ws://h/", List.of("a b"), Map.of(), PLAIN));
        assertThrows(IllegalArgumentException.class, () -> client("ws://h/", List.of(""), Map.of(), PLAIN));
    }

    @Test
    void requestReturnsAFreshBufferEachTime() {
        ClientHandshake c = client("ws://h/");
        ByteBuffer first = c.request();
        first.position(first.limit());
        assertEquals(0, c.request().position());
        assertTrue(c.request().remaining() > 0);
    }

    @Test
    void verifyAcceptsAGoodResponse() {
        ClientHandshake c = client("ws://h/");
        ClientHandshake.Result r = c.verify(response(ok(c)));
        assertEquals("", r.subprotocol());
        assertNull(r.deflate());
        // case-insensitive tokens in lists
        r = c.verify(response("HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, upgrade\r\n"
                + "Sec-WebSocket-Accept: " + AcceptKey.of(c.key()) + "\r\n\r\n"));
        assertEquals("", r.subprotocol());
    }

    @Test
    void verifyRejectsAnotherStatusWithThatStatus() {
        ClientHandshake c = client("ws://h/");
        HandshakeException e = refused(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
        assertEquals(403, e.httpStatus());
        assertTrue(e.getMessage().contains("403 Forbidden"), e.getMessage());
        assertEquals(200, refused(c, "HTTP/1.1 200 OK\r\n\r\n").httpStatus());
    }

    @Test
    void verifyRejectsWrongUpgradeConnectionOrAccept() {
        ClientHandshake c = client("ws://h/");
        String accept = "Sec-WebSocket-Accept: " + AcceptKey.of(c.key()) + "\r\n";
        String[][] cases = {
            {"HTTP/1.1 101 OK\r\nConnection: Upgrade\r\n" + accept + "\r\n", "Upgrade"},
            {"HTTP/1.1 101 OK\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n" + accept + "\r\n", "Upgrade"},
            {"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n" + accept + "\r\n", "Connection"},
            {"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", "Sec-WebSocket-Accept"},
            {"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", "Sec-WebSocket-Accept"},
            {"HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + accept + accept + "\r\n",
                "Sec-WebSocket-Accept"},
        };
        for (String[] k : cases) {
            HandshakeException e = refused(c, k[0]);
            assertEquals(0, e.httpStatus());
            assertTrue(e.getMessage().contains(k[1]), k[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void verifyChecksTheSubprotocol() {
        ClientHandshake none = client("ws://h/");
        assertEquals(0, refused(none, ok(none, "Sec-WebSocket-Protocol: chat")).httpStatus());

        ClientHandshake c = client("ws://h/", List.of("a", "b"), Map.of(), PLAIN);
        assertEquals("b", c.verify(response(ok(c, "Sec-WebSocket-Protocol: b"))).subprotocol());
        assertEquals("", c.verify(response(ok(c))).subprotocol());
        refused(c, ok(c, "Sec-WebSocket-Protocol: c"));
        refused(c, ok(c, "Sec-WebSocket-Protocol: a, b"));
        refused(c, ok(c, "Sec-WebSocket-Protocol: a", "Sec-WebSocket-Protocol: a"));
    }

    @Test
    void verifyChecksExtensions() {
        ClientHandshake plain = client("ws://h/");
        HandshakeException e = refused(plain, ok(plain, "Sec-WebSocket-Extensions: permessage-deflate"));
        assertTrue(e.getMessage().contains("none was offered"), e.getMessage());

        ClientHandshake c = client("ws://h/", List.of(), Map.of(), DEFLATE);
        assertNull(c.verify(response(ok(c))).deflate());
        assertEquals(new DeflateParams(true, false, 10, 15), c.verify(response(ok(c,
                "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; server_max_window_bits=10")))
                .deflate());
        refused(c, ok(c, "Sec-WebSocket-Extensions: x-webkit-deflate-frame"));
        assertEquals(new DeflateParams(false, false, 15, 9), c.verify(response(ok(c,
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=9"))).deflate());
        refused(c, ok(c, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=7"));
        refused(c, ok(c, "Sec-WebSocket-Extensions: permessage-deflate",
                "Sec-WebSocket-Extensions: permessage-deflate"));
    }

    @Test
    void roundTripWithoutDeflate() {
        ClientHandshake.Result r = roundTrip(PLAIN, PLAIN, List.of("chat.v1", "chat.v2"), List.of("chat.v2"));
        assertEquals("chat.v2", r.subprotocol());
        assertNull(r.deflate());
    }

    @Test
    void roundTripWithDeflate() {
        ClientHandshake.Result r = roundTrip(DEFLATE, DEFLATE, List.of(), List.of());
        assertEquals("", r.subprotocol());
        assertEquals(new DeflateParams(false, false, 15, 15), r.deflate());

        WebSocketConfig clientConfig = DEFLATE.toBuilder().deflateServerNoContextTakeover(true).build();
        WebSocketConfig serverConfig = DEFLATE.toBuilder().deflateClientNoContextTakeover(true).build();
        r = roundTrip(clientConfig, serverConfig, List.of(), List.of());
        assertEquals(new DeflateParams(true, true, 15, 15), r.deflate());
    }

    @Test
    void roundTripWhereOnlyOneSideWantsDeflate() {
        assertNull(roundTrip(DEFLATE, PLAIN, List.of(), List.of()).deflate());
        assertNull(roundTrip(PLAIN, DEFLATE, List.of(), List.of()).deflate());
    }

    /** request() → parser → ServerHandshake.accept → parser → verify(), with a frame after each head. */
    private static ClientHandshake.Result roundTrip(WebSocketConfig clientConfig, WebSocketConfig serverConfig,
                                                    List<String> offered, List<String> supported) {
        ClientHandshake client = new ClientHandshake(URI.create("ws://127.0.0.1:9998/chat?room=7"), offered,
                Map.of("Origin", "http://127.0.0.1:9998"), clientConfig, new Random(7));
        HandshakeParser requests = HandshakeParser.forRequests(serverConfig);
        ByteBuffer toServer = concat(client.request(), new byte[] {(byte) 0x81, (byte) 0x80, 1, 2, 3, 4});
        assertTrue(requests.parse(toServer));
        assertEquals(6, toServer.remaining(), "the client's first frame stays for the Protocol");
        HandshakeRequest request = requests.request();
        assertEquals("/chat", request.path());
        assertEquals("room=7", request.query());

        ServerHandshake.Result server = ServerHandshake.accept(request, supported, serverConfig);
        HandshakeParser responses = HandshakeParser.forResponses(clientConfig);
        ByteBuffer toClient = concat(server.response(), new byte[] {(byte) 0x81, 0});
        assertTrue(responses.parse(toClient));
        assertEquals(2, toClient.remaining(), "the server's first frame stays for the Protocol");

        ClientHandshake.Result result = client.verify(responses.response());
        assertEquals(server.subprotocol(), result.subprotocol());
        assertEquals(server.deflate(), result.deflate());
        assertFalse(result.subprotocol() == null);
        return result;
    }

    private static ByteBuffer concat(ByteBuffer head, byte[] tail) {
        ByteBuffer all = ByteBuffer.allocate(head.remaining() + tail.length);
        all.put(head).put(tail).flip();
        return all;
    }
}
