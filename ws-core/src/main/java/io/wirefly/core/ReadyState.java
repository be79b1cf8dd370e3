package io.wirefly.core;

/**
 * The state of a WebSocket connection, named and ordered as in the browser's {@code WebSocket.readyState}.
 *
 * <pre>{@code
 * if (ws.readyState() == ReadyState.OPEN) {
 *     ws.sendText("still here");
 * }
 * }</pre>
 */
public enum ReadyState {
    /** The opening handshake has not completed yet. */
    CONNECTING,
    /** The handshake completed; messages flow both ways. */
    OPEN,
    /** A close frame was sent or received; the closing handshake is under way. No new messages may be sent. */
    CLOSING,
    /** The connection is closed, cleanly or not. */
    CLOSED
}
