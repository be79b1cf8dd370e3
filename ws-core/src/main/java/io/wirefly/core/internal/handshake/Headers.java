package io.wirefly.core.internal.handshake;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * HTTP header fields in the order they arrived. Names compare case-insensitively (RFC 9110 §5.1) and keep the
 * spelling they were added with; a name may occur several times. Not thread-safe; a parsed head's headers are
 * not changed after parsing.
 *
 * <pre>{@code
 * Headers h = new Headers().add("Connection", "keep-alive, Upgrade");
 * h.containsToken("connection", "upgrade");   // true
 * h.get("CONNECTION");                         // "keep-alive, Upgrade"
 * }</pre>
 */
public final class Headers implements Iterable<Map.Entry<String, String>> {
    /** Names and values in turn: name {@code i} at {@code 2i}, its value at {@code 2i + 1} (no entry per field). */
    private String[] fields = new String[16];
    private int size;

    /** Creates an empty set of header fields. */
    public Headers() {
    }

    /**
     * Appends a field; earlier fields with the same name are kept.
     *
     * @param name the field name, as it should be written
     * @param value the field value, without leading or trailing whitespace
     * @return this
     * @throws NullPointerException if name or value is null
     */
    public Headers add(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (2 * size == fields.length) {
            fields = Arrays.copyOf(fields, fields.length * 2);
        }
        fields[2 * size] = name;
        fields[2 * size + 1] = value;
        size++;
        return this;
    }

    /**
     * @param name a field name, any case
     * @return the value of the first field with this name, or null if there is none
     */
    public String get(String name) {
        for (int i = 0; i < size; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) {
                return fields[2 * i + 1];
            }
        }
        return null;
    }

    /**
     * @param name a field name, any case
     * @return the values of every field with this name, in order; empty if none (an unmodifiable list)
     */
    public List<String> all(String name) {
        String first = null;
        List<String> more = null;
        for (int i = 0; i < size; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) {
                String value = fields[2 * i + 1];
                if (first == null) {
                    first = value;
                } else {
                    if (more == null) {
                        more = new ArrayList<>(4);
                        more.add(first);
                    }
                    more.add(value);
                }
            }
        }
        // the usual cases, none or one field, allocate at most one small list
        return more != null ? Collections.unmodifiableList(more) : first == null ? List.of() : List.of(first);
    }

    /**
     * @param name a field name, any case
     * @return how many fields have this name
     */
    public int count(String name) {
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (fields[2 * i].equalsIgnoreCase(name)) {
                count++;
            }
        }
        return count;
    }

    /**
     * Whether any field with this name holds the token in its comma-separated list (RFC 9110 §5.6.1), for example
     * {@code Connection: keep-alive, Upgrade}. Elements are trimmed and compared case-insensitively.
     *
     * @param name a field name, any case
     * @param token the token to look for
     * @return true if one of the list elements of one of the fields equals the token
     */
    public boolean containsToken(String name, String token) {
        for (int i = 0; i < size; i++) {
            if (fields[2 * i].equalsIgnoreCase(name) && listContains(fields[2 * i + 1], token)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a comma-separated list holds the token, elements trimmed of OWS, compared ignoring case. */
    private static boolean listContains(String value, String token) {
        int start = 0;
        while (start <= value.length()) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? value.length() : comma;
            int from = start;
            int to = end;
            while (from < to && isOws(value.charAt(from))) {
                from++;
            }
            while (to > from && isOws(value.charAt(to - 1))) {
                to--;
            }
            if (to - from == token.length() && value.regionMatches(true, from, token, 0, token.length())) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /** @return the number of fields, counting repeated names once per field */
    public int size() {
        return size;
    }

    /**
     * @param index a field's place, from 0 to {@link #size()} - 1
     * @return its name, as it was added
     * @throws IndexOutOfBoundsException if there is no such field
     */
    public String name(int index) {
        return fields[2 * Objects.checkIndex(index, size)];
    }

    /**
     * @param index a field's place, from 0 to {@link #size()} - 1
     * @return its value
     * @throws IndexOutOfBoundsException if there is no such field
     */
    public String value(int index) {
        return fields[2 * Objects.checkIndex(index, size) + 1];
    }

    /** @return the fields in order, as immutable entries made as it goes; the iterator does not support removal */
    @Override
    public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < size;
            }

            @Override
            public Map.Entry<String, String> next() {
                if (next >= size) {
                    throw new NoSuchElementException();
                }
                int i = next++;
                return Map.entry(fields[2 * i], fields[2 * i + 1]);
            }
        };
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < size; i++) {
            sb.append(i == 0 ? "" : ", ").append(fields[2 * i]).append('=').append(fields[2 * i + 1]);
        }
        return sb.append(']').toString();
    }
}
