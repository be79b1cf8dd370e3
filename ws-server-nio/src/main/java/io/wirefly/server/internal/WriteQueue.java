package io.wirefly.server.internal;

import io.wirefly.core.ClosedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * The frames waiting to be written to one connection, in the order RFC 6455 allows: the frame being written
 * finishes first, then control frames (pings, pongs), then data and close frames in the order they were sent.
 * Written with gathering writes. Loop-thread only, except {@link #bytes()} which any thread may read.
 */
final class WriteQueue {
    private static final int GATHER = 32;

    private final ArrayDeque<Entry> control = new ArrayDeque<>(2);
    private final ArrayDeque<Entry> data = new ArrayDeque<>(4);
    private final ByteBuffer[] gather = new ByteBuffer[GATHER];
    private final Entry[] gathered = new Entry[GATHER];
    private Entry current;
    private volatile long bytes;

    private record Entry(ByteBuffer buffer, CompletableFuture<Void> done) {
    }

    /** @return the bytes queued and not yet handed to the kernel */
    long bytes() {
        return bytes;
    }

    /** @return true if nothing is queued */
    boolean isEmpty() {
        return current == null && control.isEmpty() && data.isEmpty();
    }

    /**
     * @param frame a data or close frame
     * @param done completed when written, or null
     */
    void addData(ByteBuffer frame, CompletableFuture<Void> done) {
        data.add(new Entry(frame, done));
        bytes += frame.remaining();
    }

    /**
     * @param frame a ping or pong, written before queued data frames
     * @param done completed when written, or null
     */
    void addControl(ByteBuffer frame, CompletableFuture<Void> done) {
        control.add(new Entry(frame, done));
        bytes += frame.remaining();
    }

    /**
     * Drops every queued frame that has not started to go out, failing their completions.
     *
     * @param why the message of the ClosedException
     */
    void dropPending(String why) {
        dropAll(data, why);
        dropAll(control, why);
    }

    /**
     * Drops everything, including the frame being written.
     *
     * @param why the message of the ClosedException
     */
    void clear(String why) {
        if (current != null) {
            fail(current, why);
            bytes -= current.buffer.remaining();
            current = null;
        }
        dropPending(why);
    }

    /**
     * Writes as much as the channel takes.
     *
     * @param channel the socket
     * @return true if the queue is now empty
     * @throws IOException if the write fails
     */
    boolean writeTo(GatheringByteChannel channel) throws IOException {
        while (true) {
            int n = 0;
            if (current != null) {
                gathered[n] = current;
                gather[n++] = current.buffer;
            }
            for (Entry e : control) {
                if (n == GATHER) {
                    break;
                }
                gathered[n] = e;
                gather[n++] = e.buffer;
            }
            for (Entry e : data) {
                if (n == GATHER) {
                    break;
                }
                gathered[n] = e;
                gather[n++] = e.buffer;
            }
            if (n == 0) {
                return true;
            }
            long written = n == 1 ? channel.write(gather[0]) : channel.write(gather, 0, n);
            bytes -= written;
            boolean all = true;
            for (int i = 0; i < n; i++) {
                Entry e = gathered[i];
                gathered[i] = null;
                gather[i] = null;
                if (e.buffer.hasRemaining()) {
                    all = false;
                    if (e != current) {
                        // A frame started to go out: take it off its queue so nothing is put in front of its rest.
                        remove(e);
                        current = e;
                    }
                    for (int j = i + 1; j < n; j++) {
                        gathered[j] = null;
                        gather[j] = null;
                    }
                    break;
                }
                if (e == current) {
                    current = null;
                } else {
                    remove(e);
                }
                if (e.done != null) {
                    e.done.complete(null);
                }
            }
            if (!all) {
                return false;
            }
        }
    }

    private void remove(Entry e) {
        if (control.peekFirst() == e) {
            control.pollFirst();
        } else if (data.peekFirst() == e) {
            data.pollFirst();
        } else {
            throw new IllegalStateException("write queue order broken");
        }
    }

    private void dropAll(ArrayDeque<Entry> queue, String why) {
        Entry e;
        while ((e = queue.poll()) != null) {
            bytes -= e.buffer.remaining();
            fail(e, why);
        }
    }

    private static void fail(Entry e, String why) {
        if (e.done != null) {
            e.done.completeExceptionally(new ClosedException(why));
        }
    }
}
