package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop thread: tasks from other threads in order, the timer heap (order by deadline, then by scheduling order,
 * across {@code nanoTime} wrap-around; cancellation), readiness of a registered pipe, and shutdown. No sockets.
 */
class EventLoopTest {
    private static final long SECONDS = 5;
    private final EventLoop loop = new EventLoop("test-loop");
    private final List<AutoCloseable> closeAfter = new ArrayList<>();

    EventLoopTest() {
        loop.start();
    }

    @AfterEach
    void stop() throws Exception {
        loop.shutdown();
        loop.join(5_000);
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    /** Runs {@code action} on the loop and waits for what it returns. */
    private <T> T onLoop(Supplier<T> action) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                result.complete(action.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        return result.get(SECONDS, TimeUnit.SECONDS);
    }

    // ---- The running loop -----------------------------------------------------------------------------------------

    /**
     * Queued tasks run a few milliseconds at a time, and a new connection's set-up goes ahead of the tasks still
     * queued: a loop with a long queue of broadcasts (each a write to thousands of sockets) looks at its sockets and
     * takes new clients in between instead of after all of them.
     */
    @Test
    void aNewConnectionIsSetUpAheadOfALongQueueOfTasks() throws Exception {
        java.util.concurrent.CountDownLatch blocked = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<String> order = new CopyOnWriteArrayList<>();
        loop.execute(() -> {
            blocked.countDown();
            try {
                release.await(SECONDS, TimeUnit.SECONDS);
                Thread.sleep(5);   // longer than an iteration's share of tasks
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(blocked.await(SECONDS, TimeUnit.SECONDS));
        int queued = 200;
        for (int i = 0; i < queued; i++) {
            int n = i;
            loop.execute(() -> {
                order.add("task " + n);
                long end = System.nanoTime() + 200_000;   // 0.2 ms of work each, 40 ms in all
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            });
        }
        CompletableFuture<Void> arrived = new CompletableFuture<>();
        loop.executeArrival(() -> {
            order.add("arrival");
            arrived.complete(null);
        });
        release.countDown();
        arrived.get(SECONDS, TimeUnit.SECONDS);
        onLoop(() -> null);   // every task has run
        int at = order.indexOf("arrival");
        assertEquals(queued + 1, order.size());
        assertTrue(at < queued / 2, "the arrival ran after " + at + " of the " + queued + " tasks queued before it");
    }

    /** The loop lets go of its pools' spares once nothing draws on them, and schedules no trim while they are empty. */
    @Test
    void sparesGoBackToTheHeapOnceTrafficIsQuiet() throws Exception {
        EventLoop quick = new EventLoop("trim-loop", TimeUnit.MILLISECONDS.toNanos(50));
        quick.start();
        try {
            CompletableFuture<Integer> held = new CompletableFuture<>();
            quick.execute(() -> {
                ByteBuffer[] burst = new ByteBuffer[5];
                for (int i = 0; i < burst.length; i++) {
                    burst[i] = quick.scratch().take(16 * 1024);
                }
                for (ByteBuffer b : burst) {
                    quick.scratch().give(b);
                }
                held.complete(quick.pooledSpares());
            });
            assertEquals(5, held.get(SECONDS, TimeUnit.SECONDS));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            int left;
            do {
                Thread.sleep(20);
                CompletableFuture<Integer> now = new CompletableFuture<>();
                quick.execute(() -> now.complete(quick.pooledSpares() * 1000 + quick.pendingTimers()));
                left = now.get(SECONDS, TimeUnit.SECONDS);
            } while (left != 0 && System.nanoTime() < deadline);
            assertEquals(0, left, "spares * 1000 + timers still pending");
        } finally {
            quick.shutdown();
            quick.join(5_000);
        }
    }

    @Test
    void tasksFromAnotherThreadRunInOrderOnTheLoopThread() throws Exception {
        assertFalse(loop.inLoop());
        List<Integer> ran = new ArrayList<>();   // touched only on the loop thread
        for (int i = 0; i < 10_000; i++) {
            int n = i;
            loop.execute(() -> ran.add(n));
        }
        assertTrue(onLoop(loop::inLoop));
        List<Integer> seen = onLoop(() -> List.copyOf(ran));
        assertEquals(10_000, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i));
        }
    }

    @Test
    void sharesOfInputLeftForTheNextTurnYieldToTheSelectorAfterAMillisecondInOrder() throws Exception {
        List<String> ran = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            for (String name : List.of("A", "B", "C", "D")) {
                loop.executeNextTurn(() -> {
                    ran.add(name);
                    if (name.equals("A")) {
                        loop.execute(() -> ran.add("task queued meanwhile"));
                    }
                    if (name.equals("D")) {
                        done.complete(null);
                    }
                    long end = System.nanoTime() + 600_000;   // a share of a flood that takes 0.6 ms
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                });
            }
        });
        done.get(SECONDS, TimeUnit.SECONDS);
        assertEquals(List.of("A", "B", "C", "D"), ran.stream().filter(n -> n.length() == 1).toList(), "in order");
        int queued = ran.indexOf("task queued meanwhile");
        assertTrue(queued > 0 && queued < ran.indexOf("D"),
                "the loop went back to its selector and tasks before running every share: " + ran);
    }

    @Test
    void aFailingTaskDoesNotStopTheLoop() throws Exception {
        loop.execute(() -> {
            throw new IllegalStateException("a bug in one task (expected in this test)");
        });
        assertEquals("still running", onLoop(() -> "still running"));
    }

