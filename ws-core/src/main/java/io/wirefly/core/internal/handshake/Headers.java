package io.wirefly.core.internal.handshake;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The header fields of an HTTP head, in arrival order, with case-insensitive names. Not thread-safe.
 *
 * <pre>{@code
 * Headers h = new Headers().add("Connection", "keep-alive, Upgrade");
 * h.containsToken("connection", "upgrade");   // true
 * }</pre>
 */
public final class Headers implements Iterable<Map.Entry<String, String>> {
    private final List<Map.Entry<String, String>> fields = new ArrayList<>();

    /**
     * @param name a field name
     * @param value its value, without surrounding whitespace
     * @return this
     */
    public Headers add(String name, String value) {
        fields.add(new AbstractMap.SimpleImmutableEntry<>(name, value));
        return this;
    }

    /**
     * @param name a field name, any case
     * @return the first value of that field, or null
     */
    public String get(String name) {
        for (Map.Entry<String, String> f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                return f.getValue();
            }
        }
        return null;
    }

    /**
     * @param name a field name, any case
     * @return every value of that field, in order
     */
    public List<String> all(String name) {
        List<String> values = new ArrayList<>();
        for (Map.Entry<String, String> f : fields) {
            if (f.getKey().equalsIgnoreCase(name)) {
                values.add(f.getValue());
            }
        }
        return values;
    }

    /**
     * Whether a comma-separated field contains a token, case-insensitively, across all its lines.
     *
     * @param name a field name
     * @param token the token, such as {@code upgrade}
     * @return true if present
     */
    public boolean containsToken(String name, String token) {
        for (String value : all(name)) {
            for (String t : value.split(",")) {
                if (t.strip().toLowerCase(Locale.ROOT).equals(token.toLowerCase(Locale.ROOT))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return the number of fields */
    public int size() {
        return fields.size();
    }

    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return fields.iterator();
    }

    @Override
    public String toString() {
        return fields.toString();
    }
}
