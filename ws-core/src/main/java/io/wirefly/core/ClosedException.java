package io.wirefly.core;

/**
 * A message was sent on a connection that is closing or closed, or a pending send was abandoned because the
 * connection closed before its bytes reached the network.
 *
 * <pre>{@code
 * ws.sendText("late").whenComplete((ok, error) -> {
 *     if (error instanceof ClosedException) System.out.println("the peer is gone");
 * });
 * }</pre>
 */
public class ClosedException extends WebSocketException {
    private static final long serialVersionUID = 1L;

    /** @param message why the send could not happen */
    public ClosedException(String message) {
        super(message);
    }
}
