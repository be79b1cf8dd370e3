package io.wirefly.core.internal.protocol;

import java.nio.ByteBuffer;

/**
 * Read-only views of input buffers, one kept per thread and moved over each lent message, so that lending a
 * message allocates nothing: a transport reads every connection of an event loop into the same buffer, so the
 * view made for it serves every message that loop lends. A message from any other buffer gets a new view, which
 * is then kept instead. Connections hold nothing for this.
 *
 * <pre>{@code
 * ByteBuffer view = LentView.of(chunk);   // chunk's position..limit, read-only, valid until the next call
 * }</pre>
 */
final class LentView {
    private static final ThreadLocal<LentView> CURRENT = ThreadLocal.withInitial(LentView::new);

    private ByteBuffer source;
    private ByteBuffer view;

    private LentView() {
    }

    /**
     * @param chunk a buffer; its bytes from position to limit are lent
     * @return a read-only view of those bytes, valid until this thread's next call (the caller lends it for the
     *     length of one listener call)
     */
    static ByteBuffer of(ByteBuffer chunk) {
        LentView lent = CURRENT.get();
        if (lent.source != chunk) {
            lent.source = chunk;
            lent.view = chunk.asReadOnlyBuffer();
        }
        ByteBuffer view = lent.view;
        view.clear();
        view.position(chunk.position()).limit(chunk.limit());
        return view;
    }
}
