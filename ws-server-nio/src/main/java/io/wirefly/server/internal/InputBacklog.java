package io.wirefly.server.internal;

import io.wirefly.core.internal.protocol.InboundBudget;
import java.nio.ByteBuffer;

/**
 * Input that a {@link Session} read and has not decoded yet, kept from one turn of its loop to a later one: the rest
 * of a read once the turn's share of frames is used up (a flood of tiny frames), or what a client sent after its
 * request while an asynchronous handshake decision is pending. The session reads nothing more until it has decoded
 * it, a share per turn. While an open connection keeps it, it counts in the server's inbound budget: without that,
 * 600 peers that flood tiny messages and read nothing kept 38 MB of a {@code -Xmx64m} server's heap that no limit
 * saw. Made at a connection's first need and kept for its life, so a connection that never floods has none.
 * Loop-confined, but for the eviction callback.
 *
 * <pre>{@code
 * InputBacklog input = new InputBacklog(session::decodeBacklog, session::keptInputEvicted);
 * input.keep(copy);                            // the rest of this turn's read
 * input.decodeNextTurn(loop);                  // once; the session reads again when it has all been decoded
 * if (!input.count(budget, true)) evicted();   // no room in the inbound budget for what is kept
 * ByteBuffer next = input.bytes();             // in the next turn; input.drop() once it is all decoded
 * }</pre>
 */
final class InputBacklog {
    private final Runnable decode;
    private final Runnable evicted;
    /** The input kept, or null. */
    private ByteBuffer bytes;
    private boolean decodeQueued;
    /** Where {@link #bytes} counts in the inbound budget; made at the first need. */
    private KeptMemory kept;

    /**
     * @param decode decodes the next share of {@link #bytes()}, as a task of the loop's next turn
     * @param evicted runs, on any thread, when the budget takes back the room counted for the input kept (for a
     *     newer need): it should fail the connection on its loop
     */
    InputBacklog(Runnable decode, Runnable evicted) {
        this.decode = decode;
        this.evicted = evicted;
    }

    /** @return the input kept, or null */
    ByteBuffer bytes() {
        return bytes;
    }

    /** @param input the input to keep (the session's own copy), in place of any kept before */
    void keep(ByteBuffer input) {
        bytes = input;
    }

    /** @return the input that was kept, no longer kept; or null */
    ByteBuffer drop() {
        ByteBuffer dropped = bytes;
        bytes = null;
        return dropped;
    }

    /**
     * Queues the decoding of the next share for the loop's next turn, unless it is queued already.
     *
     * @param loop the session's loop
     */
    void decodeNextTurn(Scheduler loop) {
        if (!decodeQueued) {
            decodeQueued = true;
            loop.executeNextTurn(decode);
        }
    }

    /** The queued decoding runs: a later {@link #decodeNextTurn} queues it again. */
    void decoding() {
        decodeQueued = false;
    }

    /**
     * Counts the input kept in the inbound budget, or gives back what is no longer kept.
     *
     * @param budget the server's inbound budget
     * @param counts whether the input kept counts now (the connection is open or closing): else it is given back
     * @return false if more is kept and the budget had no room for it
     */
    boolean count(InboundBudget budget, boolean counts) {
        long now = counts && bytes != null ? bytes.capacity() : 0;
        if (kept == null) {
            if (now == 0) {
                return true;
            }
            kept = new KeptMemory(budget, evicted);
        }
        return kept.count(now);
    }

    /** The connection is gone: drops the input and gives back everything counted. */
    void release() {
        bytes = null;
        if (kept != null) {
            kept.releaseAll();
        }
    }
}