    @Test
    void timersFireByDeadlineNotBySchedulingOrder() throws Exception {
        List<String> fired = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> last = new CompletableFuture<>();
        loop.execute(() -> {
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(60), () -> {
                fired.add("60ms");
                last.complete(null);
            });
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(20), () -> fired.add("20ms"));
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(40), () -> fired.add("40ms"));
            loop.schedule(0, () -> fired.add("now-a"));
            loop.schedule(0, () -> fired.add("now-b"));
        });
        last.get(SECONDS, TimeUnit.SECONDS);
        assertEquals(List.of("now-a", "now-b", "20ms", "40ms", "60ms"), fired);
    }

    @Test
    void aTimerNeverFiresBeforeItsDelay() throws Exception {
        long delay = TimeUnit.MILLISECONDS.toNanos(50);
        CompletableFuture<Long> elapsed = new CompletableFuture<>();
        loop.execute(() -> {
            long start = System.nanoTime();
            loop.schedule(delay, () -> elapsed.complete(System.nanoTime() - start));
        });
        long took = elapsed.get(SECONDS, TimeUnit.SECONDS);
        assertTrue(took >= delay, "fired after " + took + " ns, delay " + delay);
    }

    @Test
    void aCancelledTimerDoesNotRunAndTheOthersDo() throws Exception {
        List<String> fired = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(() -> {
            Scheduler.Cancellable cancelled = loop.schedule(TimeUnit.MILLISECONDS.toNanos(10), () -> fired.add("cancelled"));
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(5), () -> fired.add("kept"));
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(30), () -> done.complete(null));
            cancelled.cancel();
        });
        done.get(SECONDS, TimeUnit.SECONDS);
        assertEquals(List.of("kept"), fired);
        assertEquals(0, onLoop(loop::pendingTimers), "fired timers and the cancelled one are all gone");
    }

    @Test
    void aCancelledTimerLeavesTheHeapAtOnce() throws Exception {
        // A connection that goes away must leave nothing behind: cancelling removes the timer, it does not wait for
        // its deadline (10 s for a handshake timer) in the heap.
        int left = onLoop(() -> {
            List<Scheduler.Cancellable> ts = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                ts.add(loop.schedule(TimeUnit.SECONDS.toNanos(10 + i % 7), () -> { }));
            }
            for (int i = 0; i < ts.size(); i += 2) {
                ts.get(i).cancel();
            }
            ts.get(0).cancel();   // twice: no effect
            return loop.pendingTimers();
        });
        assertEquals(500, left);
    }

    @Test
    void aHandlerThatThrowsAnErrorFailsOnlyItsChannelAndTheLoopGoesOn() throws Exception {
        Pipe pipe = Pipe.open();
        closeAfter.add(pipe.sink());
        closeAfter.add(pipe.source());
        pipe.source().configureBlocking(false);
        CompletableFuture<Throwable> failed = new CompletableFuture<>();
        EventLoop.ChannelHandler handler = new EventLoop.ChannelHandler() {
            @Override
            public void onReady(SelectionKey key) {
                key.cancel();
                throw new OutOfMemoryError("simulated: a peer's frame did not fit (expected in this test)");
            }

            @Override
            public void onFailure(Throwable cause) {
                failed.complete(cause);
            }
        };
        onLoop(() -> {
            try {
                return loop.register(pipe.source(), SelectionKey.OP_READ, handler);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
        assertTrue(failed.get(SECONDS, TimeUnit.SECONDS) instanceof OutOfMemoryError);
        assertEquals("still running", onLoop(() -> "still running"));
    }

    @Test
    void tasksQueuedBeforeShutdownStillRun() throws Exception {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        List<String> ran = new CopyOnWriteArrayList<>();
        loop.execute(() -> gate.join());   // holds the loop while the rest is queued
        for (int i = 0; i < 5000; i++) {
            int n = i;
            loop.execute(() -> ran.add("t" + n));
        }
        loop.shutdown();
        gate.complete(null);
        loop.join(5_000);
        assertEquals(5000, ran.size(), "a stopping loop runs what was queued (a close, a last send)");
    }

    @Test
    void aFailingTimerDoesNotStopTheOthers() throws Exception {
        CompletableFuture<String> after = new CompletableFuture<>();
        loop.execute(() -> {
            loop.schedule(0, () -> {
                throw new IllegalStateException("a bug in one timer (expected in this test)");
            });
            loop.schedule(TimeUnit.MILLISECONDS.toNanos(1), () -> after.complete("fired"));
        });
        assertEquals("fired", after.get(SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void aRegisteredChannelIsServedOnTheLoopAndReleasedAtShutdown() throws Exception {
        Pipe pipe = Pipe.open();
        closeAfter.add(pipe.sink());
        closeAfter.add(pipe.source());
        pipe.source().configureBlocking(false);
        CompletableFuture<String> read = new CompletableFuture<>();
        CompletableFuture<Throwable> released = new CompletableFuture<>();
        EventLoop.ChannelHandler handler = new EventLoop.ChannelHandler() {
            @Override
            public void onReady(SelectionKey key) {
                ByteBuffer b = ByteBuffer.allocate(16);
                try {
                    pipe.source().read(b);
                } catch (IOException e) {
                    read.completeExceptionally(e);
                    return;
                }
                read.complete(loop.inLoop() + ":" + new String(b.array(), 0, b.position()));
            }

            @Override
            public void onFailure(Throwable cause) {
                released.complete(cause);
            }
        };
        assertTrue(onLoop(() -> {
            try {
                return loop.register(pipe.source(), SelectionKey.OP_READ, handler).isValid();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        pipe.sink().write(ByteBuffer.wrap("hi".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("true:hi", read.get(SECONDS, TimeUnit.SECONDS));
        assertFalse(released.isDone());
        loop.shutdown();
        assertTrue(released.get(SECONDS, TimeUnit.SECONDS) instanceof IOException);
        loop.join(5_000);
    }
}
