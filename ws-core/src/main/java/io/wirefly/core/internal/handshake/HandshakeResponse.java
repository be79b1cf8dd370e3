package io.wirefly.core.internal.handshake;

/**
 * The head of an HTTP response as {@link HandshakeParser} read it.
 *
 * <pre>{@code
 * HandshakeResponse r = parser.response();
 * boolean switching = r.status() == 101;
 * }</pre>
 *
 * @param version the protocol version, such as {@code HTTP/1.1}
 * @param status the status code
 * @param reason the reason phrase
 * @param headers the header fields
 */
public record HandshakeResponse(String version, int status, String reason, Headers headers) {
}
