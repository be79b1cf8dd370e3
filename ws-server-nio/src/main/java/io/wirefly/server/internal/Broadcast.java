package io.wirefly.server.internal;

import io.wirefly.core.ReadyState;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fans one encoded frame out to many connections: one task per event loop carries that loop's recipients, and each
 * recipient queues a read-only view of the same bytes. The deliveries count in the group's {@link FanOutBacklog}
 * until the task has run; a caller that is not on an event loop waits while that backlog is past its limit.
 */
public final class Broadcast {
    private Broadcast() {
    }

    /**
     * @param recipients the connections
     * @param frame the encoded, unmasked frame
     * @return how many open connections it was queued for
     */
    public static int send(Iterable<SessionHandle> recipients, ByteBuffer frame) {
        Map<Scheduler, List<SessionHandle>> byLoop = new IdentityHashMap<>();
        int count = 0;
        for (SessionHandle c : recipients) {
            if (c.readyState() == ReadyState.OPEN) {
                byLoop.computeIfAbsent(c.loop(), l -> new ArrayList<>()).add(c);
                count++;
            }
        }
        boolean mayWait = !EventLoop.onAnyLoop();
        byLoop.forEach((loop, list) -> {
            FanOutBacklog backlog = loop.fanOut();
            if (mayWait && backlog.overLimit()) {   // (no callback made while the loops keep up)
                backlog.awaitRoom(loop::running, FanOutBacklog.MAX_AWAIT_NANOS);
            }
            backlog.queued(list.size());
            loop.execute(() -> {
                try {
                    for (SessionHandle c : list) {
                        c.sendShared(frame.duplicate());
                    }
                } finally {
                    backlog.made(list.size());
                }
            });
        });
        return count;
    }

    /**
     * Starts the closing handshake of a connection, on its loop, after the messages already queued for it.
     *
     * @param c a connection
     * @param code the close code
     * @param reason the reason
     */
    public static void close(SessionHandle c, int code, String reason) {
        c.loop().execute(() -> c.session().close(code, reason));
    }

    /** @param c a connection to close at once, without a closing handshake; on its loop */
    public static void abort(SessionHandle c) {
        c.loop().execute(() -> c.session().terminate(null));
    }
}
