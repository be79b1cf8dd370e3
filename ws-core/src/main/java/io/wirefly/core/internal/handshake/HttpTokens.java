package io.wirefly.core.internal.handshake;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The character classes of HTTP heads that the handshake and the extension header both need: RFC 9110 §5.6.2 tokens
 * (one table, looked up per character), and the header names a WebSocket upgrade usually carries, so that a parser
 * reading them from bytes can hand out one shared string instead of a new one per connection.
 *
 * <pre>{@code
 * HttpTokens.isToken("permessage-deflate");   // true
 * HttpTokens.name(lineBytes, colon);          // "Sec-WebSocket-Key", the same instance every time
 * }</pre>
 */
public final class HttpTokens {
    /** tchar, by ASCII code. */
    private static final boolean[] TOKEN = new boolean[128];

    static {
        for (int c = 0x21; c < 0x7F; c++) {
            TOKEN[c] = "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
        }
    }

    /** The names a WebSocket upgrade usually carries, as usually spelled. */
    private static final String[] COMMON_NAMES = {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key",
        "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "Origin", "User-Agent",
        "Cookie", "Pragma", "Cache-Control", "Accept-Encoding", "Accept-Language", "Sec-WebSocket-Accept",
        "Content-Length", "Authorization", "host", "upgrade", "connection", "sec-websocket-key",
        "sec-websocket-version", "sec-websocket-extensions", "sec-websocket-protocol", "origin", "user-agent",
        "sec-websocket-accept"};
    private static final byte[][] COMMON_NAME_BYTES = new byte[COMMON_NAMES.length][];
    /** Each common name in lower case, one instance per name however it is spelled above. */
    private static final String[] COMMON_LOWER = new String[COMMON_NAMES.length];

    static {
        for (int i = 0; i < COMMON_NAMES.length; i++) {
            COMMON_NAME_BYTES[i] = COMMON_NAMES[i].getBytes(StandardCharsets.ISO_8859_1);
            COMMON_LOWER[i] = COMMON_NAMES[i].toLowerCase(Locale.ROOT).intern();
        }
    }

    private HttpTokens() {
    }

    /**
     * @param c a character (or a byte as an unsigned value)
     * @return whether it is a tchar: visible ASCII except the delimiters
     */
    public static boolean isTokenChar(int c) {
        return c >= 0 && c < 0x80 && TOKEN[c];
    }

    /**
     * @param s a string
     * @return true if it is a non-empty token (RFC 9110 §5.6.2: visible ASCII except delimiters)
     */
    public static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param b bytes whose first {@code length} are a header name, ISO-8859-1
     * @return the name: a shared instance for a common name spelled as usual, else a new string
     */
    static String name(byte[] b, int length) {
        for (int i = 0; i < COMMON_NAME_BYTES.length; i++) {
            byte[] known = COMMON_NAME_BYTES[i];
            if (known.length == length && Arrays.equals(b, 0, length, known, 0, length)) {
                return COMMON_NAMES[i];
            }
        }
        return new String(b, 0, length, StandardCharsets.ISO_8859_1);
    }

    /**
     * A header name in lower case, as a server keeps it for a connection's lifetime.
     *
     * <pre>{@code
     * HttpTokens.lowerName(HttpTokens.name(lineBytes, colon));   // "sec-websocket-key", shared
     * }</pre>
     *
     * @param name a header name
     * @return the name in lower case: a shared instance for a name that {@link #name} shares, no new string for one
     *     already in lower case, else a new string
     */
    public static String lowerName(String name) {
        for (int i = 0; i < COMMON_NAMES.length; i++) {
            if (COMMON_NAMES[i] == name) {
                return COMMON_LOWER[i];
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }
}
