package io.wirefly.server.internal;

import java.io.IOException;
import java.nio.channels.GatheringByteChannel;
import java.nio.channels.ReadableByteChannel;

/**
 * The byte stream under one session, as the session sees it: read, gathering write, half-close, close, and which
 * readiness events it wants. {@link SocketWire} is the real one (a {@code SocketChannel} and its selection key);
 * tests use an in-memory one.
 *
 * <pre>{@code
 * Wire wire = new SocketWire(channel);
 * wire.interest(true, !outbound.isEmpty());
 * }</pre>
 */
interface Wire extends ReadableByteChannel, GatheringByteChannel {

    /**
     * Writes what the wire itself still holds (a TLS layer's records and handshake messages); called when the socket
     * is writable and the session has nothing queued. A plain socket holds nothing.
     *
     * @throws IOException if writing fails
     */
    default void flushPending() throws IOException {
    }

    /**
     * Completes a pending connect (a client's), after the selector said it can be.
     *
     * @return true once connected; false if still pending
     * @throws IOException if the connect failed
     */
    default boolean finishConnect() throws IOException {
        return true;
    }

    /** Sends FIN after the bytes already written (a TLS layer sends close_notify first); reading goes on. */
    void shutdownOutput() throws IOException;

    /** @return the TLS session once its handshake is done, or null for a plain connection */
    default javax.net.ssl.SSLSession tlsSession() {
        return null;
    }

    /**
     * Sets the readiness events the session wants next.
     *
     * @param read wake up when bytes can be read
     * @param write wake up when bytes can be written
     */
    void interest(boolean read, boolean write);

    /** Closes the stream and forgets its registration; never throws. */
    @Override
    void close();
}
