package io.wirefly.server.internal;

import java.nio.ByteBuffer;

/**
 * Whether this thread is inside a call of {@link io.wirefly.core.WebSocketHandler#onBinaryBorrowed} that was lent
 * its bytes, so that a send made during it copies the bytes it would otherwise keep beyond the call (a message
 * queued for another loop, or a large one written later without a copy). Sends made anywhere else keep the
 * caller's buffer as before.
 *
 * <pre>{@code
 * Lending.begin();
 * try { handler.onBinaryBorrowed(ws, view); } finally { Lending.end(); }
 * ...
 * ByteBuffer kept = Lending.active() && laterThanNow ? Lending.copy(data) : data.duplicate();
 * }</pre>
 */
final class Lending {
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Lending() {
    }

    static void begin() {
        DEPTH.get()[0]++;
    }

    static void end() {
        DEPTH.get()[0]--;
    }

    /** @return whether a lent call is running on this thread */
    static boolean active() {
        return DEPTH.get()[0] > 0;
    }

    /**
     * @return a copy of {@code data}'s bytes from position to limit, in a buffer of its own (also what the session
     *     hands a handler for a ping's or pong's payload, which is a view)
     */
    static ByteBuffer copy(ByteBuffer data) {
        return ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
    }
}
