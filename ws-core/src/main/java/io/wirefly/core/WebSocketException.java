package io.wirefly.core;

/**
 * The root of Wirefly's exceptions. Unchecked: a WebSocket failure is reported to the handler or through a
 * failed {@link java.util.concurrent.CompletionStage}, not thrown through user code.
 *
 * <pre>{@code
 * ws.sendText("hi").exceptionally(error -> {
 *     if (error instanceof WebSocketException) log.warning("send failed: " + error.getMessage());
 *     return null;
 * });
 * }</pre>
 */
public class WebSocketException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, for a log; never sent to the peer */
    public WebSocketException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, for a log; never sent to the peer
     * @param cause the underlying failure
     */
    public WebSocketException(String message, Throwable cause) {
        super(message, cause);
    }
}
