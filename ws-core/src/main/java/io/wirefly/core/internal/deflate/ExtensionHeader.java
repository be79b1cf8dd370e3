package io.wirefly.core.internal.deflate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The grammar of {@code Sec-WebSocket-Extensions} (RFC 6455 §9.1):
 * <pre>
 * extension-list = 1#extension
 * extension      = extension-token *( ";" extension-param )
 * extension-param = token [ "=" (token | quoted-string) ]
 * </pre>
 * {@link #split} cuts a header value into its extensions at the commas outside quoted strings, so that one
 * malformed extension does not hide the others; {@link #parse} parses one of them.
 */
final class ExtensionHeader {

    /** One parameter; {@code value} is null when the parameter has none, unquoted when it was quoted. */
    record Param(String name, String value) {
    }

    /** One extension: its lower-cased name and its parameters in order. */
    record Extension(String name, List<Param> params) {
    }

    private ExtensionHeader() {
    }

    /**
     * @param headerValue one {@code Sec-WebSocket-Extensions} value
     * @return its comma-separated elements, trimmed, empty ones dropped (RFC 9110 §5.6.1 allows them)
     */
    static List<String> split(String headerValue) {
        List<String> elements = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < headerValue.length(); i++) {
            char c = headerValue.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                addTrimmed(elements, headerValue.substring(start, i));
                start = i + 1;
            }
        }
        addTrimmed(elements, headerValue.substring(start));
        return elements;
    }

    private static void addTrimmed(List<String> out, String element) {
        String trimmed = element.strip();
        if (!trimmed.isEmpty()) {
            out.add(trimmed);
        }
    }

    /**
     * @param element one extension as returned by {@link #split}
     * @return the parsed extension; names are lower-cased (extension and parameter tokens compare
     *     case-insensitively)
     * @throws IllegalArgumentException saying what is malformed
     */
    static Extension parse(String element) {
        String[] parts = splitParams(element);
        String name = parts[0].strip();
        if (!isToken(name)) {
            throw new IllegalArgumentException("extension name is not a token: " + name);
        }
        List<Param> params = new ArrayList<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].strip();
            int eq = part.indexOf('=');
            String paramName = (eq < 0 ? part : part.substring(0, eq)).strip();
            if (!isToken(paramName)) {
                throw new IllegalArgumentException("extension parameter name is not a token: " + paramName);
            }
            String value = null;
            if (eq >= 0) {
                value = unquote(part.substring(eq + 1).strip());
            }
            params.add(new Param(paramName.toLowerCase(Locale.ROOT), value));
        }
        return new Extension(name.toLowerCase(Locale.ROOT), List.copyOf(params));
    }

    /** Splits at the semicolons outside quoted strings; fails on an unterminated quote. */
    private static String[] splitParams(String element) {
        List<String> parts = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ';' && !quoted) {
                parts.add(element.substring(start, i));
                start = i + 1;
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quoted string");
        }
        parts.add(element.substring(start));
        return parts.toArray(new String[0]);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"') {
            StringBuilder out = new StringBuilder(value.length());
            for (int i = 1; i < value.length() - 1; i++) {
                char c = value.charAt(i);
                if (c == '\\' && i + 1 < value.length() - 1) {
                    c = value.charAt(++i);
                }
                out.append(c);
            }
            // RFC 7692 §7.1: a quoted value must still be a token once unquoted
            String unquoted = out.toString();
            if (!isToken(unquoted)) {
                throw new IllegalArgumentException("quoted parameter value is not a token: " + unquoted);
            }
            return unquoted;
        }
        if (!isToken(value)) {
            throw new IllegalArgumentException("parameter value is not a token: " + value);
        }
        return value;
    }

    /**
     * @param s a string
     * @return true if it is a non-empty RFC 9110 §5.6.2 token (visible ASCII without delimiters)
     */
    static boolean isToken(String s) {
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

    private static boolean isTokenChar(char c) {
        if (c <= 0x20 || c >= 0x7F) {
            return false;
        }
        return "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
