package io.wirefly.server.internal;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.internal.handshake.ClientHandshake;
import io.wirefly.core.internal.handshake.HandshakeParser;
import java.net.URI;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** The client's side of the opening handshake for one connection; completes the future of {@code connect}. */
final class ClientUpgrader implements Session.Handshake {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ClientHandshake handshake;
    private final WebSocketHandler handler;
    private final String path;
    private final String query;
    private final Map<String, List<String>> sentHeaders;
    private final CompletableFuture<WebSocket> result;
    private HandshakeParser parser;

    ClientUpgrader(URI uri, List<String> subprotocols, Map<String, String> headers, WebSocketConfig config,
            WebSocketHandler handler, CompletableFuture<WebSocket> result) {
        this.handshake = new ClientHandshake(uri, subprotocols, headers, config, RANDOM);
        this.handler = handler;
        this.path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        this.query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        Map<String, List<String>> sent = new java.util.LinkedHashMap<>();
        headers.forEach((k, v) -> sent.put(k.toLowerCase(java.util.Locale.ROOT), List.of(v)));
        this.sentHeaders = java.util.Collections.unmodifiableMap(sent);
        this.result = result;
    }

    @Override
    public void onConnected(Session session) {
        parser = session.newParser(false);
        session.writeRaw(handshake.request());
    }

    @Override
    public void onBytes(Session session, ByteBuffer in) {
        if (!parser.parse(in)) {
            return;
        }
        ClientHandshake.Result accepted = handshake.verify(parser.response());
        parser = null;
        RequestView request = new RequestView(path, query, sentHeaders, session.handle().remoteAddress(),
                session.handle().localAddress());
        request.tls(session.tlsSession());
        request.negotiated(accepted.subprotocol(),
                accepted.deflate() == null ? List.of() : List.of(accepted.deflate().responseHeader()));
        session.open(handler, request, accepted.deflate());
        result.complete(session.handle());
    }

    @Override
    public void onMalformed(Session session, HandshakeException cause) {
        session.terminate(cause);
    }

    @Override
    public void onAborted(Throwable cause) {
        parser = null;
        result.completeExceptionally(cause);
    }
}
