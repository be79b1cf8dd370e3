package io.wirefly.core;

import java.nio.ByteBuffer;

/**
 * Receives the events of WebSocket connections. Every method has an empty default, so a handler overrides only
 * what it needs.
 *
 * <p>Threading: the events of one connection are delivered one at a time and in order — on the connection's
 * event-loop thread, or on the server's {@code Executor} when one is configured. A handler that may block
 * (GPIO, a database) must run on an executor, never on an event loop. One handler instance usually serves many
 * connections at once, so shared state in it must be thread-safe.
 *
 * <pre>{@code
 * WebSocketHandler echo = new WebSocketHandler() {
 *     @Override public void onText(WebSocket ws, String text) { ws.sendText(text); }
 *     @Override public void onBinary(WebSocket ws, ByteBuffer data) { ws.sendBinary(data); }
 * };
 * }</pre>
 */
public interface WebSocketHandler {

    /**
     * The handshake completed; the connection is open.
     *
     * @param ws the connection
     */
    default void onOpen(WebSocket ws) {
    }

    /**
     * A complete text message arrived; it is valid UTF-8.
     *
     * @param ws the connection
     * @param text the message
     */
    default void onText(WebSocket ws, String text) {
    }

    /**
     * A complete binary message arrived. The buffer belongs to the handler (see {@link #onBinaryBorrowed} for a
     * handler that needs it only during the call).
     *
     * @param ws the connection
     * @param data the message, from position to limit
     */
    default void onBinary(WebSocket ws, ByteBuffer data) {
    }

    /**
     * A complete binary message, lent for the length of this call: like {@link #onBinary}, without the copy. A
     * handler that overrides this method receives every binary message here instead of through {@link #onBinary}. On
     * an event loop, a message that arrived whole in one read (most small ones) is not copied for the handler: it
     * gets a read-only view of the connection's read buffer, so a server that parses binary messages (protobuf,
     * CBOR, a sensor's fixed record) allocates nothing per message to get them. The price is the contract: the
     * buffer is valid only until this method returns, and must not be kept or handed to another thread; copy what
     * you keep. Passing it to {@link WebSocket#sendBinary} during the call, to this connection or another, is fine:
     * the send copies what it would keep (a server writes a large message sent to a connection on the same loop from
     * where it was read, and copies only what the socket does not take at once). A message assembled from fragments
     * or several reads, and every message when the server has an {@code Executor}, comes in a buffer that happens to
     * be the handler's own; the contract is the same.
     *
     * <pre>{@code
     * public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
     *     long id = data.getLong();                        // read what you need while the call lasts
     *     double celsius = data.getDouble();
     *     readings.record(id, celsius);
     * }
     * }</pre>
     *
     * @param ws the connection
     * @param data the message, from position to limit; read-only, valid only during the call
     */
    default void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
    }

    /**
     * A part of a binary message, as it arrives. A handler that overrides this method receives every binary message
     * this way instead of through {@link #onBinary}: its memory is bounded by the parts in flight, not by the
     * message, so {@code maxMessageSize} and {@code maxFrameSize} do not apply to binary messages (a compressed one
     * still stops at {@code maxMessageSize} of inflated bytes, the zip-bomb guard). Parts come in order; the last
     * has {@code last} set and may be empty. With an executor, reading pauses while the handler is behind, so a
     * slow consumer slows the sender down through TCP. Text messages still arrive whole.
     *
     * <pre>{@code
     * public void onBinaryPart(WebSocket ws, ByteBuffer part, boolean last) {
     *     file.write(part);                                  // a 200 MB upload, 64 KiB at a time
     *     if (last) { file.close(); ws.sendText("stored"); }
     * }
     * }</pre>
     *
     * @param ws the connection
     * @param part the next bytes of the message; the handler owns the buffer
     * @param last whether the message ends here
     */
    default void onBinaryPart(WebSocket ws, ByteBuffer part, boolean last) {
    }

    /**
     * A part of a text message, as it arrives: like {@link #onBinaryPart} for text. A handler that overrides this
     * method receives every text message this way instead of through {@link #onText}, without the size limits;
     * each part is whole characters (a character cut between two reads waits for the next part), and the bytes are
     * checked as UTF-8 as they arrive (1007 on the first bad one). The last part has {@code last} set and may be
     * empty.
     *
     * <pre>{@code
     * public void onTextPart(WebSocket ws, String part, boolean last) {
     *     jsonParser.feed(part);
     *     if (last) ws.sendText(jsonParser.result());
     * }
     * }</pre>
     *
     * @param ws the connection
     * @param part the next characters of the message
     * @param last whether the message ends here
     */
    default void onTextPart(WebSocket ws, String part, boolean last) {
    }

    /**
     * A ping arrived. Its pong is already queued (RFC 6455 §5.5.2 asks for it), so there is nothing to answer; this is
     * for logging or liveness bookkeeping. A handler that does not override this method costs nothing per ping.
     *
     * @param ws the connection
     * @param payload a copy of the ping's payload (at most 125 bytes)
     */
    default void onPing(WebSocket ws, ByteBuffer payload) {
    }

    /**
     * A pong arrived (a pong answering our ping, or an unsolicited one).
     *
     * @param ws the connection
     * @param payload the pong's payload
     */
    default void onPong(WebSocket ws, ByteBuffer payload) {
    }

    /**
     * The connection is closed. Called exactly once for every connection that was opened. The code is the one
     * from the peer's close frame, 1005 if its close frame had none, or 1006 if the connection ended without a
     * close frame; for a connection that this side failed (a protocol violation) it is the code that was sent.
     *
     * @param ws the connection
     * @param code the close code
     * @param reason the close reason; may be empty
     */
    default void onClose(WebSocket ws, int code, String reason) {
    }

    /**
     * Something went wrong on the connection: an I/O error, a protocol violation by the peer, or an exception
     * thrown by this handler. {@link #onClose} follows when the connection is closed by it. An exception thrown by
     * any other method of this handler is logged once, passed here, and closes the connection with 1011 (internal
     * error), so the peer is not left waiting for an answer that will not come.
     *
     * @param ws the connection
     * @param error what went wrong
     */
    default void onError(WebSocket ws, Throwable error) {
    }
}
