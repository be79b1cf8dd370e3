package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.ClosedException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The reconnecting client against a real server on loopback that is stopped and started again on the same port:
 * the backoff is visible in the listener's events, messages sent while down arrive after the reconnect, a close from
 * this side ends it, and a stop code or the attempt limit makes it give up.
 */
class ReconnectIT {

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static WebSocketServer echo(int port) {
        return WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(port)
                .route("/", Recorder.echo()).build().start();
    }

    /** Events of the policy's listener and of the handler, in order. */
    static final class Log implements Reconnect.Listener, WebSocketHandler {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Long> delays = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        final AtomicInteger opens = new AtomicInteger();
        final CompletableFuture<Throwable> gaveUp = new CompletableFuture<>();

        @Override
        public void onReconnecting(int attempt, Duration delay, Throwable cause) {
            events.add("reconnecting " + attempt);
            delays.add(delay.toMillis());
        }

        @Override
        public void onReconnected(WebSocket ws, int attempts) {
            events.add("reconnected after " + attempts);
        }

        @Override
        public void onGaveUp(Throwable cause) {
            events.add("gave up");
            gaveUp.complete(cause);
        }

        @Override
        public void onOpen(WebSocket ws) {
            opens.incrementAndGet();
            events.add("open");
        }

        @Override
        public void onText(WebSocket ws, String text) {
            texts.add(text);
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            events.add("close " + code);
        }

        String next() throws InterruptedException {
            String t = texts.poll(10, TimeUnit.SECONDS);
            if (t == null) {
                throw new AssertionError("no message within 10 s; events " + events);
            }
            return t;
        }
    }

