package io.wirefly.core;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@link WebSocket#binaryStream()}: one binary message written as a stream, sent in parts of {@link #PART} bytes
 * through {@link WebSocket#sendBinaryPart}, with at most {@link #IN_FLIGHT} parts waiting to be written. Not
 * thread-safe (one writer, like any {@code OutputStream}).
 */
final class BinaryPartStream extends OutputStream {
    static final int PART = 64 * 1024;
    static final int IN_FLIGHT = 4;

    private final WebSocket ws;
    private final ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
    private ByteBuffer buffer = ByteBuffer.allocate(PART);
    private boolean closed;

    BinaryPartStream(WebSocket ws) {
        this.ws = ws;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("the message stream is closed");
        }
        while (len > 0) {
            int n = Math.min(len, buffer.remaining());
            buffer.put(b, off, n);
            off += n;
            len -= n;
            if (!buffer.hasRemaining()) {
                sendPart(false);
            }
        }
    }

    /** Sends what is buffered as a part now (an empty buffer sends nothing). */
    @Override
    public void flush() throws IOException {
        if (!closed && buffer.position() > 0) {
            sendPart(false);
        }
    }

    /** Sends the last part and waits until every part is written. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        sendPart(true);
        while (!inFlight.isEmpty()) {
            await(inFlight.poll());
        }
    }

    private void sendPart(boolean last) throws IOException {
        ByteBuffer part = buffer.flip();
        buffer = last ? null : ByteBuffer.allocate(PART);
        inFlight.add(ws.sendBinaryPart(part, last).toCompletableFuture());
        while (inFlight.size() > IN_FLIGHT) {
            await(inFlight.poll());
        }
    }

    private static void await(CompletableFuture<Void> f) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the message was being sent");
        } catch (ExecutionException e) {
            throw new IOException("the message could not be sent: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
