package io.wirefly.server.internal;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A {@link Wire} over a non-blocking {@link SocketChannel} registered with one event loop. It remembers the interest
 * set it last gave the key, so an unchanged set costs no call into the selector.
 *
 * <pre>{@code
 * SocketWire wire = new SocketWire(channel);
 * wire.attach(loop.register(channel, SelectionKey.OP_READ, session), SelectionKey.OP_READ);
 * }</pre>
 */
final class SocketWire implements Wire {
    private static final System.Logger LOG = System.getLogger(SocketWire.class.getName());

    private final SocketChannel channel;
    private SelectionKey key;
    private int ops;

    SocketWire(SocketChannel channel) {
        this.channel = channel;
    }

    /**
     * @param key the channel's key with its loop's selector
     * @param ops the interest set it was registered with
     */
    void attach(SelectionKey key, int ops) {
        this.key = key;
        this.ops = ops;
    }

    SocketChannel channel() {
        return channel;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return channel.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return channel.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return channel.write(srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return channel.write(srcs);
    }

    @Override
    public void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    @Override
    public void interest(boolean read, boolean write) {
        int wanted = (read ? SelectionKey.OP_READ : 0) | (write ? SelectionKey.OP_WRITE : 0);
        if (wanted != ops && key != null && key.isValid()) {
            key.interestOps(wanted);
            ops = wanted;
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        if (!channel.finishConnect()) {
            return false;
        }
        ops = -1;   // from waiting for the connect to the read/write interest of an open stream
        return true;
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void close() {
        if (key != null) {
            key.cancel();
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "closing channel", e);
        }
    }
}
