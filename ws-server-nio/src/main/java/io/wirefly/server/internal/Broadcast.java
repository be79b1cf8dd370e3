package io.wirefly.server.internal;

import io.wirefly.core.ReadyState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fans one encoded frame out to many connections: one task per event loop carries that loop's recipients, and each
 * recipient queues a read-only view of the same bytes.
 */
public final class Broadcast {
    private Broadcast() {
    }

    /**
     * @param recipients the connections
     * @param frame the encoded, unmasked frame
     * @return how many open connections it was queued for
     */
    public static int send(Iterable<Connection> recipients, ByteBuffer frame) {
        Map<EventLoop, List<Connection>> byLoop = new IdentityHashMap<>();
        int count = 0;
        for (Connection c : recipients) {
            if (c.readyState() == ReadyState.OPEN) {
                byLoop.computeIfAbsent(c.loop(), l -> new ArrayList<>()).add(c);
                count++;
            }
        }
        byLoop.forEach((loop, list) -> loop.execute(() -> {
            for (Connection c : list) {
                c.sendShared(frame.duplicate());
            }
        }));
        return count;
    }

    /**
     * @param c a connection
     * @param task run on its loop
     */
    public static void onLoop(Connection c, Runnable task) {
        c.loop().execute(task);
    }

    /**
     * @param c a connection
     * @param code the close code
     * @param reason the reason
     */
    public static void close(Connection c, int code, String reason) {
        c.closeOnLoop(code, reason);
    }

    /** @param c a connection to close without a handshake */
    public static void abort(Connection c) {
        c.abort();
    }
}
