package io.wirefly.core.internal.handshake;

/**
 * The head of an HTTP request as {@link HandshakeParser} read it.
 *
 * <pre>{@code
 * HandshakeRequest r = parser.request();
 * if (r.path().equals("/echo") && r.headers().containsToken("Upgrade", "websocket")) { ... }
 * }</pre>
 *
 * @param method the method, such as {@code GET}
 * @param target the request target as sent, such as {@code /chat?room=1}
 * @param path the target's path
 * @param query the target's query without {@code ?}, or the empty string
 * @param version the protocol version, such as {@code HTTP/1.1}
 * @param headers the header fields
 */
public record HandshakeRequest(String method, String target, String path, String query, String version,
        Headers headers) {
}
