package io.wirefly.hal.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class NotifierTest {

    private final Notifier notifier = new Notifier();

    @Test
    void deliversInEnqueueOrderOnTheDrainingThread() {
        List<String> ran = new ArrayList<>();
        notifier.enqueue(() -> ran.add("a"));
        notifier.enqueue(() -> ran.add("b"));
        assertEquals(List.of(), ran, "nothing runs before drain");
        notifier.drain();
        assertEquals(List.of("a", "b"), ran);
        notifier.drain();
        assertEquals(List.of("a", "b"), ran, "each delivery runs once");
    }

    @Test
    void aReentrantEnqueueRunsAfterTheCurrentDelivery() {
        List<String> ran = new ArrayList<>();
        notifier.enqueue(() -> {
            ran.add("outer-start");
            notifier.enqueue(() -> ran.add("inner"));
            notifier.drain();                  // already draining: returns at once
            ran.add("outer-end");
        });
        notifier.enqueue(() -> ran.add("next"));
        notifier.drain();
        assertEquals(List.of("outer-start", "outer-end", "next", "inner"), ran);
    }

    @Test
    void aFailingDeliveryDoesNotStopTheOthers() {
        List<String> ran = new ArrayList<>();
        notifier.enqueue(() -> {
            throw new IllegalStateException("boom");
        });
        notifier.enqueue(() -> ran.add("after"));
        notifier.drain();
        assertEquals(List.of("after"), ran);
    }

    @Test
    void concurrentProducersLeaveNothingBehindAndNeverOverlap() throws Exception {
        int threads = 8;
        int each = 2_000;
        AtomicInteger delivered = new AtomicInteger();
        AtomicBoolean inside = new AtomicBoolean();
        List<Throwable> overlaps = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    notifier.enqueue(() -> {
                        if (!inside.compareAndSet(false, true)) {
                            overlaps.add(new AssertionError("two deliveries at once"));
                        }
                        delivered.incrementAndGet();
                        inside.set(false);
                    });
                    notifier.drain();
                }
            });
            workers[t].start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join(30_000);
            assertFalse(w.isAlive());
        }
        assertEquals(threads * each, delivered.get(), "every delivery ran once all drain() calls returned");
        assertEquals(List.of(), overlaps);
    }
}
