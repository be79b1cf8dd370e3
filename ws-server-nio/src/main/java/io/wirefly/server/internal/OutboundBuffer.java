package io.wirefly.server.internal;

import io.wirefly.core.ClosedException;
import io.wirefly.core.internal.protocol.OutboundKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

/**
 * The frames waiting to be written to one connection, in the order RFC 6455 allows: the frame being written
 * finishes first, then control frames (pings, pongs), then data and close frames in the order they were sent.
 * Written with gathering writes. Loop-thread only, except {@link #bytes()} and {@link #accounted()}, which any
 * thread may read.
 *
 * <p>Two sizes: {@link #bytes()} counts the bytes on the wire (what {@code bufferedAmount()} reports), and
 * {@link #accounted()} adds {@link #FRAME_OVERHEAD} per frame for the objects that hold it. Back-pressure uses the
 * second, so that a flood of tiny frames (empty pings, each answered by a pong) trips the water marks as surely as a
 * few big ones.
 *
 * <p>Memory: an empty queue holds no arrays at all. Frames wait in two intrusive linked lists (one small node per
 * frame, the only allocation per frame), and the array that a gathering write needs is a scratch array of the
 * writing thread (the event loop), shared by every connection on it and emptied after each write.
 */
final class OutboundBuffer {
    /**
     * Heap bytes per queued frame besides its payload: the entry, the ByteBuffer object, the array header and, for a
     * send, its future (measured with the thread allocation counter, rounded up).
     */
    static final int FRAME_OVERHEAD = 96;
    /** The most buffers handed to one gathering write. */
    static final int GATHER = 32;
    /** One gather array per event-loop thread; cleared after every write so that it keeps no frame alive. */
    private static final ThreadLocal<ByteBuffer[]> SCRATCH = ThreadLocal.withInitial(() -> new ByteBuffer[GATHER]);
    /**
     * The queue of every connection that has nothing queued and has not sent since its upgrade: an idle connection
     * then holds no queue of its own (48 bytes each). It is only ever read; adding to it throws.
     */
    static final OutboundBuffer NONE = new OutboundBuffer();

    /** The frame that started to go out: its rest is written before anything else. */
    private Entry current;
    private Entry controlHead;
    private Entry controlTail;
    private Entry dataHead;
    private Entry dataTail;
    private volatile long bytes;
    private volatile int frames;
    /**
     * The bytes of the broadcast frames queued, as queued ({@link #addShared}); loop-thread only. An int, with
     * {@link #frames}, keeps the queue at 48 bytes; a frame that would take it past the int's range counts as this
     * queue's own.
     */
    private int sharedBytes;

    /** One queued frame; {@code next} links it in its list (or, briefly, in the list of written frames). */
    private static final class Entry {
        final ByteBuffer buffer;
        /**
         * The frame's payload when {@code buffer} is only its header (a large frame, not copied), else null; replaced
         * by a copy of its rest if it was lent ({@link #copyLentBodies}).
         */
        ByteBuffer body;
        final CompletableFuture<Void> done;
        /** The buffer's position when queued: a frame has started to go out once its position moved. */
        final int start;
        /** A broadcast frame, whose bytes every subscriber's queue shares (see {@link #sharedBytes}). */
        boolean shared;
        Entry next;

        Entry(ByteBuffer buffer, ByteBuffer body, CompletableFuture<Void> done) {
            this.buffer = buffer;
            this.body = body;
            this.done = done;
            this.start = buffer.position();
        }

        long remaining() {
            return buffer.remaining() + (body == null ? 0 : body.remaining());
        }

        boolean hasRemaining() {
            return buffer.hasRemaining() || body != null && body.hasRemaining();
        }

        int buffers() {
            return body == null ? 1 : 2;
        }
    }

    /** @return the bytes queued and not yet handed to the kernel */
    long bytes() {
        return bytes;
    }

    /** @return the bytes queued plus {@link #FRAME_OVERHEAD} per frame: what the queue costs in memory */
    long accounted() {
        return bytes + (long) frames * FRAME_OVERHEAD;
    }

    /**
     * @return {@link #accounted()} less the bytes of broadcast frames, which one buffer holds for every subscriber:
     *     the memory this queue holds that no other queue shares (a broadcast frame partly written counts as whole
     *     until it is done, so this may read low by its written part)
     */
    long own() {
        return Math.max(0, accounted() - sharedBytes);
    }

