package io.wirefly.core;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * One WebSocket connection, as the browser's {@code WebSocket} object shows it: send text, binary or a ping,
 * close, and read the state. Implemented by the transport (see {@code io.wirefly.server}); handed to a
 * {@link WebSocketHandler}.
 *
 * <p>Thread-safe: every method may be called from any thread. Sends are queued in order and written by the
 * connection's own I/O thread; the returned stage completes when the frame's bytes have been handed to the
 * operating system, or fails with {@link ClosedException} if the connection closes first.
 *
 * <pre>{@code
 * public void onText(WebSocket ws, String text) {
 *     ws.sendText("echo: " + text);
 *     if (ws.bufferedAmount() > 1 << 20) ws.close(1008, "slow down");
 * }
 * }</pre>
 */
public interface WebSocket {

    /**
     * Sends a text message.
     *
     * @param text the message; encoded as UTF-8
     * @return a stage completed when the message is written, or failed with {@link ClosedException}
     */
    CompletionStage<Void> sendText(CharSequence text);

    /**
     * Sends a binary message. The bytes between the buffer's position and limit are sent; the buffer must not be
     * changed until the returned stage completes.
     *
     * @param data the message
     * @return a stage completed when the message is written, or failed with {@link ClosedException}
     */
    CompletionStage<Void> sendBinary(ByteBuffer data);

    /**
     * Sends one part of a binary message: a message of any size, streamed. Each part is one frame (the first a
     * binary frame, the others continuations, the last with FIN); parts are not compressed. Until the last part,
     * messages sent with {@link #sendText} or {@link #sendBinary} (and broadcasts) wait, since the frames of two
     * messages may not interleave. Back-pressure as for any send: the returned stage completes when the part is
     * written, and {@link #bufferedAmount()} counts what waits.
     *
     * <pre>{@code
     * public void onBinaryPart(WebSocket ws, ByteBuffer part, boolean last) {
     *     ws.sendBinaryPart(part, last);   // an echo that never holds a whole message
     * }
     * }</pre>
     *
     * @param part the bytes between position and limit; must not change until the stage completes
     * @param last whether the message ends with this part
     * @return a stage completed when the part is written, or failed with {@link ClosedException}
     * @throws UnsupportedOperationException if this implementation cannot stream
     */
    default CompletionStage<Void> sendBinaryPart(ByteBuffer part, boolean last) {
        throw new UnsupportedOperationException("this WebSocket cannot send messages in parts");
    }

    /**
     * Sends one part of a text message, like {@link #sendBinaryPart} for text: a text frame, then continuations, the
     * last with FIN. Each part is encoded on its own, so a part should not end between the two halves of a surrogate
     * pair. A binary message in parts must be finished before a text one starts, and the other way round.
     *
     * @param part the characters
     * @param last whether the message ends with this part
     * @return a stage completed when the part is written, or failed with {@link ClosedException} (or
     *     {@link IllegalStateException} if a binary message is being sent in parts)
     * @throws UnsupportedOperationException if this implementation cannot stream
     */
    default CompletionStage<Void> sendTextPart(CharSequence part, boolean last) {
        throw new UnsupportedOperationException("this WebSocket cannot send messages in parts");
    }

    /**
     * An {@link java.io.OutputStream} that sends one binary message in parts of up to 64 KiB: {@code write} blocks
     * while more than four parts wait to be written (the peer reads slower than we write), {@code close} sends the
     * last part and waits for it. For threads that may block: not on an event loop (use {@link #sendBinaryPart}
     * there).
     *
     * <pre>{@code
     * try (OutputStream out = ws.binaryStream(); InputStream in = Files.newInputStream(video)) {
     *     in.transferTo(out);   // 200 MB, with memory for five parts
     * }
     * }</pre>
     *
     * @return the message's stream
     */
    default java.io.OutputStream binaryStream() {
        return new BinaryPartStream(this);
    }

