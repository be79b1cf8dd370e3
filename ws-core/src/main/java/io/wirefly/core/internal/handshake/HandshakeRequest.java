package io.wirefly.core.internal.handshake;

import java.util.Objects;

/**
 * A parsed HTTP request head, as {@link HandshakeParser#forRequests} produces it. Immutable by convention: the
 * parser does not touch the headers after handing the request out.
 *
 * <pre>{@code
 * HandshakeRequest r = parser.request();
 * if (r.path().equals("/chat")) ServerHandshake.accept(r, List.of("chat.v1"), config);
 * }</pre>
 *
 * @param method the request method, case-sensitive as sent ({@code GET})
 * @param target the request-target exactly as sent, for example {@code /chat?room=1}
 * @param path the path of the target, still percent-encoded ({@code /chat}); for an absolute-form target
 *     ({@code http://host/chat}) only its path; never empty
 * @param query the query of the target without the {@code ?}, still percent-encoded; {@code ""} if none
 * @param version the protocol version, for example {@code HTTP/1.1}
 * @param headers the header fields in order
 */
public record HandshakeRequest(String method, String target, String path, String query, String version,
                               Headers headers) {

    /**
     * @param method the request method
     * @param target the request-target as sent
     * @param path the path of the target, percent-encoded
     * @param query the query without {@code ?}, or {@code ""}
     * @param version the protocol version
     * @param headers the header fields
     * @throws NullPointerException if any argument is null
     */
    public HandshakeRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(headers, "headers");
    }
}
