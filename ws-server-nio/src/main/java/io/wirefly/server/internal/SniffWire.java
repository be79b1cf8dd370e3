package io.wirefly.server.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The wire of a connection on a TLS port before it is known what the connection is: it reads the client's first bytes
 * and then becomes TLS (a handshake record, 0x16) or, if the server also serves plain {@code ws://} on that port, a
 * plain socket (anything else: an HTTP request begins with a letter). For TLS it waits for the whole first record so
 * that the ClientHello's server name (SNI) can choose the certificate. The bytes read to decide are handed on, none
 * lost.
 *
 * <p>Until the decision the session can only read: a write takes nothing (the server has nothing to say before the
 * request, and a plain-text status must never go out on what may be a TLS connection). The session's handshake
 * timeout covers the wait, so a client that sends half a record is closed like any slowloris. At most one record
 * ({@value ClientHello#MAX_RECORD} bytes) is buffered.
 *
 * <pre>{@code
 * SniffWire wire = new SniffWire(new SocketWire(channel), tls, loop, remote);
 * Session session = new Session(loop, wire, ...);
 * wire.onResume(() -> session.onReady(false, true, true));
 * }</pre>
 */
final class SniffWire implements Wire {
    private final SocketWire net;
    private final TlsSetup tls;
    private final Scheduler loop;
    private final InetSocketAddress peer;
    private Runnable resume = () -> { };
    private boolean wantRead = true;
    private boolean wantWrite;
    private boolean resumeQueued;

    /** The first bytes, in write mode, until the decision; then the plain bytes not yet read by the session. */
    private ByteBuffer first = ByteBuffer.allocate(ClientHello.HEADER);
    /** What the connection turned out to be: {@link #net} or a {@link TlsWire}; null until known. */
    private Wire decided;

    /**
     * @param net the accepted socket
     * @param tls the server's TLS (its contexts, and whether plain connections are welcome too)
     * @param loop the session's loop
     * @param peer the client's address
     */
    SniffWire(SocketWire net, TlsSetup tls, Scheduler loop, InetSocketAddress peer) {
        this.net = net;
        this.tls = tls;
        this.loop = loop;
        this.peer = peer;
    }

    /** @param resume runs the session's I/O again (the TLS layer's resumption, once TLS is decided) */
    void onResume(Runnable resume) {
        this.resume = resume;
        if (decided instanceof TlsWire secure) {
            secure.onResume(resume);
        }
    }

    @Override
    public javax.net.ssl.SSLSession tlsSession() {
        return decided instanceof TlsWire secure ? secure.tlsSession() : null;
    }

    /** @return true once the connection is known to be TLS */
    boolean isTls() {
        return decided instanceof TlsWire;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (decided == null && !decide()) {
            return first == null ? -1 : 0;
        }
        if (decided == net && first != null) {
            return readPlainPrefix(dst);
        }
        return decided.read(dst);
    }

    /**
     * Reads until the first bytes say what the connection is.
     *
     * @return true once decided; false if more bytes are needed (or the peer left: {@link #first} is null then)
     */
    private boolean decide() throws IOException {
        while (true) {
            int r = net.read(first);
            ByteBuffer view = first.duplicate().flip();
            if (r < 0) {
                first = null;   // gone before we knew what it was: nothing to hand on
                return false;
            }
            if (!view.hasRemaining()) {
                return false;
            }
            if (!ClientHello.isTls(view)) {
                if (tls.plainToo()) {
                    decided = net;
                    first = view;   // handed to the session first, by readPlainPrefix
                    net.interest(wantRead, wantWrite);
                    return true;
                }
                becomeTls(null, view);   // TLS only: the engine answers with an alert and the session closes
                return true;
            }
            int need = ClientHello.recordLength(view);
            if (!tls.hasNames() || view.remaining() >= need) {
                becomeTls(tls.hasNames() ? ClientHello.serverName(view) : null, view);
                return true;
            }
            if (first.capacity() < need) {
                first = ByteBuffer.allocate(need).put(view);
            } else if (r == 0) {
                return false;   // the rest of the record is not here yet
            }
        }
    }

    private void becomeTls(String serverName, ByteBuffer read) throws IOException {
        TlsWire secure = tls.wrap(net, loop, peer, serverName, read);
        secure.onResume(resume);
        first = null;
        decided = secure;
        secure.interest(wantRead, wantWrite);
    }

    private int readPlainPrefix(ByteBuffer dst) throws IOException {
        int n = Math.min(dst.remaining(), first.remaining());
        int limit = first.limit();
        first.limit(first.position() + n);
        dst.put(first);
        first.limit(limit);
        if (first.hasRemaining()) {
            return n;
        }
        first = null;
        int more = net.read(dst);
        return more < 0 ? n : n + more;   // the end of the stream shows at the next read
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return decided == null ? 0 : decided.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return decided == null ? 0 : decided.write(srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return decided == null ? 0 : decided.write(srcs);
    }

    @Override
    public void flushPending() throws IOException {
        if (decided != null) {
            decided.flushPending();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        if (decided == null) {
            net.shutdownOutput();
        } else {
            decided.shutdownOutput();
        }
    }

    @Override
    public void interest(boolean read, boolean write) {
        wantRead = read;
        wantWrite = write;
        if (decided == null) {
            net.interest(read, false);   // nothing can be written yet: waking up for it would spin
        } else {
            decided.interest(read, write);
            if (read && decided == net && first != null && !resumeQueued) {
                resumeQueued = true;   // the sniffed bytes wait here, and the selector will not say so
                loop.executeNextTurn(() -> {
                    resumeQueued = false;
                    resume.run();
                });
            }
        }
    }

    @Override
    public boolean isOpen() {
        return net.isOpen();
    }

    @Override
    public void close() {
        first = null;
        if (decided != null && decided != net) {
            decided.close();
        } else {
            net.close();
        }
    }
}
