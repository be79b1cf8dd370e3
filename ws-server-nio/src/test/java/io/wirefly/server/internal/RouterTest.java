package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.WebSocketServer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static final WebSocketHandler A = new WebSocketHandler() { };
    private static final WebSocketHandler B = new WebSocketHandler() { };
    private static final WebSocketHandler C = new WebSocketHandler() { };
    private static final WebSocketHandler D = new WebSocketHandler() { };

    private static Router<WebSocketHandler> router(Object... routeThenHandler) {
        Map<String, WebSocketHandler> routes = new LinkedHashMap<>();
        for (int i = 0; i < routeThenHandler.length; i += 2) {
            routes.put((String) routeThenHandler[i], (WebSocketHandler) routeThenHandler[i + 1]);
        }
        return Router.of(routes);
    }

    @Test
    void exactBeatsTemplatesWhichBeatPrefixesAndTheLongestPrefixWins() {
        Router<WebSocketHandler> r = router("/api/*", A, "/api/v1/*", B, "/api/{version}/status", C, "/api/v1/status", D);
        assertSame(D, r.match("/api/v1/status").value());
        assertEquals(Map.of("version", "v2"), r.match("/api/v2/status").parameters());
        assertSame(B, r.match("/api/v1/other").value());
        assertEquals("other/x", r.match("/api/v1/other/x").parameters().get("*"));
        assertSame(A, r.match("/api/v3").value());
        assertNull(r.match("/ap"));
        assertNull(r.match("/"));
    }

    @Test
    void anExactMatchGivesTheRoutesOwnPathStringSoAConnectionKeepsNoCopy() {
        String route = new String("/chat");
        Router<WebSocketHandler> r = router(route, A, "/{room}/x", B);
        String requested = new String("/chat");
        Router.Match<WebSocketHandler> exact = r.match(requested);
        assertSame(route, exact.path());
        assertSame(exact, r.match(requested), "the exact match is made once");
        String templated = new String("/lobby/x");
        assertSame(templated, r.match(templated).path());
    }

    @Test
    void templatesAreTriedInTheOrderAdded() {
        Router<WebSocketHandler> r = router("/{a}/x", A, "/y/{b}", B);
        assertSame(A, r.match("/y/x").value());
        assertSame(B, r.match("/y/z").value());
        assertNull(r.match("/y/"), "a parameter matches a non-empty segment only");
    }

    @Test
    void aRootPrefixMatchesEverything() {
        Router<WebSocketHandler> r = router("/*", A);
        assertEquals("a/b", r.match("/a/b").parameters().get("*"));
        assertEquals("", r.match("/").parameters().get("*"));
    }

    @Test
    void malformedRoutesFailAtBuildNamingTheRoute() {
        for (String bad : List.of("chat", "/chat/{", "/chat/{}", "/chat/x{room}", "/{a}/{a}", "/a*", "/*/b",
                "/{a-b}")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> WebSocketServer.builder().route(bad, A).build(), bad);
            assertTrue(e.getMessage().contains(bad), e.getMessage());
        }
    }
}