    /**
     * Queues a frame that the protocol produced, by its kind: a control frame goes ahead of queued data, an
     * aborting close drops every frame that has not started to go out.
     *
     * @param frame the frame
     * @param kind its kind
     * @param done completed when written, or null
     */
    void add(ByteBuffer frame, OutboundKind kind, CompletableFuture<Void> done) {
        add(frame, null, kind, done);
    }

    /**
     * @param frame the frame, or only its header when {@code body} is not null
     * @param body the payload of a data frame queued in two pieces, or null
     */
    void add(ByteBuffer frame, ByteBuffer body, OutboundKind kind, CompletableFuture<Void> done) {
        switch (kind) {
            case CONTROL -> addControl(frame, done);
            case DATA, CLOSE -> addData(frame, body, done);
            case CLOSE_ABORT -> {
                dropPending("connection failed");
                addData(frame, body, done);
            }
        }
    }

    /** @return true if nothing is queued */
    boolean isEmpty() {
        return current == null && controlHead == null && dataHead == null;
    }

    /**
     * @param frame a data or close frame
     * @param done completed when written, or null
     */
    void addData(ByteBuffer frame, CompletableFuture<Void> done) {
        addData(frame, null, done);
    }

    /**
     * Queues a broadcast frame: a view of a buffer that other connections' queues share.
     *
     * @param frame the frame
     */
    void addShared(ByteBuffer frame) {
        int size = frame.remaining();
        addData(frame, null, null);
        if (size <= Integer.MAX_VALUE - sharedBytes) {
            dataTail.shared = true;
            sharedBytes += size;
        }
    }

    private void addData(ByteBuffer frame, ByteBuffer body, CompletableFuture<Void> done) {
        checkOwn();
        Entry e = new Entry(frame, body, done);
        if (dataTail == null) {
            dataHead = e;
        } else {
            dataTail.next = e;
        }
        dataTail = e;
        bytes += e.remaining();
        frames++;
    }

    /**
     * @param frame a ping or pong, written before queued data frames
     * @param done completed when written, or null
     */
    void addControl(ByteBuffer frame, CompletableFuture<Void> done) {
        checkOwn();
        Entry e = new Entry(frame, null, done);
        if (controlTail == null) {
            controlHead = e;
        } else {
            controlTail.next = e;
        }
        controlTail = e;
        bytes += frame.remaining();
        frames++;
    }

    private void checkOwn() {
        if (this == NONE) {
            throw new IllegalStateException("the shared empty queue takes no frames");
        }
    }

    /**
     * Drops every queued frame that has not started to go out, failing their completions.
     *
     * @param why the message of the ClosedException
     */
    void dropPending(String why) {
        Entry data = dataHead;
        Entry control = controlHead;
        dataHead = null;
        dataTail = null;
        controlHead = null;
        controlTail = null;
        dropAll(data, why);
        dropAll(control, why);
    }

    /**
     * Drops everything, including the frame being written.
     *
     * @param why the message of the ClosedException
     */
    void clear(String why) {
        if (isEmpty()) {
            return;   // nothing to fail (and the shared NONE is never written)
        }
        if (current != null) {
            Entry e = current;
            current = null;
            bytes -= e.remaining();
            frames--;
            unshare(e);
            fail(e, why);
        }
        dropPending(why);
    }

    /**
     * Writes as much as the channel takes. Completions of the frames written are fired after the queue is
     * consistent again, so a completion callback may queue and flush more frames.
     *
     * @param channel the socket
     * @return true if the queue is now empty
     * @throws IOException if the write fails
     */
    boolean writeTo(GatheringByteChannel channel) throws IOException {
        while (true) {
            Entry first = head();
            if (first == null) {
                return true;
            }
            int n;
            long written;
            if (isOnly(first) && first.body == null) {
                // One frame in one buffer: no gather array at all.
                n = 1;
                written = channel.write(first.buffer);
            } else {
                ByteBuffer[] gather = SCRATCH.get();
                int packed = collect(gather);
                int buffers = packed & 0xFFFF;
                n = packed >>> 16;
                try {
                    written = channel.write(gather, 0, buffers);
                } finally {
                    Arrays.fill(gather, 0, buffers, null);
                }
            }
            bytes -= written;
            Entry doneHead = null;
            Entry doneTail = null;
            boolean all = true;
            for (int i = 0; i < n; i++) {
                Entry e = head();
                if (e.hasRemaining()) {
                    all = false;
                    if (e != current && e.buffer.position() != e.start) {
                        // A frame started to go out: take it off its queue so nothing is put in front of its rest.
                        removeHead(e);
                        current = e;
                    }
                    break;
                }
                removeHead(e);
                frames--;
                unshare(e);
                if (e.done != null) {
                    if (doneTail == null) {
                        doneHead = e;
                    } else {
                        doneTail.next = e;
                    }
                    doneTail = e;
                }
            }
            for (Entry e = doneHead; e != null; ) {
                Entry next = e.next;
                e.next = null;
                e.done.complete(null);
                e = next;
            }
            if (!all) {
                return false;
            }
        }
    }

