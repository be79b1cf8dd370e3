package io.wirefly.core.internal.handshake;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeParserTest {
    private static final WebSocketConfig DEFAULTS = WebSocketConfig.defaults();

    static final String CHROME = "GET /chat?room=1 HTTP/1.1\r\n"
            + "Host: 127.0.0.1:9998\r\n"
            + "Connection: Upgrade\r\n"
            + "Pragma: no-cache\r\n"
            + "Cache-Control: no-cache\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            + " Chrome/120.0.0.0 Safari/537.36\r\n"
            + "Upgrade: websocket\r\n"
            + "Origin: http://127.0.0.1:9998\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            + "\r\n";

    static final String FIREFOX = "GET /echo HTTP/1.1\r\n"
            + "Host: localhost:9998\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0\r\n"
            + "Accept: */*\r\n"
            + "Accept-Language: en-US,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "Origin: http://localhost:9998\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate\r\n"
            + "Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n"
            + "Connection: keep-alive, Upgrade\r\n"
            + "Sec-Fetch-Dest: empty\r\n"
            + "Sec-Fetch-Mode: websocket\r\n"
            + "Sec-Fetch-Site: same-origin\r\n"
            + "Pragma: no-cache\r\n"
            + "Cache-Control: no-cache\r\n"
            + "Upgrade: websocket\r\n"
            + "\r\n";

    /** RFC 6455 §5.7: a single-frame masked text message "Hello". */
    private static final byte[] MASKED_HELLO = HexFormat.of().parseHex("818537fa213d7f9f4d5158");

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static HandshakeRequest parseRequest(String head, WebSocketConfig config) {
        HandshakeParser p = HandshakeParser.forRequests(config);
        ByteBuffer in = ascii(head);
        assertTrue(p.parse(in), "head not complete");
        assertEquals(0, in.remaining(), "bytes left over");
        return p.request();
    }

    private static List<Map.Entry<String, String>> entries(Headers h) {
        List<Map.Entry<String, String>> list = new ArrayList<>();
        h.forEach(list::add);
        return list;
    }

    private static HandshakeException rejected(String head, WebSocketConfig config) {
        return assertThrows(HandshakeException.class, () -> HandshakeParser.forRequests(config).parse(ascii(head)));
    }

    @Test
    void parsesAChromeRequest() {
        HandshakeRequest r = parseRequest(CHROME, DEFAULTS);
        assertEquals("GET", r.method());
        assertEquals("/chat?room=1", r.target());
        assertEquals("/chat", r.path());
        assertEquals("room=1", r.query());
        assertEquals("HTTP/1.1", r.version());
        assertEquals(12, r.headers().size());
        assertEquals("permessage-deflate; client_max_window_bits", r.headers().get("sec-websocket-extensions"));
        assertEquals("en-US,en;q=0.9", r.headers().get("Accept-Language"));
    }

    @Test
    void parsesAFirefoxRequest() {
        HandshakeRequest r = parseRequest(FIREFOX, DEFAULTS);
        assertEquals("/echo", r.path());
        assertEquals("", r.query());
        assertEquals("keep-alive, Upgrade", r.headers().get("Connection"));
        assertEquals("*/*", r.headers().get("Accept"));
        assertEquals(16, r.headers().size());
    }

    @Test
    void everySplitPointGivesTheSameRequestAndKeepsTheFrameBytes() {
        for (String head : List.of(CHROME, FIREFOX)) {
            HandshakeRequest whole = parseRequest(head, DEFAULTS);
            byte[] bytes = withFrame(head);
            for (int split = 0; split <= bytes.length; split++) {
                HandshakeParser p = HandshakeParser.forRequests(DEFAULTS);
                ByteBuffer first = ByteBuffer.wrap(bytes, 0, split);
                boolean done = p.parse(first);
                ByteBuffer rest = ByteBuffer.wrap(bytes, split, bytes.length - split);
                int headLength = head.length();
                if (split < headLength) {
                    assertFalse(done, "complete too early at " + split);
                    assertEquals(0, first.remaining());
                    assertTrue(p.parse(rest), "not complete, split " + split);
                    assertLeftoverIsTheFrame(rest);
                } else {
                    assertTrue(done, "split " + split);
                    assertEquals(headLength, first.position(), "split " + split);
                }
                assertSameRequest(whole, p.request());
            }
        }
    }

    @Test
    void oneByteAtATime() {
        for (String head : List.of(CHROME, FIREFOX)) {
            byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
            HandshakeParser p = HandshakeParser.forRequests(DEFAULTS);
            for (int i = 0; i < bytes.length; i++) {
                ByteBuffer one = ByteBuffer.wrap(bytes, i, 1);
                assertEquals(i == bytes.length - 1, p.parse(one), "byte " + i);
                assertEquals(0, one.remaining());
            }
            assertSameRequest(parseRequest(head, DEFAULTS), p.request());
        }
    }

    /**
     * Parsers on one thread read their lines in one scratch array: a line cut by the end of a read must survive
     * other parsers' reads in between, the longer-than-scratch line too, and a parser must see none of theirs.
     */
    @Test
    void parsersTakingTurnsOnOneThreadKeepTheirOwnPartLines() {
        String longLine = "X-Long: " + "v".repeat(600) + "\r\n";
        String[] heads = {
            CHROME.replace("\r\n\r\n", "\r\n" + longLine + "\r\n"),
            FIREFOX,
            FIREFOX.replace("GET /echo", "GET /other").replace("\r\n\r\n", "\r\n" + longLine + "\r\n"),
        };
        HandshakeParser[] parsers = new HandshakeParser[heads.length];
        byte[][] bytes = new byte[heads.length][];
        int[] at = new int[heads.length];
        for (int i = 0; i < heads.length; i++) {
            parsers[i] = HandshakeParser.forRequests(DEFAULTS);
            bytes[i] = heads[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        // reads of 7, 45 and 301 bytes: every parser's reads end inside lines, short and long, many times over
        int[] step = {7, 45, 301};
        boolean left = true;
        while (left) {
            left = false;
            for (int i = 0; i < heads.length; i++) {
                if (at[i] < bytes[i].length) {
                    int n = Math.min(step[i], bytes[i].length - at[i]);
                    boolean done = parsers[i].parse(ByteBuffer.wrap(bytes[i], at[i], n));
                    at[i] += n;
                    assertEquals(at[i] == bytes[i].length, done, "parser " + i + " at " + at[i]);
                    left |= !done;
                }
            }
        }
        for (int i = 0; i < heads.length; i++) {
            assertSameRequest(parseRequest(heads[i], DEFAULTS), parsers[i].request());
        }
        assertEquals("v".repeat(600), parsers[0].request().headers().get("X-Long"));
        assertEquals("/other", parsers[2].request().path());
    }

    @Test
    void bytesAfterTheHeadStayInTheBuffer() {
        HandshakeParser p = HandshakeParser.forRequests(DEFAULTS);
        ByteBuffer in = ByteBuffer.wrap(withFrame(CHROME));
        assertTrue(p.parse(in));
        assertEquals(CHROME.length(), in.position());
        assertLeftoverIsTheFrame(in);
        // later calls consume nothing and keep answering true
        assertTrue(p.parse(in));
        assertEquals(CHROME.length(), in.position());
    }

    private static byte[] withFrame(String head) {
        byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[h.length + MASKED_HELLO.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(MASKED_HELLO, 0, all, h.length, MASKED_HELLO.length);
        return all;
    }

    private static void assertLeftoverIsTheFrame(ByteBuffer in) {
        byte[] left = new byte[in.remaining()];
        in.duplicate().get(left);
        assertArrayEquals(MASKED_HELLO, left);
    }

    private static void assertSameRequest(HandshakeRequest expected, HandshakeRequest actual) {
        assertEquals(expected.method(), actual.method());
        assertEquals(expected.target(), actual.target());
        assertEquals(expected.path(), actual.path());
        assertEquals(expected.query(), actual.query());
        assertEquals(expected.version(), actual.version());
        assertEquals(entries(expected.headers()), entries(actual.headers()));
    }

    @Test
    void toleratesBareLfAndLeadingEmptyLinesAndTrimsValues() {
        HandshakeRequest r = parseRequest("\r\n\nGET / HTTP/1.1\nHost:x\nA: \t spaced \t\n\n", DEFAULTS);
        assertEquals("/", r.path());
        assertEquals("x", r.headers().get("host"));
        assertEquals("spaced", r.headers().get("A"));
        assertEquals("", parseRequest("GET / HTTP/1.1\r\nEmpty:\r\n\r\n", DEFAULTS).headers().get("Empty"));
    }

    @Test
    void keepsObsTextBytesAsLatin1() {
        HandshakeRequest r = parseRequest("GET / HTTP/1.1\r\nX: caf\u00e9\r\n\r\n", DEFAULTS);
        assertEquals("caf\u00e9", r.headers().get("X"));
    }

    @Test
    void absoluteFormTargets() {
        HandshakeRequest r = parseRequest("GET http://example.com:80/a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n",
                DEFAULTS);
        assertEquals("/a/b", r.path());
        assertEquals("c=d", r.query());
        r = parseRequest("GET wss://example.com?q HTTP/1.1\r\n\r\n", DEFAULTS);
        assertEquals("/", r.path());
        assertEquals("q", r.query());
        r = parseRequest("GET /?x=1?y HTTP/1.1\r\n\r\n", DEFAULTS);
        assertEquals("x=1?y", r.query());
    }

    @Test
    void malformedHeadsAre400SayingWhatIsWrong() {
        String[][] cases = {
            {"GET /chat HTTP/1.1 extra\r\n\r\n", "bad request line"},
            {"GET  /chat HTTP/1.1\r\n\r\n", "bad request line"},
            {"GET /chat\r\n\r\n", "bad request line"},
            {"G(T / HTTP/1.1\r\n\r\n", "method is not a token"},
            {"GET / HTTX/1.1\r\n\r\n", "version"},
            {"GET / HTTP/11\r\n\r\n", "version"},
            {"GET chat HTTP/1.1\r\n\r\n", "bad request target"},
            {"GET * HTTP/1.1\r\n\r\n", "bad request target"},
            {"GET /a#frag HTTP/1.1\r\n\r\n", "bad request target"},
            {"GET /caf\u00e9 HTTP/1.1\r\n\r\n", "bad request target"},
            {"GET / HTTP/1.1\r\nHost example.com\r\n\r\n", "without colon"},
            {"GET / HTTP/1.1\r\nX: a\r\n  folded\r\n\r\n", "obsolete line folding"},
            {"GET / HTTP/1.1\r\nX: a\r\n\tfolded\r\n\r\n", "obsolete line folding"},
            {"GET / HTTP/1.1\r\nHo st: x\r\n\r\n", "header name is not a token"},
            {"GET / HTTP/1.1\r\nHost : x\r\n\r\n", "header name is not a token"},
            {"GET / HTTP/1.1\r\n: x\r\n\r\n", "header name is not a token"},
            {"GET / HTTP/1.1\r\nX: a\u0001b\r\n\r\n", "control character 0x01 in header line"},
            {"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", "control character 0x0D in header line"},
            {"GET / HTTP/1.1\r\nX: a\u007fb\r\n\r\n", "control character 0x7F"},
            {"GET /\u0000 HTTP/1.1\r\n\r\n", "control character 0x00 in request line"},
        };
        for (String[] c : cases) {
            HandshakeException e = rejected(c[0], DEFAULTS);
            assertEquals(400, e.httpStatus(), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }

    @Test
    void requestLineLimitBoundaryAndOneOver() {
        WebSocketConfig config = DEFAULTS.toBuilder().maxRequestLineLength(32).build();
        String exact = "GET /" + "a".repeat(32 - 14) + " HTTP/1.1";
        assertEquals(32, exact.length());
        parseRequest(exact + "\r\n\r\n", config);
        parseRequest(exact + "\n\n", config);
        String over = "GET /" + "a".repeat(32 - 13) + " HTTP/1.1";
        for (String eol : List.of("\r\n\r\n", "\n\n")) {
            HandshakeException e = rejected(over + eol, config);
            assertEquals(414, e.httpStatus());
            assertTrue(e.getMessage().contains("maxRequestLineLength (32 bytes)"), e.getMessage());
        }
    }

    @Test
    void headerLineLimitBoundaryAndOneOver() {
        WebSocketConfig config = DEFAULTS.toBuilder().maxHeaderLineLength(40).build();
        String exact = "X-Long: " + "v".repeat(32);
        assertEquals(40, exact.length());
        assertEquals("v".repeat(32), parseRequest("GET / HTTP/1.1\r\n" + exact + "\r\n\r\n", config)
                .headers().get("X-Long"));
        HandshakeException e = rejected("GET / HTTP/1.1\r\n" + exact + "v\r\n\r\n", config);
        assertEquals(431, e.httpStatus());
        assertTrue(e.getMessage().contains("maxHeaderLineLength (40 bytes)"), e.getMessage());
    }

    @Test
    void anEndlessLineFailsAsSoonAsItPassesTheLimit() {
        // the partial-line buffer never holds more than limit + 1 bytes
        WebSocketConfig config = DEFAULTS.toBuilder().maxHeaderLineLength(40).maxHandshakeSize(1 << 20).build();
        HandshakeParser p = HandshakeParser.forRequests(config);
        assertFalse(p.parse(ascii("GET / HTTP/1.1\r\n" + "x".repeat(40))));
        assertFalse(p.parse(ascii("\r")), "a CR after a full-length line may still end it");
        HandshakeException e = assertThrows(HandshakeException.class, () -> p.parse(ascii("x")));
        assertEquals(431, e.httpStatus());
        assertThrows(IllegalStateException.class, () -> p.parse(ascii("\n\r\n")));
    }

    @Test
    void headerCountLimitBoundaryAndOneOver() {
        WebSocketConfig config = DEFAULTS.toBuilder().maxHeaderCount(3).build();
        assertEquals(3, parseRequest("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nA: 3\r\n\r\n", config).headers().size());
        HandshakeException e = rejected("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nA: 3\r\nC: 4\r\n\r\n", config);
        assertEquals(431, e.httpStatus());
        assertTrue(e.getMessage().contains("maxHeaderCount (3)"), e.getMessage());
    }

    @Test
    void headSizeLimitBoundaryAndOneOver() {
        WebSocketConfig config = DEFAULTS.toBuilder().maxHandshakeSize(64).build();
        String start = "GET / HTTP/1.1\r\nX: ";
        String exact = start + "v".repeat(64 - start.length() - 4) + "\r\n\r\n";
        assertEquals(64, exact.length());
        parseRequest(exact, config);
        String over = start + "v".repeat(64 - start.length() - 3) + "\r\n\r\n";
        HandshakeException e = rejected(over, config);
        assertEquals(431, e.httpStatus());
        assertTrue(e.getMessage().contains("maxHandshakeSize (64 bytes)"), e.getMessage());
        // an unfinished head fails as soon as byte 65 arrives, without waiting for the blank line
        HandshakeParser p = HandshakeParser.forRequests(config);
        assertFalse(p.parse(ascii(start + "v".repeat(64 - start.length()))));
        assertThrows(HandshakeException.class, () -> p.parse(ascii("v")));
    }

    @Test
    void headSizeLimitAppliesToSkippedEmptyLinesToo() {
        WebSocketConfig config = DEFAULTS.toBuilder().maxHandshakeSize(64).build();
        HandshakeException e = rejected("\r\n".repeat(40), config);
        assertEquals(431, e.httpStatus());
    }

    @Test
    void accessorsBeforeCompletionOrOfTheWrongKindFail() {
        HandshakeParser p = HandshakeParser.forRequests(DEFAULTS);
        assertThrows(IllegalStateException.class, p::request);
        p.parse(ascii(CHROME));
        assertThrows(IllegalStateException.class, p::response);
    }

    @Test
    void parsesResponses() {
        HandshakeParser p = HandshakeParser.forResponses(DEFAULTS);
        ByteBuffer in = ascii("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\nrest");
        assertTrue(p.parse(in));
        assertEquals(4, in.remaining());
        HandshakeResponse r = p.response();
        assertEquals("HTTP/1.1", r.version());
        assertEquals(101, r.status());
        assertEquals("Switching Protocols", r.reason());
        assertEquals("websocket", r.headers().get("upgrade"));
        assertThrows(IllegalStateException.class, p::request);

        for (String line : List.of("HTTP/1.1 101", "HTTP/1.1 101 ")) {
            HandshakeParser q = HandshakeParser.forResponses(DEFAULTS);
            assertTrue(q.parse(ascii(line + "\r\n\r\n")));
            assertEquals("", q.response().reason());
        }
    }

    @Test
    void responseErrorsHaveStatusZero() {
        WebSocketConfig config = DEFAULTS.toBuilder().maxRequestLineLength(20).maxHeaderCount(1).build();
        String[][] cases = {
            {"HTTP/1.1 1010 Nope\r\n\r\n", "three digits"},
            {"HTTP/1.1 abc\r\n\r\n", "three digits"},
            {"HTTP/1.1 099 Low\r\n\r\n", "outside 100..599"},
            {"ICY 200 OK\r\n\r\n", "bad status line"},
            {"HTTP/1.1 101 Switching Protocols\r\n\r\n", "status line exceeds maxRequestLineLength (20 bytes)"},
            {"HTTP/1.1 101 OK\r\nA: 1\r\nB: 2\r\n\r\n", "maxHeaderCount (1)"},
            {"HTTP/1.1 101 OK\r\nA 1\r\n\r\n", "without colon"},
        };
        for (String[] c : cases) {
            HandshakeException e = assertThrows(HandshakeException.class,
                    () -> HandshakeParser.forResponses(config).parse(ascii(c[0])), c[0]);
            assertEquals(0, e.httpStatus(), c[0]);
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }
}
