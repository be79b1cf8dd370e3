package io.wirefly.bench.loadtest;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * TLS for one load-generator connection: a JDK client {@link SSLEngine} between the socket and the WebSocket bytes.
 * The engine's thread owns it; delegated tasks run inline (the generator has no other work to do meanwhile).
 *
 * <p>Ciphertext read from the socket goes in with {@link #received}; {@link #handshake} drives the TLS handshake as
 * far as the input allows; once it is done, {@link #plaintext} unwraps what arrived and {@link #wrap} encrypts what
 * goes out into {@link #netOut}, which the connection writes to the socket.
 *
 * <pre>{@code
 * ClientTls tls = new ClientTls(context, "localhost", port);
 * tls.handshake();                 // the ClientHello is now in tls.netOut()
 * }</pre>
 */
final class ClientTls {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final SSLEngine engine;
    /** Ciphertext read and not yet unwrapped; write mode. */
    private ByteBuffer netIn;
    /** Ciphertext wrapped and not yet written; write mode. */
    private ByteBuffer netOut;
    /** Plaintext unwrapped; write mode, except between {@link #plaintext} and {@link #consumed}. */
    private ByteBuffer appIn;
    private boolean done;

    ClientTls(SSLContext context, String host, int port) throws SSLException {
        engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        engine.beginHandshake();
        int packet = engine.getSession().getPacketBufferSize();
        netIn = ByteBuffer.allocate(packet * 2);
        netOut = ByteBuffer.allocate(packet * 2);
        appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() * 2);
    }

    /** @return whether the handshake finished, so that WebSocket bytes may flow */
    boolean handshakeDone() {
        return done;
    }

    /** @return the negotiated protocol and cipher suite, such as {@code TLSv1.3 TLS_AES_256_GCM_SHA384} */
    String describe() {
        return engine.getSession().getProtocol() + " " + engine.getSession().getCipherSuite();
    }

    /** @return the ciphertext waiting to be written, in write mode: flip, write, compact */
    ByteBuffer netOut() {
        return netOut;
    }

    /** Appends ciphertext read from the socket. */
    void received(ByteBuffer cipher) {
        if (netIn.remaining() < cipher.remaining()) {
            netIn = grow(netIn, cipher.remaining());
        }
        netIn.put(cipher);
    }

    /**
     * Drives the handshake as far as the input received so far allows; its output lands in {@link #netOut}.
     *
     * @return true once the handshake is done
     * @throws SSLException if the server's answer is bad (the connection then fails)
     */
    boolean handshake() throws SSLException {
        while (!done) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> wrapOnce(EMPTY);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    if (!unwrapOnce()) {
                        return false;
                    }
                }
                default -> done = true;   // FINISHED or NOT_HANDSHAKING
            }
        }
        return true;
    }

    /**
     * Encrypts as much of {@code src} as fits in one record into {@link #netOut}.
     *
     * @throws SSLException if the engine fails
     */
    void wrap(ByteBuffer src) throws SSLException {
        wrapOnce(src);
    }

    /**
     * Unwraps every whole record received, answering post-handshake messages (TLS 1.3 session tickets).
     *
     * @return the plaintext, in read mode; the caller reads it all, then calls {@link #consumed}
     * @throws SSLException if a record is bad
     */
    ByteBuffer plaintext() throws SSLException {
        while (unwrapOnce()) {
            switch (engine.getHandshakeStatus()) {
                case NEED_TASK -> runTasks();
                case NEED_WRAP -> wrapOnce(EMPTY);
                default -> {
                    // data, or a ticket taken in silence
                }
            }
        }
        return appIn.flip();
    }

    /** The plaintext returned by {@link #plaintext} has been read. */
    void consumed() {
        appIn.clear();
    }

    private void wrapOnce(ByteBuffer src) throws SSLException {
        while (true) {
            SSLEngineResult r = engine.wrap(src, netOut);
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
                if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                    throw new SSLException("the TLS session is closed");
                }
                return;
            }
            netOut = grow(netOut, engine.getSession().getPacketBufferSize());
        }
    }

    /** @return false when no whole record is left to unwrap */
    private boolean unwrapOnce() throws SSLException {
        netIn.flip();
        try {
            if (!netIn.hasRemaining()) {
                return false;
            }
            while (true) {
                SSLEngineResult r = engine.unwrap(netIn, appIn);
                switch (r.getStatus()) {
                    case BUFFER_UNDERFLOW:
                        return false;
                    case BUFFER_OVERFLOW:
                        appIn = grow(appIn, engine.getSession().getApplicationBufferSize());
                        continue;
                    case CLOSED:
                        throw new SSLException("the server closed the TLS session");
                    default:
                        return r.bytesConsumed() > 0 || r.bytesProduced() > 0;
                }
            }
        } finally {
            netIn.compact();
        }
    }

    private void runTasks() {
        for (Runnable task; (task = engine.getDelegatedTask()) != null; ) {
            task.run();
        }
    }

    private static ByteBuffer grow(ByteBuffer b, int more) {
        ByteBuffer bigger = ByteBuffer.allocate(b.capacity() + Math.max(more, b.capacity()));
        b.flip();
        bigger.put(b);
        return bigger;
    }
}
