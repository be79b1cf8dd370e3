package io.wirefly.core;

/**
 * How a connection ended, as {@link WebSocketHandler#onClose} reports it: the peer's close code and reason after a
 * closing handshake, 1005 if its close frame had no code, 1006 if the connection ended without one (a reset, a
 * timeout), or the code this side sent when it failed the connection.
 *
 * <pre>{@code
 * ws.close(1001, "shutting down")
 *   .thenAccept(info -> log.info("closed: " + info.code() + (info.clean() ? "" : " (abnormal)")));
 * }</pre>
 *
 * @param code the close code
 * @param reason the close reason; may be empty
 */
public record CloseInfo(int code, String reason) {

    /**
     * @param code the close code
     * @param reason the close reason; may be empty
     * @throws NullPointerException if {@code reason} is null
     */
    public CloseInfo {
        java.util.Objects.requireNonNull(reason, "reason");
    }

    /** @return true unless the connection ended without a closing handshake (1006) */
    public boolean clean() {
        return code != CloseCode.ABNORMAL.code();
    }
}
