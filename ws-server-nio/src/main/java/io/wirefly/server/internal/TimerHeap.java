package io.wirefly.server.internal;

import java.util.Arrays;

/**
 * The timers of one event loop: a binary min-heap ordered by deadline, then by scheduling order, in which each timer
 * knows its own index so that cancelling removes it at once (O(log n)). A connection that goes away therefore leaves
 * no timer behind, and a cancelled timer never wakes the selector. Deadlines are {@link System#nanoTime()} values and
 * are compared by difference, so the order holds across the clock's wrap-around. Loop thread only.
 *
 * <pre>{@code
 * TimerHeap heap = new TimerHeap();
 * TimerHeap.Timer t = heap.add(System.nanoTime() + delay, task);
 * heap.remove(t);
 * TimerHeap.Timer due = heap.pollDue(System.nanoTime());   // null if none is due
 * }</pre>
 */
final class TimerHeap {
    private Timer[] heap = new Timer[16];
    private int size;
    private long sequence;

    /** One scheduled task; {@link #cancel()} removes it from its heap. */
    static final class Timer implements Scheduler.Cancellable {
        final long deadline;
        final long order;
        final Runnable task;
        private final TimerHeap owner;
        private int index = -1;

        private Timer(TimerHeap owner, long deadline, long order, Runnable task) {
            this.owner = owner;
            this.deadline = deadline;
            this.order = order;
            this.task = task;
        }

        @Override
        public void cancel() {
            owner.remove(this);
        }

        /** @return true while the timer waits in its heap */
        boolean isPending() {
            return index >= 0;
        }

        boolean before(Timer o) {
            long d = deadline - o.deadline;
            return d != 0 ? d < 0 : order < o.order;
        }
    }

    /** @return how many timers wait */
    int size() {
        return size;
    }

    /** @return the earliest timer, or null */
    Timer peek() {
        return size == 0 ? null : heap[0];
    }

    Timer add(long deadline, Runnable task) {
        Timer t = new Timer(this, deadline, sequence++, task);
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, size * 2);
        }
        t.index = size;
        heap[size++] = t;
        up(t.index);
        return t;
    }

    /** @return the earliest timer whose deadline is not after {@code now}, removed; or null */
    Timer pollDue(long now) {
        Timer t = peek();
        if (t == null || t.deadline - now > 0) {
            return null;
        }
        remove(t);
        return t;
    }

    void remove(Timer t) {
        int i = t.index;
        if (i < 0) {
            return;
        }
        t.index = -1;
        Timer last = heap[--size];
        heap[size] = null;
        if (last != t) {
            heap[i] = last;
            last.index = i;
            down(i);
            up(last.index);
        }
        if (heap.length > 64 && size < heap.length / 4) {
            heap = Arrays.copyOf(heap, heap.length / 2);
        }
    }

    private void up(int i) {
        Timer t = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            Timer p = heap[parent];
            if (!t.before(p)) {
                break;
            }
            heap[i] = p;
            p.index = i;
            i = parent;
        }
        heap[i] = t;
        t.index = i;
    }

    private void down(int i) {
        Timer t = heap[i];
        int half = size >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < size && heap[right].before(heap[child])) {
                child = right;
            }
            if (!heap[child].before(t)) {
                break;
            }
            heap[i] = heap[child];
            heap[i].index = i;
            i = child;
        }
        heap[i] = t;
        t.index = i;
    }
}
