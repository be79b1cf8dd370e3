package io.wirefly.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What an {@link AsyncHandshakeFilter} decided about an upgrade request: accept, optionally with headers for the
 * {@code 101} response (a {@code Set-Cookie}, say), or reject with a status, headers and a body the client reads.
 * Immutable: {@link #header} returns a new decision.
 *
 * <pre>{@code
 * HandshakeDecision.accept().header("Set-Cookie", "sid=" + sid + "; HttpOnly; Secure");
 * HandshakeDecision.reject(403, "this room is private\n");
 * }</pre>
 */
public final class HandshakeDecision {
    /** Headers the server writes itself, on a 101 or on a refusal: a filter may not set them. */
    private static final Set<String> RESERVED = Set.of("upgrade", "connection", "content-length",
            "transfer-encoding", "sec-websocket-accept", "sec-websocket-protocol", "sec-websocket-extensions",
            "sec-websocket-version");

    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final String body;

    private HandshakeDecision(int status, List<Map.Entry<String, String>> headers, String body) {
        this.status = status;
        this.headers = List.copyOf(headers);
        this.body = body;
    }

    /** @return accept the upgrade */
    public static HandshakeDecision accept() {
        return new HandshakeDecision(101, List.of(), null);
    }

    /**
     * @param status an HTTP status from 400 to 599
     * @param body the response body, sent as {@code text/plain; charset=utf-8}
     * @return refuse the upgrade
     * @throws IllegalArgumentException for another status
     */
    public static HandshakeDecision reject(int status, String body) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a rejection's status must be 400..599, was " + status);
        }
        return new HandshakeDecision(status, List.of(), Objects.requireNonNull(body, "body"));
    }

    /**
     * @param name a header name (not one the server writes itself, such as {@code Upgrade} or
     *     {@code Sec-WebSocket-Accept})
     * @param value its value, without CR or LF
     * @return this decision with one more response header; the same name may be added again ({@code Set-Cookie})
     * @throws IllegalArgumentException for a reserved or malformed header
     */
    public HandshakeDecision header(String name, String value) {
        if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+") || RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header name '" + name + "' is malformed or set by the server");
        }
        if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0 || c > 0xFF)) {
            throw new IllegalArgumentException("header '" + name + "' has a value with CR, LF, NUL or non-Latin-1");
        }
        List<Map.Entry<String, String>> more = new ArrayList<>(headers);
        more.add(Map.entry(name, value));
        return new HandshakeDecision(status, more, body);
    }

    /** @return true for an accept */
    public boolean accepted() {
        return status == 101;
    }

    /** @return 101 for an accept, else the rejection's status */
    public int status() {
        return status;
    }

    /** @return the extra response headers, in order */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** @return the rejection's body, or null for an accept */
    public String body() {
        return body;
    }

    @Override
    public String toString() {
        return "HandshakeDecision[" + status + " " + headers + "]";
    }
}
