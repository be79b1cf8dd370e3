package io.wirefly.server;

import io.wirefly.core.CloseCode;
import io.wirefly.core.CloseInfo;
import io.wirefly.core.ClosedException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.UpgradeRequest;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A client connection that comes back: when it is lost (the server restarts, the network drops), it connects again
 * after the {@link Reconnect} policy's backoff, until it is closed from this side, the server closes with a stop
 * code, or the attempt limit is reached. Made by {@link WebSocketClient#connect(URI, WebSocketHandler, Reconnect)}.
 *
 * <p>The handler sees each underlying connection: {@code onOpen} after every (re)connect, {@code onClose} after every
 * loss, each with that connection's own {@link WebSocket}. This object is the one to keep for sending: while the
 * connection is up a send goes to it; while it is down the send waits in the resend queue (if the policy has one)
 * and goes out, in order, after the reconnect, or fails at once with {@link ClosedException}. A message whose
 * connection drops after it was handed to it is not sent again: delivery is at most once.
 *
 * <pre>{@code
 * ReconnectingWebSocket ws = client.connect(URI.create("ws://device-hub:9998/telemetry"), handler,
 *         Reconnect.builder().resendQueue(500).build());
 * ws.sendText("{\"temp\": 21.5}");   // sent now, or after the next reconnect
 * ...
 * ws.close();                        // no more reconnects
 * }</pre>
 */
public final class ReconnectingWebSocket implements WebSocket {
    private final WebSocketClient client;
    private final URI uri;
    private final WebSocketHandler handler;
    private final List<String> subprotocols;
    private final Map<String, String> headers;
    private final Reconnect policy;
    private final Object lock = new Object();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final CompletableFuture<CloseInfo> ended = new CompletableFuture<>();
    /** Streams binary messages only if the user's handler does (overriding onBinaryPart is what asks for it). */
    private final WebSocketHandler inner;
    /** The user's handler takes binary messages in {@code onBinaryBorrowed}. */
    private final boolean borrows;
    /** The open connection, or null while down. Guarded by {@link #lock}. */
    private WebSocket current;
    /** The last connection that was open, for its request and addresses while down. */
    private volatile WebSocket last;
    private volatile boolean userClosed;
    private volatile boolean gaveUp;
    /** The number of the attempt under way, 0 for the first connect; attempts run one at a time. */
    private volatile int attemptUnderWay;
    /** The attempt number of the open connection, and when it opened ({@link System#nanoTime}). */
    private volatile int openedOnAttempt;
    private volatile long openedAt;

    /** A send made while down: how to make it on the next connection, and its caller's future. */
    private record Pending(Function<WebSocket, CompletionStage<Void>> send, CompletableFuture<Void> done) {
    }

    ReconnectingWebSocket(WebSocketClient client, URI uri, WebSocketHandler handler, List<String> subprotocols,
            Map<String, String> headers, Reconnect policy) {
        this.client = client;
        this.uri = uri;
        this.handler = handler;
        this.subprotocols = subprotocols;
        this.headers = headers;
        this.policy = policy;
        boolean binaryParts = io.wirefly.server.internal.Handlers.wantsParts(handler);
        boolean textParts = io.wirefly.server.internal.Handlers.wantsTextParts(handler);
        this.borrows = io.wirefly.server.internal.Handlers.borrows(handler);
        // the wrapper streams exactly what the user's handler streams (overriding a part method is what asks for it)
        this.inner = binaryParts && textParts ? new BothParts() : binaryParts ? new BinaryParts()
                : textParts ? new TextParts() : new Inner();
    }

    void start() {
        attempt(0);
    }

    private void attempt(int n) {
        if (userClosed) {
            return;
        }
        attemptUnderWay = n;
        client.connect(uri, inner, subprotocols, headers).whenComplete((ws, error) -> {
            if (error == null) {
                if (n > 0) {
                    policy.listener().onReconnected(ws, n);
                }
                return;
            }
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof IllegalStateException || cause instanceof IllegalArgumentException) {
                giveUp(cause);   // a closed client or a bad URI: trying again cannot help
            } else {
                retry(n + 1, cause);
            }
        });
    }

    private void retry(int attempt, Throwable cause) {
        if (userClosed) {
            return;
        }
        if (policy.maxAttempts() > 0 && attempt > policy.maxAttempts()) {
            giveUp(cause);
            return;
        }
        Duration delay = policy.delay(attempt, ThreadLocalRandom.current().nextDouble());
        policy.listener().onReconnecting(attempt, delay, cause);
        CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS).execute(() -> attempt(attempt));
    }

    private void giveUp(Throwable cause) {
        gaveUp = true;
        failQueued("gave up reconnecting");
        ended.complete(new CloseInfo(CloseCode.ABNORMAL.code(), "gave up reconnecting"));
        policy.listener().onGaveUp(cause);
    }

    /** Forwards every event of each underlying connection; notices opens and losses. */
    private class Inner implements WebSocketHandler {
        @Override
        public void onOpen(WebSocket ws) {
            openedOnAttempt = attemptUnderWay;
            openedAt = System.nanoTime();
            last = ws;
            synchronized (lock) {
                current = ws;
                if (userClosed) {
                    ws.close();
                    return;
                }
                for (Pending p; (p = queue.poll()) != null; ) {
                    CompletableFuture<Void> done = p.done();
                    p.send().apply(ws).whenComplete((v, e) -> {
                        if (e == null) {
                            done.complete(null);
                        } else {
                            done.completeExceptionally(e);
                        }
                    });
                }
            }
            handler.onOpen(ws);
        }

        @Override
        public void onText(WebSocket ws, String text) {
            handler.onText(ws, text);
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            if (borrows) {
                handler.onBinaryBorrowed(ws, data);   // a buffer of its own: more than the contract promises
            } else {
                handler.onBinary(ws, data);
            }
        }

        @Override
        public void onPing(WebSocket ws, ByteBuffer payload) {
            handler.onPing(ws, payload);
        }


        @Override
        public void onPong(WebSocket ws, ByteBuffer payload) {
            handler.onPong(ws, payload);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            handler.onError(ws, error);
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            synchronized (lock) {
                if (current == ws) {
                    current = null;
                }
            }
            try {
                handler.onClose(ws, code, reason);
            } finally {
                if (userClosed) {
                    ended.complete(new CloseInfo(code, reason));
                } else if (policy.stopCodes().contains(code)) {
                    gaveUp = true;
                    failQueued("the server closed with " + code);
                    ended.complete(new CloseInfo(code, reason));
                    policy.listener().onGaveUp(null);
                } else {
                    // Up long enough: start over. Lost sooner: that attempt failed too, and the backoff goes on.
                    boolean wasUp = System.nanoTime() - openedAt >= policy.minUptime().toNanos();
                    retry(wasUp ? 1 : openedOnAttempt + 1, null);
                }
            }
        }
    }

    /** {@link Inner} for a handler that receives binary messages in parts. */
    private final class BinaryParts extends Inner {
        @Override
        public void onBinaryPart(WebSocket ws, ByteBuffer part, boolean last) {
            handler.onBinaryPart(ws, part, last);
        }
    }

    /** {@link Inner} for a handler that receives text messages in parts. */
    private final class TextParts extends Inner {
        @Override
        public void onTextPart(WebSocket ws, String part, boolean last) {
            handler.onTextPart(ws, part, last);
        }
    }

    /** {@link Inner} for a handler that receives both kinds in parts. */
    private final class BothParts extends Inner {
        @Override
        public void onBinaryPart(WebSocket ws, ByteBuffer part, boolean last) {
            handler.onBinaryPart(ws, part, last);
        }

        @Override
        public void onTextPart(WebSocket ws, String part, boolean last) {
            handler.onTextPart(ws, part, last);
        }
    }

    // ---- Sending -------------------------------------------------------------------------------------------------

    private CompletionStage<Void> send(Function<WebSocket, CompletionStage<Void>> send) {
        synchronized (lock) {
            if (current != null && current.readyState() == ReadyState.OPEN) {
                return send.apply(current);
            }
            if (userClosed || gaveUp) {
                return CompletableFuture.failedFuture(new ClosedException("the connection is closed"));
            }
            if (queue.size() >= policy.resendQueue()) {
                return CompletableFuture.failedFuture(new ClosedException(policy.resendQueue() == 0
                        ? "not connected (reconnecting; no resend queue)"
                        : "not connected, and the resend queue holds " + policy.resendQueue() + " messages"));
            }
            Pending p = new Pending(send, new CompletableFuture<>());
            queue.add(p);
            return p.done();
        }
    }

    private void failQueued(String why) {
        synchronized (lock) {
            for (Pending p; (p = queue.poll()) != null; ) {
                p.done().completeExceptionally(new ClosedException(why));
            }
        }
    }

    @Override
    public CompletionStage<Void> sendText(CharSequence text) {
        String copy = text.toString();
        return send(ws -> ws.sendText(copy));
    }

    /** {@inheritDoc} A message queued while down keeps a copy of its bytes. */
    @Override
    public CompletionStage<Void> sendBinary(ByteBuffer data) {
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).put(data.duplicate()).flip();
        return send(ws -> ws.sendBinary(copy));
    }

    /** {@inheritDoc} Parts go to the open connection only: they are never queued while down. */
    @Override
    public CompletionStage<Void> sendTextPart(CharSequence part, boolean last) {
        synchronized (lock) {
            if (current != null) {
                return current.sendTextPart(part, last);
            }
        }
        return CompletableFuture.failedFuture(new ClosedException("not connected"));
    }

    /** {@inheritDoc} Parts go to the open connection only: they are never queued while down. */
    @Override
    public CompletionStage<Void> sendBinaryPart(ByteBuffer part, boolean last) {
        synchronized (lock) {
            if (current != null) {
                return current.sendBinaryPart(part, last);
            }
        }
        return CompletableFuture.failedFuture(new ClosedException("not connected"));
    }

    @Override
    public CompletionStage<Void> ping(ByteBuffer payload) {
        synchronized (lock) {
            if (current != null) {
                return current.ping(payload);
            }
        }
        return CompletableFuture.failedFuture(new ClosedException("not connected"));
    }

    /** {@inheritDoc} No reconnect follows; messages still queued fail. */
    @Override
    public CompletionStage<CloseInfo> close(int code, String reason) {
        userClosed = true;
        failQueued("closed");
        WebSocket ws;
        synchronized (lock) {
            ws = current;
        }
        if (ws == null) {
            ended.complete(new CloseInfo(CloseCode.ABNORMAL.code(), "closed while not connected"));
            return ended.copy();
        }
        ws.close(code, reason);
        return ended.copy();
    }

    /** @return the open connection's state; CONNECTING while it reconnects; CLOSED once it will not */
    @Override
    public ReadyState readyState() {
        WebSocket ws;
        synchronized (lock) {
            ws = current;
        }
        if (ws != null) {
            return ws.readyState();
        }
        return userClosed || gaveUp ? ReadyState.CLOSED : ReadyState.CONNECTING;
    }

    @Override
    public long bufferedAmount() {
        WebSocket ws;
        synchronized (lock) {
            ws = current;
        }
        return ws == null ? 0 : ws.bufferedAmount();
    }

    @Override
    public String subprotocol() {
        WebSocket ws = last;
        return ws == null ? "" : ws.subprotocol();
    }

    @Override
    public String path() {
        return uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        WebSocket ws = last;
        return ws == null ? InetSocketAddress.createUnresolved(uri.getHost(), Math.max(uri.getPort(), 0))
                : ws.remoteAddress();
    }

    /** @return the request of the last connection that opened */
    @Override
    public UpgradeRequest request() {
        WebSocket ws = last;
        if (ws == null) {
            throw new IllegalStateException("not connected yet");
        }
        return ws.request();
    }

    @Override
    public String toString() {
        return "ReconnectingWebSocket[" + uri + " " + readyState() + "]";
    }
}
