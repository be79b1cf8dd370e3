package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.internal.protocol.InboundBudget;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Handler calls of one connection: inline, or on the user's executor in order and one at a time. */
class DispatcherTest {

    /** An executor that runs what it was given only when the test says so. */
    private static final class Manual implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        void runAll() {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        }
    }

    @Test
    void withoutAnExecutorCallsRunInlineOnTheCallersThread() {
        Dispatcher d = new Dispatcher(null, null);
        assertTrue(d.isInline());
        List<Thread> ran = new ArrayList<>();
        d.dispatch(() -> ran.add(Thread.currentThread()));
        assertEquals(List.of(Thread.currentThread()), ran, "ran before dispatch returned");
    }

    @Test
    void withAnExecutorNothingRunsOnTheCallersThread() {
        Manual executor = new Manual();
        Dispatcher d = new Dispatcher(executor, null);
        assertFalse(d.isInline());
        List<Integer> ran = new ArrayList<>();
        d.dispatch(() -> ran.add(1));
        assertEquals(List.of(), ran, "handed to the executor, not run by dispatch");
        executor.runAll();
        assertEquals(List.of(1), ran);
    }

    @Test
    void aBurstRunsInOrderThroughOneScheduledTaskAtATime() {
        Manual executor = new Manual();
        Dispatcher d = new Dispatcher(executor, null);
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            int n = i;
            d.dispatch(() -> ran.add(n));
        }
        assertEquals(1, executor.tasks.size(), "one drain task for the whole burst, not one per call");
        executor.runAll();
        assertEquals(1_000, ran.size());
        for (int i = 0; i < ran.size(); i++) {
            assertEquals(i, ran.get(i));
        }
    }

    @Test
    void aLongQueueGivesTheExecutorThreadBackAndIsRescheduled() {
        Manual executor = new Manual();
        Dispatcher d = new Dispatcher(executor, null);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 1_000; i++) {
            d.dispatch(ran::incrementAndGet);
        }
        executor.tasks.poll().run();
        assertTrue(ran.get() > 0 && ran.get() < 1_000, "one task drains a bounded batch, ran " + ran.get());
        assertEquals(1, executor.tasks.size(), "the rest is rescheduled");
        executor.runAll();
        assertEquals(1_000, ran.get());
    }

    @Test
    void callsDispatchedWhileDrainingRunInTheSameOrder() {
        Manual executor = new Manual();
        Dispatcher d = new Dispatcher(executor, null);
        List<String> ran = new ArrayList<>();
        d.dispatch(() -> {
            ran.add("a");
            d.dispatch(() -> ran.add("c"));
        });
        d.dispatch(() -> ran.add("b"));
        executor.runAll();
        assertEquals(List.of("a", "b", "c"), ran);
    }

    @Test
    void onAThreadPoolCallsOfOneConnectionNeverOverlapAndKeepTheirOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Dispatcher d = new Dispatcher(pool, null);
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            List<Integer> ran = new ArrayList<>();   // guarded by the one-at-a-time contract itself
            CountDownLatch done = new CountDownLatch(2_000);
            for (int i = 0; i < 2_000; i++) {
                int n = i;
                d.dispatch(() -> {
                    if (running.incrementAndGet() != 1) {
                        overlaps.incrementAndGet();
                    }
                    ran.add(n);
                    running.decrementAndGet();
                    done.countDown();
                });
            }
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(0, overlaps.get());
            for (int i = 0; i < 2_000; i++) {
                assertEquals(i, ran.get(i));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRejectingExecutorLosesNothingTheCallsRunOnTheCallersThread() {
        // A shut-down executor must not swallow onClose: the calls run on the dispatching thread instead.
        boolean[] reject = {true};
        Manual inner = new Manual();
        Dispatcher d = new Dispatcher(task -> {
            if (reject[0]) {
                throw new RejectedExecutionException("saturated (expected in this test)");
            }
            inner.execute(task);
        }, null);
        List<String> ran = new ArrayList<>();
        d.dispatch(() -> ran.add("first"));
        assertEquals(List.of("first"), ran, "ran inline after the rejection");
        reject[0] = false;
        d.dispatch(() -> ran.add("later"));
        inner.runAll();
        assertEquals(List.of("first", "later"), ran);
    }

    @Test
    void aCallThatThrowsAnErrorDoesNotStopTheQueue() {
        Manual executor = new Manual();
        Dispatcher d = new Dispatcher(executor, null);
        List<String> ran = new ArrayList<>();
        d.dispatch(() -> {
            throw new StackOverflowError("a handler bug (expected in this test)");
        });
        d.dispatch(() -> ran.add("next"));
        executor.runAll();
        assertEquals(List.of("next"), ran);
        d.dispatch(() -> ran.add("after"));
        assertEquals(1, executor.tasks.size(), "the drain was rescheduled: 'scheduled' was reset");
        executor.runAll();
        assertEquals(List.of("next", "after"), ran);
    }

    @Test
    void aBacklogPausesTheReaderAndItsDrainResumesIt() {
        Manual executor = new Manual();
        int[] resumed = {0};
        Dispatcher d = new Dispatcher(executor, () -> resumed[0]++);
        for (int i = 0; i < Dispatcher.MAX_QUEUED - 1; i++) {
            d.dispatch(() -> { });
        }
        assertFalse(d.backlogged());
        d.dispatch(() -> { });
        assertTrue(d.backlogged(), Dispatcher.MAX_QUEUED + " calls waiting");
        assertEquals(0, resumed[0]);
        executor.runAll();
        assertEquals(0, d.queued());
        assertEquals(1, resumed[0], "told once that the backlog drained");
        assertFalse(d.backlogged());
    }

    /**
     * Messages waiting for the executor are held in the inbound budget until their call has run, and a whole
     * largest message's worth of them pauses the reader like a long queue does.
     */
    @Test
    void waitingMessagesAreHeldInTheBudgetAndTheirBytesPauseTheReader() {
        Manual executor = new Manual();
        int[] resumed = {0};
        InboundBudget budget = InboundBudget.bounded(1_000);
        Dispatcher d = new Dispatcher(executor, () -> resumed[0]++, budget.account(() -> { }), 600);
        List<String> ran = new ArrayList<>();
        d.dispatch(() -> ran.add("a"), 300);
        d.dispatch(() -> ran.add("b"), 299);
        assertEquals(599, d.queuedBytes());
        assertFalse(d.backlogged(), "two calls and 599 bytes wait");
        assertFalse(budget.reserve(402), "the waiting bytes are held in the budget");
        d.dispatch(() -> ran.add("c"), 1);
        assertTrue(d.backlogged(), "600 bytes wait: a largest message's worth");
        executor.runAll();
        assertEquals(List.of("a", "b", "c"), ran);
        assertEquals(0, d.queuedBytes());
        assertEquals(1, resumed[0], "told once that the backlog drained");
        assertTrue(budget.reserve(1_000), "every byte given back once its call ran");
    }

    @Test
    void aCallThatThrowsStillGivesItsBytesBack() {
        Manual executor = new Manual();
        InboundBudget budget = InboundBudget.bounded(1_000);
        Dispatcher d = new Dispatcher(executor, () -> { }, budget, 600);
        d.dispatch(() -> {
            throw new IllegalStateException("handler bug");
        }, 500);
        executor.runAll();
        assertEquals(0, d.queuedBytes());
        assertTrue(budget.reserve(1_000));
    }

    @Test
    void inlineCallsHoldNothing() {
        InboundBudget budget = InboundBudget.bounded(1_000);
        Dispatcher d = new Dispatcher(null, null, budget, 600);
        long[] seen = {-1};
        d.dispatch(() -> seen[0] = d.queuedBytes(), 700);
        assertEquals(0, seen[0]);
        assertTrue(budget.reserve(1_000), "a call that runs at once waits for nothing");
    }
}
