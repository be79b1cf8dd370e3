package io.wirefly.core.internal.protocol;

import java.nio.ByteBuffer;

/**
 * Read-only views of input buffers, kept per thread and moved over each lent message, so that lending a message
 * allocates nothing: a transport reads every connection of an event loop into the same buffer, so the view made for
 * it serves every message that loop lends. Under a flood a connection also lends from input kept from an earlier
 * read (its backlog), so two views are kept, and a buffer seen for the first time replaces the one used less
 * recently: going back and forth between the read buffer and a backlog costs nothing. Connections hold nothing for
 * this.
 *
 * <pre>{@code
 * ByteBuffer view = LentView.of(chunk);   // chunk's position..limit, read-only, valid until the next call
 * }</pre>
 */
final class LentView {
    private static final ThreadLocal<LentView> CURRENT = ThreadLocal.withInitial(LentView::new);

    private ByteBuffer firstSource;
    private ByteBuffer firstView;
    private ByteBuffer secondSource;
    private ByteBuffer secondView;
    /** Which slot lent last: a new buffer takes the other one. */
    private boolean firstLentLast;

    private LentView() {
    }

    /**
     * @param chunk a buffer; its bytes from position to limit are lent
     * @return a read-only view of those bytes, valid until this thread's next call (the caller lends it for the
     *     length of one listener call)
     */
    static ByteBuffer of(ByteBuffer chunk) {
        LentView lent = CURRENT.get();
        ByteBuffer view;
        if (lent.firstSource == chunk) {
            view = lent.firstView;
            lent.firstLentLast = true;
        } else if (lent.secondSource == chunk) {
            view = lent.secondView;
            lent.firstLentLast = false;
        } else if (lent.firstLentLast) {
            lent.secondSource = chunk;
            view = lent.secondView = chunk.asReadOnlyBuffer();
            lent.firstLentLast = false;
        } else {
            lent.firstSource = chunk;
            view = lent.firstView = chunk.asReadOnlyBuffer();
            lent.firstLentLast = true;
        }
        view.clear();
        view.position(chunk.position()).limit(chunk.limit());
        return view;
    }
}
