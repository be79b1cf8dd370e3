package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.internal.handshake.Headers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PackedFieldsTest {

    /** What the head says, by lower-case name, built the plain way to compare with. */
    private static Map<String, List<String>> expected(Headers h) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < h.size(); i++) {
            m.computeIfAbsent(h.name(i).toLowerCase(java.util.Locale.ROOT), k -> new java.util.ArrayList<>())
                    .add(h.value(i));
        }
        m.replaceAll((k, v) -> List.copyOf(v));
        return m;
    }

    /** The raw form's size: every field as {@code name \n value \n}. */
    private static int written(Headers h) {
        int n = 0;
        for (int i = 0; i < h.size(); i++) {
            n += h.name(i).length() + h.value(i).length() + 2;
        }
        return n;
    }

    @Test
    void aCommandLineClientsHeadPacksToAThirdAndReadsBackExactly() {
        Headers h = new Headers()
                .add("Host", "127.0.0.1:9000")
                .add("Upgrade", "websocket")
                .add("Connection", "Upgrade")
                .add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
                .add("Sec-WebSocket-Version", "13");
        byte[] packed = PackedFields.pack(h);
        assertEquals(expected(h), PackedFields.unpack(packed));
        // host + its value + \n, three whole fields of one byte, the key's name + value + \n
        assertEquals(1 + 14 + 1 + 1 + 1 + 1 + 24 + 1 + 1, packed.length, "written out: " + written(h));
        assertEquals(List.of("websocket"), PackedFields.get(packed, "upgrade"));
        assertEquals(List.of("dGhlIHNhbXBsZSBub25jZQ=="), PackedFields.get(packed, "sec-websocket-key"));
        assertEquals(List.of("13"), PackedFields.get(packed, "sec-websocket-version"));
        assertNull(PackedFields.get(packed, "origin"));
    }

    @Test
    void aBrowsersHeadLosesItsCommonNamesAndValuesAndKeepsTheRestAsSent() {
        Headers h = new Headers()
                .add("Host", "example.com")
                .add("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
                .add("Accept", "*/*")
                .add("Accept-Language", "en-US,en;q=0.5")
                .add("Accept-Encoding", "gzip, deflate, br, zstd")
                .add("Sec-WebSocket-Version", "13")
                .add("Origin", "https://example.com")
                .add("Sec-WebSocket-Extensions", "permessage-deflate")
                .add("Sec-WebSocket-Key", "x3JJHMbDL1EzLkh9GBhXDw==")
                .add("Connection", "keep-alive, Upgrade")
                .add("Cookie", "sid=42")
                .add("Sec-Fetch-Dest", "empty")
                .add("Sec-Fetch-Mode", "websocket")
                .add("Sec-Fetch-Site", "same-origin")
                .add("Pragma", "no-cache")
                .add("Cache-Control", "no-cache")
                .add("Upgrade", "websocket");
        byte[] packed = PackedFields.pack(h);
        assertEquals(expected(h), PackedFields.unpack(packed));
        assertEquals(List.copyOf(expected(h).keySet()), List.copyOf(PackedFields.unpack(packed).keySet()),
                "in the order of the head");
        assertTrue(packed.length < written(h) / 2, packed.length + " of " + written(h));
        assertEquals(List.of("sid=42"), PackedFields.get(packed, "cookie"));
        assertEquals(List.of("keep-alive, Upgrade"), PackedFields.get(packed, "connection"));
    }

    @Test
    void aCommonNameWithAnotherValueOrSpellingKeepsItsValueExactly() {
        Headers h = new Headers()
                .add("Upgrade", "WebSocket")
                .add("Connection", "UPGRADE")
                .add("sec-websocket-version", "8")
                .add("Pragma", "no-cache ")
                .add("X-Trace", "caf\u00e9 \u00ff")
                .add("X-Empty", "")
                .add("Origin", "\u00ff\u00c0")
                .add("Connection", "Upgrade")
                .add("x-trace", "t2");
        byte[] packed = PackedFields.pack(h);
        assertEquals(expected(h), PackedFields.unpack(packed));
        assertEquals(List.of("UPGRADE", "Upgrade"), PackedFields.get(packed, "connection"));
        assertEquals(List.of("WebSocket"), PackedFields.get(packed, "upgrade"));
        assertEquals(List.of("8"), PackedFields.get(packed, "sec-websocket-version"));
        assertEquals(List.of("no-cache "), PackedFields.get(packed, "pragma"));
        assertEquals(List.of("caf\u00e9 \u00ff", "t2"), PackedFields.get(packed, "x-trace"),
                "obs-text bytes, whose high bit a token byte also has, come back as they came");
        assertEquals(List.of(""), PackedFields.get(packed, "x-empty"));
        assertEquals(List.of("\u00ff\u00c0"), PackedFields.get(packed, "origin"), "a value may begin with such a byte");
        assertNull(PackedFields.get(packed, "x-tr"));
        assertNull(PackedFields.get(packed, "Connection"), "names are looked up in lower case");
    }

    @Test
    void noFieldsPackToNothing() {
        byte[] packed = PackedFields.pack(new Headers());
        assertEquals(0, packed.length);
        assertEquals(Map.of(), PackedFields.unpack(packed));
        assertNull(PackedFields.get(packed, "host"));
    }
}
