package io.wirefly.core.internal.protocol;

import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;

/**
 * The events a {@link Protocol} reports: messages, pings, pongs, a violation, the end. They are called synchronously
 * from inside {@link Protocol#receive}, {@link Protocol#receiveEof} or {@link Protocol#fail}, on the thread that
 * called it. Frames to write are not reported here: the transport pulls them with {@link Protocol#drainOutbound}
 * after the call returns, so a listener never has to write to a socket in the middle of the engine's work.
 *
 * <pre>{@code
 * ProtocolListener listener = new ProtocolListener() {
 *     public void onText(String text) { System.out.println("got " + text); }
 *     public void onBinary(ByteBuffer data) { }
 *     public void onPing(ByteBuffer payload) { }
 *     public void onPong(ByteBuffer payload) { }
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
     * A complete binary message that arrived in one read, lent instead of given, when
     * {@link Protocol#lendBinary(boolean)} is on (other binary messages still go to {@link #onBinary}). By default
     * it is copied and passed to {@link #onBinary}.
     *
     * @param data the message from position to limit, a read-only view valid only during the call (copy what you
     *     keep)
     */
    default void onBinaryLent(ByteBuffer data) {
        onBinary(ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip());
    }

    /**
     * A part of a binary message, when {@link Protocol#streamBinary(boolean)} is on: the parts arrive as the bytes
     * do (inflated, for a compressed message), and the last one has {@code last} set and may be empty.
     *
     * @param part the bytes, a new buffer the listener owns
     * @param last whether the message ends with it
     */
    default void onBinaryPart(ByteBuffer part, boolean last) {
        throw new UnsupportedOperationException("streamBinary is on but onBinaryPart is not implemented");
    }

    /**
     * A part of a text message, when {@link Protocol#streamText(boolean)} is on: whole characters, valid UTF-8 so
     * far; the last part has {@code last} set and may be empty.
     *
     * @param part the characters
     * @param last whether the message ends with it
     */
    default void onTextPart(String part, boolean last) {
        throw new UnsupportedOperationException("streamText is on but onTextPart is not implemented");
    }

    /**
     * A ping arrived. The automatic pong is already queued for {@link Protocol#drainOutbound}.
     *
     * @param payload the ping's payload, a read-only view valid only during the call (copy what you keep)
     */
    void onPing(ByteBuffer payload);

    /**
     * A pong arrived, solicited or not.
     *
     * @param payload the pong's payload, a read-only view valid only during the call (copy what you keep)
     */
    void onPong(ByteBuffer payload);

    /**
     * The peer broke a rule (or the engine met an unexpected condition). A close frame with
     * {@link ProtocolException#closeCode()} is already queued as {@link OutboundKind#CLOSE_ABORT}; {@link #onClosed} follows at once and all later input is discarded.
     *
     * @param error the violation
     */
    void onProtocolError(ProtocolException error);

    /**
     * The connection reached {@link io.wirefly.core.ReadyState#CLOSED}; called exactly once. The transport closes
     * the TCP connection once the frames still queued (drain them first) are written.
     *
     * @param code the peer's close code (1005 if its close frame had none); the code we sent when we failed the
     *     connection; or 1006 when the connection ended without a closing handshake
     * @param reason the close reason, possibly empty
     */
    void onClosed(int code, String reason);

    /**
     * A bounded {@link InboundBudget} took back what this connection had reserved for the message it is receiving,
     * the oldest in progress, to make room for a newer one: the transport should fail the connection with 1013 on
     * its own thread. Called from the thread of the connection that needed the room, which may be another one.
     */
    default void onInboundEvicted() {
    }
}
