package io.wirefly.server.internal;

import io.wirefly.core.internal.handshake.Headers;
import io.wirefly.core.internal.handshake.HttpTokens;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header fields of an upgrade request packed into one byte array, the form in which an open connection keeps
 * them for its whole life. A field is {@code name \n value \n} in ISO-8859-1 (a value never holds a line feed),
 * the name in lower case; but a field that nearly every client sends in the same words ({@code upgrade: websocket},
 * {@code sec-websocket-version: 13}) is one byte, and a common name ({@code host}, {@code sec-websocket-key}) is one
 * byte followed by its value. Those bytes are {@code 0x80} and above, which a name, an HTTP token, never holds.
 * Every field reads back exactly as it was sent; the short head of a command-line client shrinks from about 130
 * bytes to about 45, and a browser's loses its longest names and most of its fixed values.
 *
 * <pre>{@code
 * byte[] packed = PackedFields.pack(head.headers());
 * List<String> hosts = PackedFields.get(packed, "host");          // null if there is none
 * Map<String, List<String>> all = PackedFields.unpack(packed);    // in the order of the head
 * }</pre>
 */
final class PackedFields {
    /** The first byte of a common name followed by its value ({@code 0x80 + i} stands for {@code NAMES[i]}). */
    private static final int NAME = 0x80;
    /** The first byte of a whole common field ({@code 0xC0 + i} stands for {@code FIELDS[i]}). */
    private static final int FIELD = 0xC0;

    private static final String[] NAMES = {"host", "origin", "user-agent", "cookie", "sec-websocket-key",
        "sec-websocket-protocol", "sec-websocket-extensions", "sec-websocket-version", "upgrade", "connection",
        "accept", "accept-encoding", "accept-language", "cache-control", "pragma", "authorization", "referer",
        "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-real-ip", "forwarded", "sec-fetch-dest",
        "sec-fetch-mode", "sec-fetch-site", "sec-gpc", "dnt", "priority"};

    /** Name and value of each common field, the value exactly as clients send it. */
    private static final String[][] FIELDS = {
        {"upgrade", "websocket"}, {"connection", "Upgrade"}, {"connection", "upgrade"},
        {"connection", "keep-alive, Upgrade"}, {"sec-websocket-version", "13"},
        {"sec-websocket-extensions", "permessage-deflate; client_max_window_bits"},
        {"sec-websocket-extensions", "permessage-deflate"}, {"pragma", "no-cache"}, {"cache-control", "no-cache"},
        {"accept", "*/*"}, {"accept-encoding", "gzip, deflate, br, zstd"}, {"accept-encoding", "gzip, deflate, br"},
        {"accept-encoding", "gzip, deflate"}, {"sec-fetch-dest", "empty"}, {"sec-fetch-dest", "websocket"},
        {"sec-fetch-mode", "websocket"}, {"sec-fetch-site", "same-origin"}, {"sec-fetch-site", "same-site"},
        {"sec-fetch-site", "cross-site"}, {"sec-fetch-site", "none"}};

    static {
        assert NAMES.length <= FIELD - NAME && FIELDS.length <= 0x100 - FIELD;
    }

    private PackedFields() {
    }

    /**
     * @param fields a parsed head's fields
     * @return them packed, sized exactly
     */
    static byte[] pack(Headers fields) {
        int n = fields.size();
        // Each field's code: a FIELDS index + FIELD, a NAMES index + NAME, or -1 for a field written out.
        int[] codes = new int[n];
        String[] names = new String[n];
        int length = 0;
        for (int i = 0; i < n; i++) {
            String name = HttpTokens.lowerName(fields.name(i));
            String value = fields.value(i);
            int code = code(name, value);
            codes[i] = code;
            names[i] = name;
            length += code >= FIELD ? 1 : code >= NAME ? 1 + value.length() + 1 : name.length() + value.length() + 2;
        }
        byte[] packed = new byte[length];
        int at = 0;
        for (int i = 0; i < n; i++) {
            int code = codes[i];
            if (code >= NAME) {
                packed[at++] = (byte) code;
                if (code >= FIELD) {
                    continue;
                }
            } else {
                at = put(packed, at, names[i]);
                packed[at++] = '\n';
            }
            at = put(packed, at, fields.value(i));
            packed[at++] = '\n';
        }
        return packed;
    }

    /** @return the byte that stands for this field or its name, or -1 if it is written out */
    private static int code(String name, String value) {
        for (int f = 0; f < FIELDS.length; f++) {
            if (FIELDS[f][0].equals(name) && FIELDS[f][1].equals(value)) {
                return FIELD + f;
            }
        }
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(name)) {
                return NAME + i;
            }
        }
        return -1;
    }

    /** Writes a parsed head's string (ISO-8859-1: every char fits a byte) at {@code at}; returns the end. */
    private static int put(byte[] packed, int at, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            packed[at++] = (byte) s.charAt(i);
        }
        return at;
    }

    /**
     * @param packed packed fields
     * @param name a lower-case name
     * @return the values of the fields of that name, in order; or null if there are none
     */
    static List<String> get(byte[] packed, String name) {
        String first = null;
        List<String> more = null;
        for (Cursor c = new Cursor(packed); c.next(); ) {
            if (c.named(name)) {
                String value = c.value();
                if (first == null) {
                    first = value;
                } else {
                    if (more == null) {
                        more = new ArrayList<>();
                        more.add(first);
                    }
                    more.add(value);
                }
            }
        }
        return more != null ? List.copyOf(more) : first != null ? List.of(first) : null;
    }

    /** @return the packed fields by name, each with its values in order, names in the order of the head */
    static Map<String, List<String>> unpack(byte[] packed) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Cursor c = new Cursor(packed); c.next(); ) {
            headers.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c.value());
        }
        headers.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(headers);
    }

    /** Walks the fields one at a time; the name and value become strings only when asked for. */
    private static final class Cursor {
        private final byte[] packed;
        private int next;
        /** The current field's code (as in {@link #code}), or -1 if its name is written out. */
        private int code;
        private int nameFrom;
        private int nameTo;
        private int valueFrom;
        private int valueTo;

        Cursor(byte[] packed) {
            this.packed = packed;
        }

        /** @return true if there is one more field, now the current one */
        boolean next() {
            int at = next;
            if (at >= packed.length) {
                return false;
            }
            int b = packed[at] & 0xFF;
            if (b >= FIELD) {
                code = b;
                next = at + 1;
                return true;
            }
            if (b >= NAME) {
                code = b;
                valueFrom = at + 1;
            } else {
                code = -1;
                nameFrom = at;
                nameTo = lineEnd(at);
                valueFrom = nameTo + 1;
            }
            valueTo = lineEnd(valueFrom);
            next = valueTo + 1;
            return true;
        }

        private int lineEnd(int from) {
            while (packed[from] != '\n') {
                from++;
            }
            return from;
        }

        /** @return true if the current field's name is {@code lower} (a lower-case name) */
        boolean named(String lower) {
            if (code >= 0) {
                return commonName().equals(lower);
            }
            int n = nameTo - nameFrom;
            if (n != lower.length()) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if ((packed[nameFrom + i] & 0xFF) != lower.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        String name() {
            return code >= 0 ? commonName() : text(nameFrom, nameTo);
        }

        String value() {
            return code >= FIELD ? FIELDS[code - FIELD][1] : text(valueFrom, valueTo);
        }

        private String commonName() {
            return code >= FIELD ? FIELDS[code - FIELD][0] : NAMES[code - NAME];
        }

        private String text(int from, int to) {
            return new String(packed, from, to - from, StandardCharsets.ISO_8859_1);
        }
    }
}
