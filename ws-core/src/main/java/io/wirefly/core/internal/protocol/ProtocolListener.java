package io.wirefly.core.internal.protocol;

import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;

/**
 * What a {@link Protocol} reports to its transport. All methods are called synchronously from inside
 * {@link Protocol#receive}, a {@code send*} method or {@link Protocol#close}, on the thread that called it.
 *
 * <pre>{@code
 * ProtocolListener listener = new ProtocolListener() {
 *     public void onText(String text) { System.out.println("got " + text); }
 *     public void onBinary(ByteBuffer data) { }
 *     public void onPing(ByteBuffer payload) { }
 *     public void onPong(ByteBuffer payload) { }
 *     public void onOutbound(ByteBuffer frame, OutboundKind kind) { socketQueue.add(frame); }
 *     public void onProtocolError(ProtocolException e) { log(e); }
 *     public void onClosed(int code, String reason) { closeSocketAfterFlush(); }
 * };
 * }</pre>
 */
public interface ProtocolListener {

    /**
     * A complete text message arrived.
     *
     * @param text the message, valid UTF-8 on the wire
     */
    void onText(String text);

    /**
     * A complete binary message arrived.
     *
     * @param data the message from position to limit; the listener owns the buffer
     */
    void onBinary(ByteBuffer data);

    /**
     * A ping arrived. The automatic pong has already been passed to {@link #onOutbound}.
     *
     * @param payload the ping's payload, a new buffer the listener owns
     */
    void onPing(ByteBuffer payload);

    /**
     * A pong arrived.
     *
     * @param payload the pong's payload, a new buffer the listener owns
     */
    void onPong(ByteBuffer payload);

    /**
     * A complete frame to write to the peer, already masked on the client side.
     *
     * @param frame the frame bytes from position to limit; the transport owns the buffer
     * @param kind how to order it against frames already queued
     */
    void onOutbound(ByteBuffer frame, OutboundKind kind);

    /**
     * The peer broke a rule (or the engine met an unexpected condition). A close frame with
     * {@link ProtocolException#closeCode()} has already been passed to {@link #onOutbound} as
     * {@link OutboundKind#CLOSE_ABORT}; {@link #onClosed} follows at once and all later input is discarded.
     *
     * @param error the violation
     */
    void onProtocolError(ProtocolException error);

    /**
     * The connection reached {@link io.wirefly.core.ReadyState#CLOSED}; called exactly once. The transport closes
     * the TCP connection once the frames already handed to it are written.
     *
     * @param code the peer's close code (1005 if its close frame had none); the code we sent when we failed the
     *     connection; or 1006 when the connection ended without a closing handshake
     * @param reason the close reason, possibly empty
     */
    void onClosed(int code, String reason);
}
