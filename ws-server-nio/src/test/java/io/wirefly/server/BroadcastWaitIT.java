package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A publisher on the application's own thread that outruns the event loop: {@code broadcast} waits while more than
 * 16,384 writes wait to be made, instead of queuing without bound, and every message still arrives, in order, at
 * ten JDK {@code java.net.http.WebSocket} clients. The loop is stopped by a handler that blocks it, so the count of
 * calls that get through before the wait is known (give or take the one a second that the wait's limit lets by).
 */
class BroadcastWaitIT {
    private static final int CLIENTS = 10;
    private static final int MESSAGES = 5_000;
    /** The server's bound on broadcast writes handed to its loops and not made yet. */
    private static final int BOUND = 16_384;

    /** Counts the whole text messages a JDK client receives and keeps the last. */
    private static final class Counter implements java.net.http.WebSocket.Listener {
        final AtomicInteger messages = new AtomicInteger();
        final AtomicReference<String> last = new AtomicReference<>();
        private final StringBuilder part = new StringBuilder();

        @Override
        public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean whole) {
            part.append(data);
            if (whole) {
                last.set(part.toString());
                part.setLength(0);
                messages.incrementAndGet();
            }
            ws.request(1);
            return null;
        }
    }

    @Test
    void aPublisherOnItsOwnThreadWaitsWhileTheLoopIsBehindAndEveryMessageArrives() throws Exception {
        CountDownLatch blocking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        WebSocketHandler handler = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                if (text.equals("block")) {   // holds the only event loop: no broadcast write is made meanwhile
                    blocking.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0).eventLoops(1).route("/", handler).build().start();
        HttpClient http = HttpClient.newHttpClient();
        List<java.net.http.WebSocket> sockets = new ArrayList<>();
        List<Counter> counters = new ArrayList<>();
        Thread publisher = null;
        try {
            for (int i = 0; i < CLIENTS; i++) {
                Counter c = new Counter();
                counters.add(c);
                sockets.add(http.newWebSocketBuilder()
                        .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/"), c)
                        .get(10, TimeUnit.SECONDS));
            }
            assertEquals(CLIENTS, server.broadcast("hello"), "every client is open");
            awaitAll(counters, 1);

            sockets.get(0).sendText("block", true);
            assertTrue(blocking.await(10, TimeUnit.SECONDS));
            AtomicInteger calls = new AtomicInteger();
            publisher = new Thread(() -> {
                for (int i = 0; i < MESSAGES; i++) {
                    server.broadcast("m" + i);
                    calls.incrementAndGet();
                }
            }, "publisher");
            publisher.start();

            // Each call hands the loop 10 writes. Up to 16,380 pending the next call goes through (16,390); the one
            // after it waits, for up to a second (a held loop cannot keep a publisher waiting for good), then the
            // next. Before, all 5,000 calls went through at once and 50,000 writes waited in the heap.
            int through = BOUND / CLIENTS + 1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (calls.get() < through && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(300);
            int got = calls.get();
            assertTrue(got >= through && got <= through + 2,
                    got + " calls got through while the loop made no write; " + through + " fit under the bound");
            assertTrue(publisher.isAlive(), "the publisher waits");

            release.countDown();
            publisher.join(60_000);
            assertEquals(MESSAGES, calls.get());
            awaitAll(counters, 1 + MESSAGES);
            for (Counter c : counters) {
                assertEquals(1 + MESSAGES, c.messages.get());
                assertEquals("m" + (MESSAGES - 1), c.last.get(), "in order, the last one last");
            }
        } finally {
            release.countDown();
            if (publisher != null) {
                publisher.join(10_000);
            }
            for (java.net.http.WebSocket ws : sockets) {
                ws.abort();
            }
            server.stop(Duration.ofSeconds(2));
        }
    }

    private static void awaitAll(List<Counter> counters, int messages) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (Counter c : counters) {
            while (c.messages.get() < messages && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(messages, c.messages.get(), "messages received");
        }
    }
}
