package io.wirefly.examples;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An independent client for the examples' tests: the JDK's own WebSocket client, recording what arrives. */
final class Peer implements WebSocket.Listener {
    final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    static Peer connect(String uri) throws Exception {
        return connect(uri, HttpClient.newHttpClient());
    }

    /** For wss:// to a server whose certificate {@code trust} trusts. */
    static Peer connect(String uri, javax.net.ssl.SSLContext trust) throws Exception {
        return connect(uri, HttpClient.newBuilder().sslContext(trust).build());
    }

    /** Through a client shared by many peers. */
    static Peer connect(String uri, HttpClient http) throws Exception {
        Peer p = new Peer();
        p.ws = http.newWebSocketBuilder().buildAsync(URI.create(uri), p).get(10, TimeUnit.SECONDS);
        return p;
    }

    String next() throws InterruptedException {
        String t = texts.poll(10, TimeUnit.SECONDS);
        if (t == null) {
            throw new AssertionError("no message within 10 s");
        }
        return t;
    }

    void send(String text) throws Exception {
        ws.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            texts.add(partial.toString());
            partial.setLength(0);
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
        closed.complete(code);
        return null;
    }
}
