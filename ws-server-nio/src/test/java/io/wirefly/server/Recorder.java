package io.wirefly.server;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A handler that records what it receives, for tests. */
class Recorder implements WebSocketHandler {
    final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<WebSocket> opened = new CompletableFuture<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    volatile String closeReason;
    volatile Throwable error;

    @Override
    public void onOpen(WebSocket ws) {
        opened.complete(ws);
    }

    @Override
    public void onText(WebSocket ws, String text) {
        messages.add(text);
    }

    @Override
    public void onBinary(WebSocket ws, ByteBuffer data) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        messages.add(b);
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
        closeReason = reason;
        closed.complete(code);
    }

    @Override
    public void onError(WebSocket ws, Throwable e) {
        error = e;
    }

    Object next() throws InterruptedException {
        Object m = messages.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no message within 10 s");
        }
        return m;
    }

    int closeCode() throws Exception {
        return closed.get(15, TimeUnit.SECONDS);
    }

    /** An echo handler for servers. */
    static WebSocketHandler echo() {
        return new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                ws.sendText(text);
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                ws.sendBinary(data);
            }
        };
    }
}
