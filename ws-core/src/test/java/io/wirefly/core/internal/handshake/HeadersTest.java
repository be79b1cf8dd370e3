package io.wirefly.core.internal.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersTest {

    @Test
    void namesAreCaseInsensitiveAndOrderIsKept() {
        Headers h = new Headers().add("Host", "a").add("X-One", "1").add("host", "b");
        assertEquals("a", h.get("HOST"));
        assertEquals(List.of("a", "b"), h.all("Host"));
        assertEquals(List.of(), h.all("Missing"));
        assertNull(h.get("Missing"));
        assertEquals(3, h.size());
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> e : h) {
            names.add(e.getKey());
        }
        assertEquals(List.of("Host", "X-One", "host"), names);
    }

    @Test
    void countAndIndexedAccessSeeEveryFieldInOrder() {
        Headers h = new Headers().add("Host", "a").add("X-One", "1").add("HOST", "b");
        assertEquals(2, h.count("host"));
        assertEquals(1, h.count("x-one"));
        assertEquals(0, h.count("Missing"));
        assertEquals("HOST", h.name(2));
        assertEquals("1", h.value(1));
        assertThrows(IndexOutOfBoundsException.class, () -> h.name(3));
    }

    @Test
    void lowerNamesAreSharedForCommonNamesAndComputedForOthers() {
        assertEquals("sec-websocket-key", HttpTokens.lowerName("Sec-WebSocket-Key"));
        assertTrue(HttpTokens.lowerName("Sec-WebSocket-Key") == HttpTokens.lowerName("sec-websocket-key"));
        assertEquals("x-custom", HttpTokens.lowerName("X-Custom"));
        String lower = "x-already";
        assertTrue(HttpTokens.lowerName(lower) == lower);
    }

    @Test
    void containsTokenReadsCommaListsOfEveryField() {
        Headers h = new Headers().add("Connection", "keep-alive, Upgrade").add("Upgrade", "h2c")
                .add("upgrade", " WebSocket ");
        assertTrue(h.containsToken("connection", "upgrade"));
        assertTrue(h.containsToken("Upgrade", "websocket"));
        assertFalse(h.containsToken("Connection", "keep"));
        assertFalse(h.containsToken("Connection", "keep-alive, Upgrade"));
        assertFalse(h.containsToken("Missing", "x"));
        assertTrue(new Headers().add("A", ",,x,").containsToken("A", "x"));
        assertTrue(new Headers().add("A", "x,,").containsToken("A", ""));
    }

    @Test
    void iterationIsReadOnlyAndNullsAreRejected() {
        Headers h = new Headers().add("A", "1");
        Iterator<Map.Entry<String, String>> it = h.iterator();
        it.next();
        assertThrows(UnsupportedOperationException.class, it::remove);
        assertThrows(NullPointerException.class, () -> h.add(null, "x"));
        assertThrows(NullPointerException.class, () -> h.add("x", null));
    }

    @Test
    void manyFieldsGrowTheStoreAndIterateInOrderToTheEnd() {
        Headers h = new Headers();
        for (int i = 0; i < 40; i++) {
            h.add("X-" + i, Integer.toString(i * i));
        }
        assertEquals(40, h.size());
        assertEquals("X-39", h.name(39));
        assertEquals("1521", h.get("x-39"));
        assertEquals(List.of("100"), h.all("X-10"));
        int i = 0;
        for (Map.Entry<String, String> field : h) {
            assertEquals(Map.entry("X-" + i, Integer.toString(i * i)), field);
            i++;
        }
        assertEquals(40, i);
        Iterator<Map.Entry<String, String>> it = h.iterator();
        for (int k = 0; k < 40; k++) {
            it.next();
        }
        assertFalse(it.hasNext());
        assertThrows(java.util.NoSuchElementException.class, it::next);
        assertEquals("[A=1, B=2]", new Headers().add("A", "1").add("B", "2").toString());
    }
}
