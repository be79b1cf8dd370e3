package io.wirefly.server;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The head of an HTTP request that reached the server: a WebSocket upgrade request (seen by a
 * {@link HandshakeFilter}) or a plain GET (seen by an {@link HttpHandler}).
 *
 * <pre>{@code
 * HandshakeFilter auth = request -> {
 *     if (!"secret".equals(request.header("Authorization"))) throw new HandshakeException(401, "no token");
 * };
 * }</pre>
 *
 * @param method the request method, such as {@code GET}
 * @param path the path, without the query
 * @param query the query without the {@code ?}, or the empty string
 * @param headers the header fields by lower-case name, values in arrival order
 * @param remoteAddress the client's address
 */
public record HttpRequest(String method, String path, String query, Map<String, List<String>> headers,
        InetSocketAddress remoteAddress) {

    /**
     * @param method the request method
     * @param path the path
     * @param query the query, or the empty string
     * @param headers header values by lower-case name
     * @param remoteAddress the client's address
     */
    public HttpRequest {
        headers = Map.copyOf(headers);
    }

    /**
     * @param name a header name, in any case
     * @return the first value of that header, or null
     */
    public String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
