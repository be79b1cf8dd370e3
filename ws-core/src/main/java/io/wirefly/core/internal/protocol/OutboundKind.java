package io.wirefly.core.internal.protocol;

/**
 * How the transport must order an outbound frame relative to what it has already queued (RFC 6455 §5.5 lets
 * control frames be injected between the frames of a fragmented message, never inside one frame).
 */
public enum OutboundKind {
    /** A data frame: queued behind everything else. */
    DATA,
    /** A ping or pong: may go ahead of queued data frames, but never into the middle of a partly written frame. */
    CONTROL,
    /** A close frame of a normal closing handshake: sent after every frame queued before it. */
    CLOSE,
    /** A close frame that fails the connection: queued data frames are dropped and this is sent next. */
    CLOSE_ABORT
}
