package io.wirefly.core.internal.protocol;

/**
 * A budget of memory for messages being assembled, shared by many connections (one server): a connection must
 * reserve bytes before its assembly buffer grows, and releases them when the message is delivered or dropped. A
 * refused reservation fails that connection with 1009, so the sum of what all connections hold stays within the
 * budget whatever frame sizes the peers announce. permessage-deflate's zlib state, native memory the heap limit does
 * not see, is reserved here too while a connection holds it: a decompressor (refused: 1009) and, with context
 * takeover, a compressor of its own (refused: the message goes uncompressed).
 *
 * <pre>{@code
 * InboundBudget budget = InboundBudget.bounded(32 << 20);   // 32 MiB for all connections together
 * Protocol protocol = new Protocol(Role.SERVER, config, null, keys, listener, budget);
 * }</pre>
 */
public interface InboundBudget {

    /** A budget that never refuses. */
    InboundBudget UNLIMITED = new InboundBudget() {
        @Override
        public boolean reserve(long bytes) {
            return true;
        }

        @Override
        public void release(long bytes) {
        }

        @Override
        public long limit() {
            return Long.MAX_VALUE;
        }
    };

    /**
     * @param bytes more bytes wanted
     * @return true if they were reserved; false if that would pass the limit (nothing is reserved then)
     */
    boolean reserve(long bytes);

    /** @param bytes bytes reserved earlier and no longer held */
    void release(long bytes);

    /** @return the limit, for error messages */
    long limit();

    /**
     * @param limit the most bytes reserved at once
     * @return a thread-safe budget
     */
    static InboundBudget bounded(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("budget limit must be > 0, was " + limit);
        }
        java.util.concurrent.atomic.AtomicLong used = new java.util.concurrent.atomic.AtomicLong();
        return new InboundBudget() {
            @Override
            public boolean reserve(long bytes) {
                while (true) {
                    long now = used.get();
                    if (now + bytes > limit) {
                        return false;
                    }
                    if (used.compareAndSet(now, now + bytes)) {
                        return true;
                    }
                }
            }

            @Override
            public void release(long bytes) {
                used.addAndGet(-bytes);
            }

            @Override
            public long limit() {
                return limit;
            }

            @Override
            public String toString() {
                return "InboundBudget[" + used.get() + "/" + limit + "]";
            }
        };
    }
}
