package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Header lookup in any case, the first value, missing headers, and the copied map. */
class HttpRequestTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 5000);

    @Test
    void headerLooksUpTheFirstValueInAnyCase() {
        HttpRequest r = new HttpRequest("GET", "/", "", Map.of("authorization", List.of("Bearer a", "Bearer b"),
                "x-empty", List.of()), PEER);
        assertEquals("Bearer a", r.header("Authorization"));
        assertEquals("Bearer a", r.header("AUTHORIZATION"));
        assertEquals("Bearer a", r.header("authorization"));
        assertNull(r.header("Cookie"));
        assertNull(r.header("X-Empty"), "a header with no values reads as absent");
    }

    @Test
    void theHeaderMapIsCopied() {
        Map<String, List<String>> headers = new HashMap<>(Map.of("host", List.of("a")));
        HttpRequest r = new HttpRequest("GET", "/p", "q=1", headers, PEER);
        headers.put("origin", List.of("https://x"));
        assertNull(r.header("Origin"));
        assertThrows(UnsupportedOperationException.class, () -> r.headers().put("x", List.of()));
        assertEquals("/p", r.path());
        assertEquals("q=1", r.query());
        assertEquals(PEER, r.remoteAddress());
    }
}
