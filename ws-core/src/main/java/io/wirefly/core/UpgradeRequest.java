package io.wirefly.core;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP request that opened a WebSocket, as one immutable view: path and path parameters (from a route template
 * such as {@code /chat/{room}}), decoded query parameters, headers, cookies, both addresses, and what was negotiated.
 * A server's {@code HandshakeFilter} sees it before the 101 and may attach {@linkplain #attributes() attributes}
 * (the authenticated user, say); the handler reads them later through {@link WebSocket#request()}. On a client
 * connection it describes the request that was sent.
 *
 * <pre>{@code
 * // route("/chat/{room}", handler), and a client opening /chat/lobby?nick=ada
 * public void onOpen(WebSocket ws) {
 *     UpgradeRequest r = ws.request();
 *     String room = r.pathParameter("room");               // "lobby"
 *     String nick = r.queryParameter("nick");              // "ada"
 *     User user = r.attribute("user", User.class).orElseThrow();   // put there by the filter
 * }
 * }</pre>
 */
public interface UpgradeRequest {

    /** @return the request method ({@code GET} for every upgrade) */
    String method();

    /** @return the path as sent, percent-encoded, without the query */
    String path();

    /** @return the query as sent, without {@code ?}; {@code ""} if there is none */
    String query();

    /**
     * @return the query parameters, decoded as a form ({@code +} is a space), in order; a name without {@code =}
     *     has the value {@code ""}
     */
    Map<String, List<String>> queryParameters();

    /**
     * @param name a parameter name
     * @return its first value, or null
     */
    default String queryParameter(String name) {
        List<String> values = queryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** @return the values of the route template's {@code {name}} segments, percent-decoded; empty for exact routes */
    Map<String, String> pathParameters();

    /**
     * @param name a name in the route template, without braces
     * @return its value, or null
     */
    default String pathParameter(String name) {
        return pathParameters().get(name);
    }

    /** @return the header fields by lower-case name, each with its values in order */
    Map<String, List<String>> headers();

    /**
     * @param name a header name, in any case
     * @return its first value, or null
     */
    default String header(String name) {
        List<String> values = headers().get(name.toLowerCase(java.util.Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** @return the cookies of the {@code Cookie} headers by name (the first of a repeated name wins) */
    Map<String, String> cookies();

    /** @return the peer's address */
    InetSocketAddress remoteAddress();

    /** @return this side's address of the connection */
    InetSocketAddress localAddress();

    /**
     * @return the TLS session of a {@code wss://} connection (protocol, cipher suite, the peer's certificates when
     *     it presented any, the SNI name asked for), or empty for {@code ws://}
     */
    Optional<javax.net.ssl.SSLSession> tlsSession();

    /** @return the negotiated subprotocol, or {@code ""} (also before the handshake is accepted) */
    String subprotocol();

    /** @return the negotiated extensions as they appear in the response, such as {@code permessage-deflate}; or none */
    List<String> extensions();

    /**
     * Values attached to the connection, by name: a server's filter puts them (the authenticated user, a session id)
     * and the handler reads them. Thread-safe; the only part of this view that changes.
     *
     * @return the attributes
     */
    Map<String, Object> attributes();

    /**
     * @param name an attribute name
     * @param type its expected type
     * @param <T> that type
     * @return the attribute, if present and of that type
     */
    default <T> Optional<T> attribute(String name, Class<T> type) {
        Object value = attributes().get(name);
        return type.isInstance(value) ? Optional.of(type.cast(value)) : Optional.empty();
    }
}