    @Test
    void survivesTwoServerRestartsWithVisibleBackoffAndSendsWhatWasQueuedWhileDown() throws Exception {
        int port = freePort();
        WebSocketServer server = echo(port);
        Log log = new Log();
        // minUptime zero: each restart's backoff starts over, however short the connection before it was up
        Reconnect policy = Reconnect.builder().backoff(Duration.ofMillis(100), Duration.ofMillis(800)).jitter(0)
                .minUptime(Duration.ZERO).resendQueue(10).listener(log).build();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            ReconnectingWebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + port + "/"), log, policy);
            Peers.await(Duration.ofSeconds(10), "the first open", () -> log.opens.get() == 1);
            ws.sendText("first").toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals("first", log.next());

            for (int round = 1; round <= 2; round++) {
                int before = log.delays.size();
                server.stop(Duration.ofSeconds(2));   // every connection gets 1001: not a stop code
                // refused again and again while the port is closed: 100, 200, 400 ms between attempts
                Peers.await(Duration.ofSeconds(10), "three attempts", () -> log.delays.size() >= before + 3);
                assertEquals(ReadyState.CONNECTING, ws.readyState());
                CompletableFuture<Void> queued = ws.sendText("while down " + round).toCompletableFuture();
                assertTrue(!queued.isDone(), "kept for after the reconnect");
                server = echo(port);
                int opens = round + 1;
                Peers.await(Duration.ofSeconds(10), "the reconnect", () -> log.opens.get() == opens);
                queued.get(10, TimeUnit.SECONDS);
                assertEquals("while down " + round, log.next());
                assertEquals(List.of(100L, 200L, 400L), log.delays.subList(before, before + 3),
                        "exponential backoff (jitter 0): " + log.delays);
                ws.sendText("after " + round);
                assertEquals("after " + round, log.next());
            }
            assertTrue(log.events.contains("close 1001"), log.events.toString());
            assertTrue(log.events.stream().anyMatch(e -> e.startsWith("reconnected after ")), log.events.toString());

            int attempts = log.delays.size();
            assertEquals(1000, ws.close().toCompletableFuture().get(10, TimeUnit.SECONDS).code());
            assertEquals(ReadyState.CLOSED, ws.readyState());
            Thread.sleep(300);
            assertEquals(attempts, log.delays.size(), "no reconnect after a close from this side");
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> ws.sendText("too late").toCompletableFuture().get(5, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof ClosedException, e.getCause().toString());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aStopCodeOrTheAttemptLimitEndsIt() throws Exception {
        int port = freePort();
        WebSocketHandler closer = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                ws.close(1008, "go away for good");
            }
        };
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(port)
                .route("/", closer).build().start();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            Log log = new Log();
            ReconnectingWebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + port + "/"), log,
                    Reconnect.builder().backoff(Duration.ofMillis(50), Duration.ofMillis(50)).listener(log).build());
            Peers.await(Duration.ofSeconds(10), "open", () -> log.opens.get() == 1);
            ws.sendText("bye");
            log.gaveUp.get(10, TimeUnit.SECONDS);
            assertEquals(List.of("open", "close 1008", "gave up"), log.events, "1008 is a stop code by default");
            assertEquals(ReadyState.CLOSED, ws.readyState());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }

        int nobody = freePort();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            Log log = new Log();
            client.connect(URI.create("ws://127.0.0.1:" + nobody + "/"), log, Reconnect.builder()
                    .backoff(Duration.ofMillis(20), Duration.ofMillis(40)).jitter(0).maxAttempts(3).listener(log)
                    .build());
            Throwable last = log.gaveUp.get(10, TimeUnit.SECONDS);
            assertTrue(last instanceof java.io.IOException, "the last failure: " + last);
            assertEquals(List.of("reconnecting 1", "reconnecting 2", "reconnecting 3", "gave up"), log.events);
            assertEquals(List.of(20L, 40L, 40L), log.delays, "capped at the maximum");
        }
    }

    /**
     * A server in a crash loop: it accepts every upgrade and drops the connection at once (1011). Each open then
     * counts as a failed attempt, so the delays go on doubling and the attempt limit ends it, instead of every client
     * dialling again after the initial delay forever. A connection that stays up past {@code minUptime} starts the
     * backoff over.
     */
    @Test
    void connectionsLostSoonerThanMinUptimeKeepTheBackoffGrowing() throws Exception {
        int port = freePort();
        AtomicInteger accepted = new AtomicInteger();
        WebSocketServer crashLoop = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(port)
                .route("/", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        accepted.incrementAndGet();
                        ws.close(1011, "backend down");
                    }
                }).build().start();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            Log log = new Log();
            client.connect(URI.create("ws://127.0.0.1:" + port + "/"), log, Reconnect.builder()
                    .backoff(Duration.ofMillis(50), Duration.ofSeconds(5)).jitter(0).minUptime(Duration.ofSeconds(2))
                    .maxAttempts(5).listener(log).build());
            assertEquals(null, log.gaveUp.get(20, TimeUnit.SECONDS), "gave up after the fifth quick loss");
            assertEquals(List.of(50L, 100L, 200L, 400L, 800L), log.delays, "the backoff went on: " + log.events);
            assertEquals(6, accepted.get(), "the first connect and five attempts, each accepted and dropped");
        } finally {
            crashLoop.stop(Duration.ofSeconds(2));
        }

        // The same server, but each connection now lasts 400 ms, past a minUptime of 200 ms: every loss starts over.
        int port2 = freePort();
        WebSocketServer slowCrash = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(port2)
                .route("/", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        CompletableFuture.delayedExecutor(400, TimeUnit.MILLISECONDS)
                                .execute(() -> ws.close(1011, "backend down"));
                    }
                }).build().start();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            Log log = new Log();
            ReconnectingWebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + port2 + "/"), log,
                    Reconnect.builder().backoff(Duration.ofMillis(50), Duration.ofSeconds(5)).jitter(0)
                            .minUptime(Duration.ofMillis(200)).listener(log).build());
            Peers.await(Duration.ofSeconds(10), "three losses", () -> log.delays.size() >= 3);
            assertEquals(List.of(50L, 50L, 50L), log.delays.subList(0, 3), "each loss started over: " + log.events);
            ws.close();
        } finally {
            slowCrash.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aBadPolicyFailsAtBuildNamingTheValue() {
        for (Runnable bad : List.<Runnable>of(
                () -> Reconnect.builder().backoff(Duration.ZERO, Duration.ofSeconds(1)).build(),
                () -> Reconnect.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)).build(),
                () -> Reconnect.builder().jitter(1.5).build(),
                () -> Reconnect.builder().multiplier(0.5).build(),
                () -> Reconnect.builder().maxAttempts(-1).build(),
                () -> Reconnect.builder().minUptime(Duration.ofMillis(-1)).build(),
                () -> Reconnect.builder().resendQueue(-1).build())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad::run);
            assertTrue(e.getMessage().matches(
                    "(initialDelay|maxDelay|jitter|multiplier|minUptime|maxAttempts|resendQueue) .*"),
                    e.getMessage());
        }
        assertTrue(Set.of(1000, 1008).equals(Reconnect.builder().build().stopCodes()));
    }
}
