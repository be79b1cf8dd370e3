package io.wirefly.core.internal.protocol;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;

/**
 * A budget of memory for messages being assembled, shared by many connections (one server): a connection must
 * reserve bytes before its assembly buffer grows, and releases them when the message is delivered or dropped. A
 * refused reservation fails that connection ({@link #refusal}: 1013, or 1009 for a message larger than the whole
 * budget), so the sum of what all connections hold stays within the budget whatever frame sizes the peers announce.
 * permessage-deflate's zlib state, native memory the heap limit does not see, is reserved here too while a
 * connection holds it: a decompressor (refused as a message is) and, with context takeover, a compressor of its own
 * (refused: the message goes uncompressed). A protocol reserves for its messages through an {@linkplain #account
 * account} of its own, made at its first reservation, so that a bounded budget can take back the room of a message
 * that has been in progress too long when newer ones need it (the protocol's
 * listener hears {@link ProtocolListener#onInboundEvicted}).
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
        public void hold(long bytes) {
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

    /**
     * Counts bytes that are in memory already and will stay a while, even past the limit: a whole message that waits
     * for its handler on an executor. They are never taken back; {@link #lasting()}'s {@link #release} gives them back
     * (an account's own {@code release} is for its reservations only). Until then, the
     * reservations that follow find that much less room, so what waits for handlers and what is being assembled
     * share one bound.
     *
     * @param bytes the bytes held
     */
    void hold(long bytes);

    /** @return the limit, for error messages */
    long limit();

    /**
     * The error that fails a connection whose reservation was refused: 1013 (try again later) while other
     * connections hold the room, as the same message may fit once they let go; 1009 (too big) if what the connection
     * would hold is more than the whole budget, which no wait would change.
     *
     * <pre>{@code
     * if (!budget.reserve(bytes)) {
     *     throw InboundBudget.refusal(budget, reserved + bytes, "message of " + size + " bytes so far");
     * }
     * }</pre>
     *
     * @param budget the budget that refused
     * @param holding what the connection would have held with the refused bytes
     * @param what what wanted the room, as the error's detail begins
     * @return the exception to fail the connection with
     */
    static ProtocolException refusal(InboundBudget budget, long holding, String what) {
        String room = " the inbound buffer budget (" + budget.limit() + " bytes for all connections)";
        return holding > budget.limit()
                ? new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                        what + " does not fit in" + room)
                : new ProtocolException(CloseCode.TRY_AGAIN_LATER,
                        what + " finds no room now in" + room + ": other connections hold it");
    }

    /**
     * The account of one connection in this budget. What a connection reserves through its account for a message
     * it is receiving can be taken back for a newer message when the budget is full (see {@link #bounded}); then
     * {@code evicted} runs, on the thread that needed the room, and should fail that connection on its own thread.
     * Only a bounded budget takes anything back: the others return themselves.
     *
     * @param evicted what to do when this account's reservation was taken back
     * @return the account; every reservation through it must be released through it
     */
    default InboundBudget account(Runnable evicted) {
        return this;
    }

    /**
     * @return where a connection reserves what it keeps for as long as it is open (zlib state with context
     *     takeover), which is never taken back: the shared budget of an account, else this budget
     */
    default InboundBudget lasting() {
        return this;
    }

    /**
     * A thread-safe budget of {@code limit} bytes. When it is full and a connection's account needs more, the
     * budget takes back the reservation of the connection whose message in progress is the oldest, if that message
     * started at least a second ago, and so on until the new reservation fits. The reservation is refused instead
     * if taking back every message that old would not make room, or if the connection asking would then hold more
     * than a quarter of the budget. A peer that announces a large message and then sends it slowly, or never
     * finishes it, cannot keep the memory from newer messages. What is taken back is freed when its
     * connection's thread fails it, so the memory held may pass the limit for that moment.
     *
     * @param limit the most bytes reserved at once
     * @return the budget
     */
    static InboundBudget bounded(long limit) {
        return new SharedBudget(limit, SharedBudget.EVICT_AFTER_MILLIS * 1_000_000L, System::nanoTime);
    }
}
