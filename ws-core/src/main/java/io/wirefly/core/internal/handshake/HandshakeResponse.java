package io.wirefly.core.internal.handshake;

import java.util.Objects;

/**
 * A parsed HTTP response head, as {@link HandshakeParser#forResponses} produces it. Immutable by convention.
 *
 * <pre>{@code
 * HandshakeResponse r = parser.response();
 * ClientHandshake.Result result = handshake.verify(r);   // throws unless r.status() == 101 and all is well
 * }</pre>
 *
 * @param version the protocol version, for example {@code HTTP/1.1}
 * @param status the status code, 100..599
 * @param reason the reason phrase, possibly empty
 * @param headers the header fields in order
 */
public record HandshakeResponse(String version, int status, String reason, Headers headers) {

    /**
     * @param version the protocol version
     * @param status the status code, 100..599
     * @param reason the reason phrase, possibly empty
     * @param headers the header fields
     * @throws NullPointerException if a reference is null
     * @throws IllegalArgumentException if the status is outside 100..599
     */
    public HandshakeResponse {
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(headers, "headers");
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100..599, was " + status);
        }
    }
}
