package io.wirefly.core.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.internal.frame.Allocations;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class LentViewTest {

    @Test
    void aViewCoversExactlyTheLentBytesAndCannotChangeThem() {
        ByteBuffer read = ByteBuffer.allocate(64);
        read.put(new byte[] {1, 2, 3, 4, 5}).flip().position(1);
        ByteBuffer view = LentView.of(read);
        assertTrue(view.isReadOnly());
        assertEquals(1, view.position());
        assertEquals(5, view.limit());
        assertEquals(2, view.get(1));
    }

    @Test
    void goingBackAndForthBetweenTheReadBufferAndABacklogAllocatesNothing() {
        // Whatever this thread lent from before (other tests), two buffers in turn keep their views.
        LentView.of(ByteBuffer.allocate(8));
        LentView.of(ByteBuffer.allocate(8));
        ByteBuffer read = ByteBuffer.allocate(64 * 1024);
        ByteBuffer backlog = ByteBuffer.allocate(4096);
        long sum = 0;
        for (int i = 0; i < 20_000; i++) {   // warm-up: compiled, thread-local made
            sum += LentView.of(read).remaining() + LentView.of(backlog).remaining();
        }
        long before = Allocations.current();
        for (int i = 0; i < 10_000; i++) {
            sum += LentView.of(read).remaining() + LentView.of(backlog).remaining();
        }
        long allocated = Allocations.current() - before;
        assertTrue(sum > 0);
        assertTrue(allocated < 1_000, "allocated " + allocated + " B for 20,000 lent views");
    }

    @Test
    void aNewBacklogReplacesTheViewUsedLessRecentlyNotTheReadBuffers() {
        ByteBuffer read = ByteBuffer.allocate(1024);
        ByteBuffer first = ByteBuffer.allocate(16);
        ByteBuffer second = ByteBuffer.allocate(16);
        ByteBuffer readView = LentView.of(read);
        LentView.of(first);
        assertSame(readView, LentView.of(read), "the read buffer's view is kept");
        LentView.of(second);   // replaces first's, the one used less recently
        assertSame(readView, LentView.of(read), "and still kept");
    }
}
