package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.internal.handshake.HandshakeRequest;
import io.wirefly.core.internal.handshake.Headers;
import io.wirefly.server.HandshakeFilter;
import io.wirefly.server.HttpHandler;
import io.wirefly.server.HttpRequest;
import io.wirefly.server.HttpResponse;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Routing and the server's checks of a request head, without a socket: exact-path routes, unknown paths, plain HTTP
 * requests, origins, the user's filter and the connection limit, in the documented order (after the protocol
 * checks of {@code ServerHandshake}).
 *
 * <p>The decision is made by the upgrader's package-private {@code decide(HandshakeRequest, InetSocketAddress, InetSocketAddress)},
 * which is otherwise reached only through a {@link Connection} on a live socket.
 */
class ServerUpgraderTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 40000);
    private static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 9998);
    private static final WebSocketHandler ECHO = new WebSocketHandler() { };
    private static final WebSocketHandler CHAT = new WebSocketHandler() { };

    /** An upgrader with two routes and no limits, filter, origins or HTTP hook; tests vary one thing at a time. */
    private static ServerUpgrader upgrader(Set<String> origins, HandshakeFilter filter, HttpHandler http,
            int maxConnections, int open) {
        return new ServerUpgrader(routes(Map.of("/echo", ECHO, "/chat", CHAT)), List.of("v2.chat", "v1.chat"),
                origins, filter, null, http, maxConnections, () -> open, WebSocketConfig.defaults());
    }

    /** Routes with the server's settings. */
    static Router<Route> routes(Map<String, WebSocketHandler> handlers) {
        Map<String, Route> routes = new java.util.LinkedHashMap<>();
        handlers.forEach((path, h) -> routes.put(path, new Route(h, null)));
        return Router.of(routes);
    }

    private static ServerUpgrader plain() {
        return upgrader(Set.of(), null, null, 10, 0);
    }

    private static Upgrade decide(ServerUpgrader upgrader, HandshakeRequest request) {
        return upgrader.decide(request, PEER, LOCAL);
    }

    private static HandshakeRequest upgradeRequest(String path, String query, String... extra) {
        Headers h = new Headers()
                .add("Host", "127.0.0.1")
                .add("Upgrade", "websocket")
                .add("Connection", "keep-alive, Upgrade")
                .add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .add("Sec-WebSocket-Version", "13");
        for (int i = 0; i < extra.length; i += 2) {
            h.add(extra[i], extra[i + 1]);
        }
        String target = query.isEmpty() ? path : path + "?" + query;
        return new HandshakeRequest("GET", target, path, query, "HTTP/1.1", h);
    }

    private static HandshakeRequest plainRequest(String method, String path) {
        return new HandshakeRequest(method, path, path, "", "HTTP/1.1", new Headers().add("Host", "127.0.0.1"));
    }

    private static Upgrade.Accept accepted(Upgrade u) {
        return assertInstanceOf(Upgrade.Accept.class, u);
    }

    private static String respondedWith(int status, Upgrade u) {
        Upgrade.Respond r = assertInstanceOf(Upgrade.Respond.class, u);
        assertEquals(status, r.status());
        ByteBuffer bytes = r.response().duplicate();
        String text = StandardCharsets.ISO_8859_1.decode(bytes).toString();
        assertTrue(text.startsWith("HTTP/1.1 " + status + " "), text);
        return text;
    }

    // ---- Routes ------------------------------------------------------------------------------------------------

    @Test
    void anUpgradeToARouteGetsThatRoutesHandlerAnd101() throws Exception {
        Upgrade.Accept a = accepted(decide(plain(), upgradeRequest("/chat", "")));
        assertSame(CHAT, a.handler());
        assertEquals("/chat", a.request().path());
        assertEquals("", a.request().subprotocol());
        assertNull(a.deflate());
        String response = StandardCharsets.ISO_8859_1.decode(a.response().duplicate()).toString();
        assertTrue(response.startsWith("HTTP/1.1 101 "), response);
        assertSame(ECHO, accepted(decide(plain(), upgradeRequest("/echo", ""))).handler());
    }

    @Test
    void theQueryDoesNotTakePartInRouting() throws Exception {
        Upgrade.Accept a = accepted(decide(plain(), upgradeRequest("/echo", "token=abc&x=1")));
        assertSame(ECHO, a.handler());
        assertEquals("/echo", a.request().path());
    }

    @Test
    void routesMatchTheExactPathOnly() throws Exception {
        for (String path : List.of("/echo/", "/ECHO", "/echo/more", "/ech", "/", "//echo", "/echo%2F")) {
            String response = respondedWith(404, decide(plain(), upgradeRequest(path, "")));
            // The exception's detail stays on the server: the peer gets only the status line and a generic body.
            assertFalse(response.contains("route"), response);
        }
    }

    @Test
    void theServersPreferredSubprotocolIsChosen() throws Exception {
        Upgrade.Accept a = accepted(decide(plain(), upgradeRequest("/chat", "",
                "Sec-WebSocket-Protocol", "v1.chat, v2.chat")));
        assertEquals("v2.chat", a.request().subprotocol());
    }

    // ---- Order of the checks ---------------------------------------------------------------------------------------

    @Test
    void protocolChecksComeBeforeRouting() throws Exception {
        HandshakeRequest oldVersion = new HandshakeRequest("GET", "/nowhere", "/nowhere", "", "HTTP/1.1",
                new Headers().add("Host", "x").add("Upgrade", "websocket").add("Connection", "Upgrade")
                        .add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==").add("Sec-WebSocket-Version", "8"));
        String response = respondedWith(426, decide(plain(), oldVersion));
        assertTrue(response.contains("Sec-WebSocket-Version: 13"), response);
    }

    @Test
    void anOriginOutsideTheAllowedSetGets403() throws Exception {
        ServerUpgrader u = upgrader(Set.of("https://good.example"), null, null, 10, 0);
        respondedWith(403, decide(u, upgradeRequest("/echo", "", "Origin", "https://evil.example")));
        accepted(decide(u, upgradeRequest("/echo", "", "Origin", "https://good.example")));
        accepted(decide(u, upgradeRequest("/echo", "")));   // non-browser clients send no Origin
        // An empty allowed set accepts any origin.
        accepted(decide(plain(), upgradeRequest("/echo", "", "Origin", "https://evil.example")));
    }

    @Test
    void anUnknownPathIs404EvenFromADisallowedOrigin() throws Exception {
        ServerUpgrader u = upgrader(Set.of("https://good.example"), null, null, 10, 0);
        respondedWith(404, decide(u, upgradeRequest("/nowhere", "", "Origin", "https://evil.example")));
    }

    @Test
    void theFilterSeesTheRequestAndItsExceptionBecomesTheStatus() throws Exception {
        List<io.wirefly.core.UpgradeRequest> seen = new ArrayList<>();
        ServerUpgrader u = upgrader(Set.of(), request -> {
            seen.add(request);
            if (!request.query().contains("token=ok")) {
                throw new HandshakeException(401, "token required");
            }
        }, null, 10, 0);
        String refused = respondedWith(401, decide(u, upgradeRequest("/echo", "token=bad", "X-Trace", "t1")));
        assertFalse(refused.contains("token required"), "the filter's message is not sent to the peer: " + refused);
        accepted(decide(u, upgradeRequest("/echo", "token=ok")));
        io.wirefly.core.UpgradeRequest first = seen.get(0);
        assertEquals("GET", first.method());
        assertEquals("/echo", first.path());
        assertEquals("token=bad", first.query());
        assertEquals("bad", first.queryParameter("token"));
        assertEquals("t1", first.header("x-trace"));
        assertEquals("t1", first.header("X-TRACE"));
        assertEquals(PEER, first.remoteAddress());
        assertEquals(LOCAL, first.localAddress());
    }

    @Test
    void aFilterThatThrowsSomethingElseGets500AndWhatItAttachesTravelsWithTheRequest() throws Exception {
        ServerUpgrader u = upgrader(Set.of(), request -> {
            if (request.queryParameter("bug") != null) {
                throw new IllegalStateException("a bug in the filter");
            }
            request.attributes().put("user", "ada");
        }, null, 10, 0);
        respondedWith(500, decide(u, upgradeRequest("/echo", "bug=1")));
        Upgrade.Accept a = accepted(decide(u, upgradeRequest("/echo", "")));
        assertEquals("ada", a.request().attribute("user", String.class).orElseThrow());
        assertTrue(a.request().attribute("user", Integer.class).isEmpty(), "a value of another type is absent");
    }

    @Test
    void templatesAndPrefixesBindTheirParametersDecoded() throws Exception {
        WebSocketHandler room = new WebSocketHandler() { };
        WebSocketHandler files = new WebSocketHandler() { };
        ServerUpgrader u = new ServerUpgrader(routes(new java.util.LinkedHashMap<>(Map.of(
                "/chat/{room}", room, "/files/*", files))), List.of(), Set.of(), null, null, null, 10, () -> 0,
                WebSocketConfig.defaults());
        Upgrade.Accept a = accepted(decide(u, upgradeRequest("/chat/caf%C3%A9", "nick=a+b&x&nick=c",
                "Cookie", "sid=\"42\"; theme=dark", "Cookie", "sid=shadowed")));
        assertSame(room, a.handler());
        assertEquals(Map.of("room", "café"), a.request().pathParameters());
        assertEquals(List.of("a b", "c"), a.request().queryParameters().get("nick"));
        assertEquals("", a.request().queryParameter("x"));
        assertEquals(Map.of("sid", "42", "theme", "dark"), a.request().cookies());
        Upgrade.Accept f = accepted(decide(u, upgradeRequest("/files/a/b%20c.txt", "")));
        assertSame(files, f.handler());
        assertEquals("a/b c.txt", f.request().pathParameter("*"));
        assertEquals("", accepted(decide(u, upgradeRequest("/files", ""))).request().pathParameter("*"));
        respondedWith(404, decide(u, upgradeRequest("/chat", "")));
        respondedWith(404, decide(u, upgradeRequest("/chat/a/b", "")));
        respondedWith(400, decide(u, upgradeRequest("/chat/%zz", "")));
        respondedWith(400, decide(u, upgradeRequest("/chat/ok", "q=%E2%82")));   // not UTF-8
    }

    /**
     * An 8 KB query of 1,800 distinct names used to be parsed into a map at once, about 210 KB kept for the
     * connection's life (100 such connections took 21 MB of a {@code -Xmx64m} server's heap). Now the map is parsed
     * when a handler asks for it and never kept, the raw query counts toward the connection's weight, and a malformed
     * escape is still a 400 before any user code runs.
     */
    @Test
    void aLongQueryIsParsedOnlyWhenAskedForAndCountsTowardTheConnectionsWeight() throws Exception {
        StringBuilder q = new StringBuilder();
        for (int i = 0; q.length() < 8000; i++) {
            q.append(Integer.toString(i, 36)).append("=&");
        }
        ServerUpgrader u = upgrader(Set.of(), null, null, 100, 0);
        HandshakeRequest request = upgradeRequest("/echo", q.toString());
        decide(u, request);   // warm up
        long before = Allocations.current();
        Upgrade.Accept a = accepted(decide(u, request));
        long allocated = Allocations.current() - before;
        assertTrue(allocated < 64 << 10, "deciding on an 8 KB query allocated " + allocated + " bytes");
        RequestView view = a.request();
        assertEquals(1 + (view.path().length() + q.length() + 100) / 1024, view.weight(), 1,
                "one, and one per KiB of path, query and headers");
        assertTrue(view.weight() >= 8, "weight " + view.weight());
        assertEquals(List.of(""), view.queryParameters().get("a"), "parsed when asked for");
        assertNotSame(view.queryParameters(), view.queryParameters(), "and at each call: the parsed map is not kept");
        assertEquals(1, accepted(decide(u, upgradeRequest("/echo", "a=1"))).request().weight(),
                "a short request weighs one");
        respondedWith(400, decide(u, upgradeRequest("/echo", q + "bad=%G1")));
    }

    /**
     * The headers are a view of the packed fields, so a handler or filter that reads them (a cookie, say) makes the
     * connection keep nothing more than the bytes its client sent; the view still behaves as the map it stands for.
     */
    @Test
    void theHeadersAreAViewOfThePackedFieldsThatBehavesLikeTheMap() throws Exception {
        ServerUpgrader u = upgrader(Set.of(), null, null, 100, 0);
        RequestView view = accepted(decide(u, upgradeRequest("/echo", "", "X-Twice", "one", "Cookie", "a=1; b=2",
                "X-Twice", "two", "X-Latin", "caf\u00e9 \u00ff", "X-Empty", ""))).request();
        Map<String, List<String>> headers = view.headers();
        assertSame(headers, view.headers(), "one view for the connection");
        assertEquals(List.of("one", "two"), headers.get("x-twice"));
        assertEquals(List.of("websocket"), headers.get("upgrade"));
        assertEquals(null, headers.get("Upgrade"), "names are lower case, as before");
        assertEquals(null, headers.get(42));
        assertEquals("one", view.header("X-Twice"));
        assertTrue(headers.containsKey("cookie") && !headers.containsKey("nope"));
        assertEquals(List.of("caf\u00e9 \u00ff"), headers.get("x-latin"), "obs-text bytes come back as they came");
        assertEquals(List.of(""), headers.get("x-empty"));
        assertEquals(List.of("host", "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "x-twice",
                "cookie", "x-latin", "x-empty"), List.copyOf(headers.keySet()),
                "in the order of the head, a repeated name once");
        Map<String, List<String>> copy = new java.util.LinkedHashMap<>(headers);
        assertEquals(copy, headers);
        assertEquals(headers, copy);
        assertEquals(copy.hashCode(), headers.hashCode());
        assertEquals(9, headers.size());
        assertThrows(UnsupportedOperationException.class, () -> headers.put("x", List.of("y")));
        assertEquals(Map.of("a", "1", "b", "2"), view.cookies());
        assertNotSame(view.cookies(), view.cookies(), "parsed at each call, not kept");
        assertEquals(1, view.weight());
    }

    @Test
    void theFilterIsNotAskedAboutRejectedOriginsOrUnknownPaths() throws Exception {
        List<String> asked = new ArrayList<>();
        ServerUpgrader u = upgrader(Set.of("https://good.example"), r -> asked.add(r.path()), null, 10, 0);
        respondedWith(404, decide(u, upgradeRequest("/nowhere", "")));
        respondedWith(403, decide(u, upgradeRequest("/echo", "", "Origin", "https://evil.example")));
        assertEquals(List.of(), asked);
    }

    @Test
    void atTheConnectionLimitTheAnswerIs503() throws Exception {
        respondedWith(503, decide(upgrader(Set.of(), null, null, 2, 2), upgradeRequest("/echo", "")));
        accepted(decide(upgrader(Set.of(), null, null, 2, 1), upgradeRequest("/echo", "")));
    }

    // ---- Plain HTTP ----------------------------------------------------------------------------------------------

    @Test
    void aPlainGetOnAWebSocketRouteGets426() throws Exception {
        String response = respondedWith(426, decide(plain(), plainRequest("GET", "/echo")));
        assertTrue(response.contains("Sec-WebSocket-Version: 13"), response);
    }

    @Test
    void aPlainGetElsewhereWithoutAnHttpHookGets404() throws Exception {
        respondedWith(404, decide(plain(), plainRequest("GET", "/index.html")));
    }

    @Test
    void aPlainRequestWithAnotherMethodGets405WithAllow() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS")) {
            String response = respondedWith(405, decide(plain(), plainRequest(method, "/echo")));
            assertTrue(response.contains("Allow: GET"), response);
        }
    }

    @Test
    void theHttpHookAnswersPlainGetsAndHeadGetsNoBody() throws Exception {
        byte[] page = "<h1>hello</h1>".getBytes(StandardCharsets.UTF_8);
        List<String> asked = new ArrayList<>();
        ServerUpgrader u = upgrader(Set.of(), null, request -> {
            asked.add(request.method() + " " + request.path());
            return request.path().equals("/") ? HttpResponse.of(200, "text/html", page) : null;
        }, 10, 0);
        String get = respondedWith(200, decide(u, plainRequest("GET", "/")));
        assertTrue(get.contains("Content-Type: text/html\r\n"), get);
        assertTrue(get.contains("Content-Length: " + page.length + "\r\n"), get);
        assertTrue(get.contains("Connection: close\r\n"), get);
        assertTrue(get.endsWith("\r\n\r\n<h1>hello</h1>"), get);

        String head = respondedWith(200, decide(u, plainRequest("HEAD", "/")));
        assertTrue(head.contains("Content-Length: " + page.length + "\r\n"), head);
        assertTrue(head.endsWith("\r\n\r\n"), "HEAD has no body: " + head);

        respondedWith(404, decide(u, plainRequest("GET", "/missing")));   // the hook returned null
        respondedWith(426, decide(u, plainRequest("GET", "/echo")));      // a route, hook returned null
        assertEquals(List.of("GET /", "HEAD /", "GET /missing", "GET /echo"), asked);
    }

    /**
     * HttpResponse: "The server adds Content-Length and Connection: close". RFC 7230 §3.3.2/§3.3.3: a message with
     * several differing Content-Length values is invalid, so a user's own framing headers must not be sent next to
     * the server's.
     */
    @Test
    void theServersFramingHeadersAreNotDuplicatedByTheHooksHeaders() throws Exception {
        ServerUpgrader u = upgrader(Set.of(), null, request -> new HttpResponse(200,
                Map.of("Content-Length", "999", "Connection", "keep-alive", "Content-Type", "text/plain"),
                "ok".getBytes(StandardCharsets.US_ASCII)), 10, 0);
        String response = respondedWith(200, decide(u, plainRequest("GET", "/")));
        String lower = response.toLowerCase(Locale.ROOT);
        assertEquals(1, count(lower, "\r\ncontent-length:"), response);
        assertTrue(lower.contains("\r\ncontent-length: 2\r\n"), response);
        assertEquals(1, count(lower, "\r\nconnection:"), response);
        assertTrue(lower.contains("\r\nconnection: close\r\n"), response);
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void anUpgradeRequestNeverReachesTheHttpHook() throws Exception {
        List<String> asked = new ArrayList<>();
        ServerUpgrader u = upgrader(Set.of(), null, request -> {
            asked.add(request.path());
            return HttpResponse.text(200, "page");
        }, 10, 0);
        assertNotNull(accepted(decide(u, upgradeRequest("/echo", ""))));
        respondedWith(404, decide(u, upgradeRequest("/nowhere", "")));
        assertFalse(asked.contains("/echo"));
        assertEquals(List.of(), asked);
    }
}