    /**
     * Replaces the unwritten rest of every payload that is a view of a direct, read-only buffer (bytes lent from the
     * loop's read buffer, see {@code Session.queuesLent}) with a copy of its own, before the loop reads again. Walks
     * what this unit queued: lent bytes are queued uncopied only into an empty queue.
     */
    void copyLentBodies() {
        copyLentBodies(current);
        for (Entry e = controlHead; e != null; e = e.next) {
            copyLentBodies(e);
        }
        for (Entry e = dataHead; e != null; e = e.next) {
            copyLentBodies(e);
        }
    }

    private static void copyLentBodies(Entry e) {
        if (e != null && e.body != null && e.body.isDirect() && e.body.isReadOnly() && e.body.hasRemaining()) {
            e.body = ByteBuffer.allocate(e.body.remaining()).put(e.body).flip();
        }
    }

    /** @return the next frame to write: the one being written, else the first control frame, else the first data */
    private Entry head() {
        return current != null ? current : controlHead != null ? controlHead : dataHead;
    }

    /** @return true if {@code first}, the head, is the only frame queued */
    private boolean isOnly(Entry first) {
        if (first == current) {
            return controlHead == null && dataHead == null;
        }
        if (first == controlHead) {
            return first.next == null && dataHead == null;
        }
        return first.next == null;
    }

    /**
     * Fills {@code gather} with up to {@link #GATHER} buffers in write order (a frame in two pieces takes two).
     *
     * @return how many frames, shifted left 16 bits, or'ed with how many buffers (a field for it would make every
     *     idle connection's queue bigger)
     */
    private int collect(ByteBuffer[] gather) {
        int n = 0;
        int entries = 0;
        if (current != null) {
            n = put(gather, n, current);
            entries++;
        }
        for (Entry e = controlHead; e != null && n + e.buffers() <= GATHER; e = e.next) {
            n = put(gather, n, e);
            entries++;
        }
        for (Entry e = dataHead; e != null && n + e.buffers() <= GATHER; e = e.next) {
            n = put(gather, n, e);
            entries++;
        }
        return entries << 16 | n;
    }

    private static int put(ByteBuffer[] gather, int n, Entry e) {
        gather[n++] = e.buffer;
        if (e.body != null) {
            gather[n++] = e.body;
        }
        return n;
    }

    /** Unlinks {@code e}, which must be {@link #head()}. */
    private void removeHead(Entry e) {
        if (e == current) {
            current = null;
        } else if (e == controlHead) {
            controlHead = e.next;
            if (controlHead == null) {
                controlTail = null;
            }
        } else if (e == dataHead) {
            dataHead = e.next;
            if (dataHead == null) {
                dataTail = null;
            }
        } else {
            throw new IllegalStateException("write queue order broken");
        }
        e.next = null;
    }

    private void dropAll(Entry head, String why) {
        for (Entry e = head; e != null; ) {
            Entry next = e.next;
            e.next = null;
            bytes -= e.remaining();
            frames--;
            unshare(e);
            fail(e, why);
            e = next;
        }
    }

    /** A frame leaves the queue: if it was a broadcast frame, its bytes no longer count as shared. */
    private void unshare(Entry e) {
        if (e.shared) {
            sharedBytes -= e.buffer.limit() - e.start;
        }
    }

    private static void fail(Entry e, String why) {
        if (e.done != null) {
            e.done.completeExceptionally(new ClosedException(why));
        }
    }
}
