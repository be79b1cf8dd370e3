package io.wirefly.server.internal;

import io.wirefly.core.internal.protocol.InboundBudget;

/**
 * What one connection keeps from one turn of its loop to the next, counted in the server's inbound budget: the input
 * a session keeps while its reading is paused, or the buffers a {@link TlsWire} keeps (part of a record, plaintext
 * or ciphertext not yet taken). A busy connection keeps nothing between turns, so it never makes one; made at the
 * first need, it keeps its account in the budget for the connection's life. Loop-confined, but for the callback.
 *
 * <pre>{@code
 * if (kept == null) kept = new KeptMemory(settings.inboundBudget(), this::takenBack);
 * if (!kept.count(backlog.capacity())) takenBack();   // no room: fail the connection
 * ...
 * kept.releaseAll();                                   // the connection is gone
 * }</pre>
 */
final class KeptMemory {
    private final InboundBudget budget;
    private final Runnable takenBack;
    /** This connection's account in {@link #budget}, made at the first reservation. */
    private InboundBudget account;
    /** The bytes counted in {@link #account}. */
    private long counted;

    /**
     * @param budget the server's inbound budget
     * @param takenBack runs, on the thread that needed the room, when the budget takes back what is counted here for
     *     a newer need (after a second or more): it should fail the connection on its own loop
     */
    KeptMemory(InboundBudget budget, Runnable takenBack) {
        this.budget = budget;
        this.takenBack = takenBack;
    }

    /**
     * Counts what the connection keeps now: reserves the growth, or gives back the shrinkage.
     *
     * @param kept the bytes kept now
     * @return false if more was kept and the budget had no room for it (nothing more is counted then)
     */
    boolean count(long kept) {
        if (kept == counted) {
            return true;
        }
        if (kept < counted) {
            account.release(counted - kept);
            counted = kept;
            return true;
        }
        if (account == null) {
            account = budget.account(takenBack);
        }
        if (!account.reserve(kept - counted)) {
            return false;
        }
        counted = kept;
        return true;
    }

    /** Gives back all that is counted (nothing, if the budget took it back): the connection is gone. */
    void releaseAll() {
        count(0);
    }
}
