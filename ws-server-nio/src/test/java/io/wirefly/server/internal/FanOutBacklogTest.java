package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FanOutBacklogTest {

    @Test
    void nothingIsHeldBackUpToTheBound() {
        FanOutBacklog backlog = new FanOutBacklog(100);
        backlog.queued(100);
        AtomicInteger woken = new AtomicInteger();
        assertFalse(backlog.holdBack(woken::incrementAndGet));
        backlog.made(100);
        assertEquals(0, woken.get(), "nobody waited, nobody is woken");
        assertEquals(0, backlog.pending());
    }

    @Test
    void pastTheBoundReadersWaitUntilTheBacklogIsDownToAQuarterAndAreWokenOnce() {
        FanOutBacklog backlog = new FanOutBacklog(100);
        backlog.queued(60);
        backlog.queued(60);
        AtomicInteger a = new AtomicInteger();
        AtomicInteger b = new AtomicInteger();
        assertTrue(backlog.holdBack(a::incrementAndGet));
        assertTrue(backlog.holdBack(b::incrementAndGet));
        backlog.made(60);   // 60 left
        assertEquals(0, a.get() + b.get(), "above a quarter: still waiting");
        backlog.made(35);   // 25 left
        assertEquals(1, a.get());
        assertEquals(1, b.get());
        backlog.made(25);
        assertEquals(1, a.get(), "each is woken once");
        assertEquals(1, b.get(), "each is woken once");
    }

    @Test
    void aReaderThatAsksWhenTheBacklogHasJustShrunkIsWokenAtOnce() {
        FanOutBacklog backlog = new FanOutBacklog(0);   // a quarter of 0 is 0: anything pending holds back
        backlog.queued(1);
        AtomicInteger woken = new AtomicInteger();
        assertTrue(backlog.holdBack(woken::incrementAndGet));
        backlog.made(1);
        assertEquals(1, woken.get(), "the last delivery wakes the waiter");
        assertFalse(backlog.holdBack(woken::incrementAndGet), "nothing pending: no wait");
    }

    @Test
    void noneNeverHoldsBack() {
        FanOutBacklog.NONE.queued(Integer.MAX_VALUE);
        try {
            assertFalse(FanOutBacklog.NONE.holdBack(() -> { }));
        } finally {
            FanOutBacklog.NONE.made(Integer.MAX_VALUE);
        }
    }

    @Test
    void aPublisherOffTheLoopsWaitsWhileTheBacklogIsPastTheBoundAndGoesOnOnceItIsWithin() throws Exception {
        FanOutBacklog backlog = new FanOutBacklog(100);
        backlog.queued(100);
        backlog.awaitRoom(() -> true, FanOutBacklog.MAX_AWAIT_NANOS);   // at the bound, not past it: no wait
        backlog.queued(50);
        CountDownLatch through = new CountDownLatch(1);
        Thread publisher = new Thread(() -> {
            backlog.awaitRoom(() -> true, FanOutBacklog.MAX_AWAIT_NANOS);
            through.countDown();
        });
        publisher.start();
        assertFalse(through.await(300, TimeUnit.MILLISECONDS), "150 pending, bound 100: the publisher waits");
        backlog.made(50);
        assertTrue(through.await(10, TimeUnit.SECONDS), "100 pending: it goes on");
        publisher.join(10_000);
    }

    @Test
    void theWaitEndsWhenTheLoopsStopAndForAnInterruptedThreadWhichKeepsItsStatus() throws Exception {
        FanOutBacklog backlog = new FanOutBacklog(10);
        backlog.queued(20);
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch through = new CountDownLatch(1);
        Thread publisher = new Thread(() -> {
            backlog.awaitRoom(running::get, FanOutBacklog.MAX_AWAIT_NANOS);
            through.countDown();
        });
        publisher.start();
        assertFalse(through.await(300, TimeUnit.MILLISECONDS));
        running.set(false);   // nothing will be delivered any more: waiting would be for ever
        assertTrue(through.await(10, TimeUnit.SECONDS));
        publisher.join(10_000);

        Thread.currentThread().interrupt();
        backlog.awaitRoom(() -> true, FanOutBacklog.MAX_AWAIT_NANOS);
        assertTrue(Thread.interrupted(), "returned at once, interrupt status kept");
    }

    @Test
    void noDeliveriesAtAllEndTheWaitAfterItsLongest() {
        // A publisher holding a lock that the loop's handler waits for: the loop makes no delivery, ever.
        FanOutBacklog backlog = new FanOutBacklog(10);
        backlog.queued(20);
        long start = System.nanoTime();
        backlog.awaitRoom(() -> true, TimeUnit.MILLISECONDS.toNanos(200));
        long waited = System.nanoTime() - start;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(200), "waited " + waited + " ns");
        assertTrue(waited < TimeUnit.SECONDS.toNanos(10), "waited " + waited + " ns");
    }
}
