package io.wirefly.core.internal.protocol;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The frames a {@link Protocol} has produced and its transport has not yet taken, in order, each with its
 * {@link OutboundKind} and the caller's tag. A ring of parallel arrays: no allocation per frame once it has grown to
 * the connection's usual burst, and no arrays at all until the first frame (most idle connections never send).
 *
 * <pre>{@code
 * OutboundQueue queue = new OutboundQueue();
 * queue.add(frame, OutboundKind.DATA, future);
 * queue.drainTo((f, kind, tag) -> socketBuffer.add(f, kind, tag));
 * }</pre>
 */
final class OutboundQueue {
    private static final int INITIAL = 4;
    private static final OutboundKind[] KINDS = OutboundKind.values();
    private static final ByteBuffer[] NO_BUFFERS = {};
    private static final byte[] NO_KINDS = {};
    private static final Object[] NO_TAGS = {};

    private ByteBuffer[] frames = NO_BUFFERS;
    /** The payload of a frame queued in two pieces ({@code frames} then holds its header), or null. */
    private ByteBuffer[] bodies = NO_BUFFERS;
    private byte[] kinds = NO_KINDS;
    private Object[] tags = NO_TAGS;
    private int head;
    private int size;
    private long bytes;

    /** @return true if no frame waits */
    boolean isEmpty() {
        return size == 0;
    }

    /** @return the bytes of the frames that wait */
    long bytes() {
        return bytes;
    }

    void add(ByteBuffer frame, OutboundKind kind, Object tag) {
        add(frame, null, kind, tag);
    }

    /** @param body the frame's payload when {@code frame} is only its header, else null */
    void add(ByteBuffer frame, ByteBuffer body, OutboundKind kind, Object tag) {
        if (size == frames.length) {
            grow();
        }
        int at = (head + size) & (frames.length - 1);
        frames[at] = frame;
        bodies[at] = body;
        kinds[at] = (byte) kind.ordinal();
        tags[at] = tag;
        size++;
        bytes += frame.remaining() + (body == null ? 0 : body.remaining());
    }

    /**
     * Hands every waiting frame to {@code sink} in order and forgets it. Frames that the sink's own calls add (none
     * should) are handed over in the same call.
     */
    int drainTo(OutboundSink sink) {
        int n = 0;
        while (size > 0) {
            int at = head;
            ByteBuffer frame = frames[at];
            ByteBuffer body = bodies[at];
            OutboundKind kind = KINDS[kinds[at]];
            Object tag = tags[at];
            frames[at] = null;
            bodies[at] = null;
            tags[at] = null;
            head = (head + 1) & (frames.length - 1);
            size--;
            bytes -= frame.remaining() + (body == null ? 0 : body.remaining());
            n++;
            if (body == null) {
                sink.accept(frame, kind, tag);
            } else {
                sink.accept(frame, body, kind, tag);
            }
        }
        head = 0;
        return n;
    }

    private void grow() {
        int capacity = Math.max(INITIAL, frames.length * 2);   // a power of two: the ring's index is masked
        ByteBuffer[] f = new ByteBuffer[capacity];
        ByteBuffer[] b = new ByteBuffer[capacity];
        byte[] k = new byte[capacity];
        Object[] t = new Object[capacity];
        for (int i = 0; i < size; i++) {
            int at = (head + i) & (frames.length - 1);
            f[i] = frames[at];
            b[i] = bodies[at];
            k[i] = kinds[at];
            t[i] = tags[at];
        }
        Arrays.fill(frames, null);
        Arrays.fill(bodies, null);
        Arrays.fill(tags, null);
        frames = f;
        bodies = b;
        kinds = k;
        tags = t;
        head = 0;
    }
}