    /**
     * Sends a ping. The peer answers with a pong carrying the same bytes.
     *
     * @param payload at most 125 bytes
     * @return a stage completed when the ping is written
     * @throws IllegalArgumentException if the payload is longer than 125 bytes
     */
    CompletionStage<Void> ping(ByteBuffer payload);

    /**
     * Starts the closing handshake: messages already queued are sent first, then a close frame with this code
     * and reason. {@link #readyState()} is {@link ReadyState#CLOSING} at once, whichever thread calls. The connection
     * is closed when the peer answers, or after the close timeout. Calling it again, or on a connection that is
     * already closing, starts nothing new and returns the same outcome.
     *
     * <pre>{@code
     * ws.close(1000, "bye").toCompletableFuture().get(10, TimeUnit.SECONDS);   // waits for the peer's answer
     * }</pre>
     *
     * @param code a code that {@link CloseCode#isValidToSend()} accepts
     * @param reason at most 123 bytes of UTF-8; may be empty
     * @return completed with how the connection ended (the peer's answer, or 1006 if it never came)
     * @throws IllegalArgumentException if the code may not be sent or the reason is too long
     */
    CompletionStage<CloseInfo> close(int code, String reason);

    /**
     * Closes with 1000 and no reason.
     *
     * @return completed with how the connection ended
     */
    default CompletionStage<CloseInfo> close() {
        return close(CloseCode.NORMAL.code(), "");
    }

    /** @return the connection's current state */
    ReadyState readyState();

    /**
     * @return the number of bytes queued for sending but not yet handed to the operating system, frame headers
     *     included, as the browser's {@code bufferedAmount}
     */
    long bufferedAmount();

    /** @return the negotiated subprotocol, or the empty string if none */
    String subprotocol();

    /** @return the request path of the handshake (without the query), such as {@code /led} */
    String path();

    /**
     * @return the upgrade request that opened this connection: path and query parameters, headers, cookies,
     *     addresses, what was negotiated, and the attributes a server's filter attached
     */
    UpgradeRequest request();

    /**
     * Joins a topic of the server this connection belongs to; it leaves all of them when it closes. Topics fan a
     * message out to many connections with the frame encoded once.
     *
     * <pre>{@code
     * public void onOpen(WebSocket ws) {
     *     ws.subscribe("room:" + ws.request().pathParameter("room"));
     * }
     * public void onText(WebSocket ws, String text) {
     *     ws.publish("room:" + ws.request().pathParameter("room"), text);
     * }
     * }</pre>
     *
     * @param topic the topic name
     * @throws UnsupportedOperationException on a client connection (topics belong to a server)
     */
    default void subscribe(String topic) {
        throw new UnsupportedOperationException("topics belong to a server; this connection has none");
    }

    /**
     * Leaves a topic; nothing if this connection is not a member.
     *
     * @param topic the topic name
     * @throws UnsupportedOperationException on a client connection
     */
    default void unsubscribe(String topic) {
        throw new UnsupportedOperationException("topics belong to a server; this connection has none");
    }

    /**
     * Sends a text message to every open member of a topic of this connection's server (this connection too, if it
     * is a member). Called from a handler on an event loop it never waits; called from another thread, it waits while
     * the server's loops are too far behind with their broadcast writes (see the server's {@code broadcast}).
     *
     * @param topic the topic name
     * @param text the message
     * @return how many connections it was queued for
     * @throws UnsupportedOperationException on a client connection
     */
    default int publish(String topic, CharSequence text) {
        throw new UnsupportedOperationException("topics belong to a server; this connection has none");
    }

    /**
     * Sends a binary message to every open member of a topic of this connection's server.
     *
     * @param topic the topic name
     * @param data the message; not modified
     * @return how many connections it was queued for
     * @throws UnsupportedOperationException on a client connection
     */
    default int publish(String topic, ByteBuffer data) {
        throw new UnsupportedOperationException("topics belong to a server; this connection has none");
    }

    /** @return the address of the other end */
    InetSocketAddress remoteAddress();
}
