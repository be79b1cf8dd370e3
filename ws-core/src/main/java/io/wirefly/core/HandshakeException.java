package io.wirefly.core;

import java.util.Map;
import java.util.Objects;

/**
 * The opening handshake failed. On the server side {@link #httpStatus()} is the status to answer with (400 for
 * a malformed request, 403 for a refused origin, 404 for an unknown path, 426 with
 * {@code Sec-WebSocket-Version: 13} for an unsupported version, 431 when a header limit is exceeded, 503 when
 * the server is full) and {@link #headers()} the extra response headers. The response body is the status line's
 * text unless a {@link #responseBody()} is given: the message stays on the server, the body is what the peer may
 * read. On the client side the status is the one the server answered with, or 0 when the response itself was
 * unacceptable.
 *
 * <pre>{@code
 * client.connect(uri, handler).exceptionally(error -> {
 *     if (error.getCause() instanceof HandshakeException h) System.out.println("refused: " + h.httpStatus());
 *     return null;
 * });
 * }</pre>
 */
public class HandshakeException extends WebSocketException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status of the failure, or 0. */
    private final int httpStatus;
    private final transient Map<String, String> headers;
    /** The body to answer with, or null for the status line's text. */
    private final String responseBody;

    /**
     * @param httpStatus the HTTP status that describes the failure (0 if none applies)
     * @param message what was wrong, naming the header or the limit
     */
    public HandshakeException(int httpStatus, String message) {
        this(httpStatus, message, Map.of());
    }

    /**
     * @param httpStatus the HTTP status that describes the failure (0 if none applies)
     * @param message what was wrong, naming the header or the limit
     * @param headers extra response headers, such as {@code Sec-WebSocket-Version: 13} with a 426
     */
    public HandshakeException(int httpStatus, String message, Map<String, String> headers) {
        this(httpStatus, message, headers, null);
    }

    /**
     * A refusal whose body the peer reads, such as a filter's explanation.
     *
     * <pre>{@code
     * throw new HandshakeException(403, "room " + room + " is private", Map.of(), "This room is private.\n");
     * }</pre>
     *
     * @param httpStatus the HTTP status that describes the failure (0 if none applies)
     * @param message what was wrong, for the server's log
     * @param headers extra response headers
     * @param responseBody the response body (sent as {@code text/plain; charset=utf-8}), or null for the default
     */
    public HandshakeException(int httpStatus, String message, Map<String, String> headers, String responseBody) {
        super(message);
        if (httpStatus != 0 && (httpStatus < 100 || httpStatus > 599)) {
            throw new IllegalArgumentException("httpStatus must be 0 or 100..599, was " + httpStatus);
        }
        this.httpStatus = httpStatus;
        this.headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
        this.responseBody = responseBody;
    }

    /** @return the HTTP status of the failure, or 0 when none applies */
    public int httpStatus() {
        return httpStatus;
    }

    /** @return extra headers for the error response; never null */
    public Map<String, String> headers() {
        return headers;
    }

    /** @return the body to send with the refusal, if one was given */
    public java.util.Optional<String> responseBody() {
        return java.util.Optional.ofNullable(responseBody);
    }
}
