package io.wirefly.server.internal;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.internal.handshake.HandshakeParser;
import io.wirefly.core.internal.handshake.HandshakeRequest;
import io.wirefly.core.internal.handshake.ServerHandshake;
import io.wirefly.server.AsyncHandshakeFilter;
import io.wirefly.server.HandshakeDecision;
import io.wirefly.server.HandshakeFilter;
import io.wirefly.server.HttpHandler;
import io.wirefly.server.HttpRequest;
import io.wirefly.server.HttpResponse;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.IntSupplier;

/**
 * The server's side of the opening handshake: routes, origins, the user's filter, the connection limit and the
 * plain-HTTP hook, in that order after the protocol checks of {@link ServerHandshake}.
 *
 * @param router the routes: exact paths, templates, prefixes
 * @param subprotocols supported subprotocols in order of preference
 * @param allowedOrigins allowed {@code Origin} values (empty: any)
 * @param filter the user's check, or null
 * @param asyncFilter the user's asynchronous check, run after {@code filter}, or null
 * @param http the plain-GET hook, or null
 * @param maxConnections the most open connections
 * @param openConnections the open connections now, each by its weight (see {@code RequestView.weight})
 * @param config the protocol settings
 */
public record ServerUpgrader(Router<Route> router, List<String> subprotocols, Set<String> allowedOrigins,
        HandshakeFilter filter, AsyncHandshakeFilter asyncFilter, HttpHandler http, int maxConnections,
        IntSupplier openConnections, WebSocketConfig config) {

    private static final System.Logger LOG = System.getLogger(ServerUpgrader.class.getName());

    /** Headers the server writes itself on a plain-HTTP answer (lower case). */
    private static final Set<String> SERVER_FRAMING_HEADERS =
            Set.of("content-length", "connection", "transfer-encoding");

    /** @return the per-connection handshake state */
    Session.Handshake newHandshake() {
        return new PerConnection();
    }

    private final class PerConnection implements Session.Handshake {
        private HandshakeParser parser;

        @Override
        public void onConnected(Session session) {
            parser = session.newParser(true);
        }

        @Override
        public void onBytes(Session session, ByteBuffer in) {
            if (!parser.parse(in)) {
                return;
            }
            HandshakeRequest request = parser.request();
            parser = null;   // an open connection keeps nothing of its handshake
            Upgrade decision = decide(request, session.handle().remoteAddress(), session.handle().localAddress(),
                    session.tlsSession());
            if (decision instanceof Upgrade.Pending p) {
                // Read nothing more until the filter decides; keep what followed the head for after the 101.
                session.awaitDecision(in);
                p.decision().whenComplete((d, error) -> session.decided(() -> act(session,
                        finish(p, d, error), null)));
                return;
            }
            act(session, decision, in);
        }

        private void act(Session session, Upgrade decision, ByteBuffer in) {
            if (decision instanceof Upgrade.Accept a) {
                session.writeRaw(a.response());
                session.open(a.route().handler(), a.request(), a.deflate(), a.route().settings());
            } else {
                Upgrade.Respond r = (Upgrade.Respond) decision;
                if (in != null) {
                    in.position(in.limit());
                }
                session.respondAndClose(r.status(), r.response());
            }
        }

        @Override
        public void onMalformed(Session session, HandshakeException e) {
            parser = null;
            int status = e.httpStatus() >= 400 ? e.httpStatus() : 400;
            session.respondAndClose(status, ServerHandshake.rejection(e));
        }

        @Override
        public void onAborted(Throwable cause) {
            parser = null;   // a server has nobody to tell: the client went away or stalled
        }
    }

    /** Routes and checks one request head of a plain connection; package-private for tests. */
    Upgrade decide(HandshakeRequest request, InetSocketAddress remote, InetSocketAddress local) {
        return decide(request, remote, local, null);
    }

    /** Routes and checks one request head; {@code tls} is the connection's TLS session, or null. */
    Upgrade decide(HandshakeRequest request, InetSocketAddress remote, InetSocketAddress local,
            javax.net.ssl.SSLSession tls) {
        try {
            Router.Match<Route> route = router.match(request.path());
            // Only an upgrade to WebSocket is ours; anything else (no Upgrade, or h2c) is plain HTTP/1.1.
            if (!request.headers().containsToken("Upgrade", "websocket")) {
                return plainHttp(request, view(request, remote), route != null);
            }
            if (route == null) {
                ServerHandshake.accept(request, subprotocols, config);   // a protocol error first, as before
                throw new HandshakeException(404, "no WebSocket route for " + request.path());
            }
            Settings own = route.value().settings();
            ServerHandshake.Result result = ServerHandshake.accept(request, subprotocols,
                    own != null ? own.config() : config);
            String origin = request.headers().get("Origin");
            if (!allowedOrigins.isEmpty() && origin != null && !allowedOrigins.contains(origin)) {
                throw new HandshakeException(403, "origin not allowed: " + origin);
            }
            RequestView view = RequestView.of(request, route.path(), remote, local);
            view.tls(tls);
            view.pathParameters(route.parameters());
            view.negotiated(result.subprotocol(),
                    result.deflate() == null ? List.of() : List.of(result.deflate().responseHeader()));
            if (filter != null) {
                try {
                    filter.check(view);
                } catch (HandshakeException refused) {
                    throw refused;
                } catch (RuntimeException bug) {
                    LOG.log(System.Logger.Level.WARNING, "the handshake filter threw on " + view, bug);
                    throw new HandshakeException(500, "internal error");
                }
            }
            if (asyncFilter != null) {
                CompletionStage<HandshakeDecision> stage;
                try {
                    stage = asyncFilter.check(view);
                } catch (HandshakeException refused) {
                    throw refused;
                } catch (RuntimeException bug) {
                    LOG.log(System.Logger.Level.WARNING, "the asynchronous handshake filter threw on " + view, bug);
                    throw new HandshakeException(500, "internal error");
                }
                if (stage == null) {
                    LOG.log(System.Logger.Level.WARNING, "the asynchronous handshake filter returned null on " + view);
                    throw new HandshakeException(500, "internal error");
                }
                return new Upgrade.Pending(stage, route.value(), view, result);
            }
            return accept(route.value(), view, result, List.of());
        } catch (HandshakeException e) {
            return refuse(e);
        }
    }

    /** The checks after the filters: the connection limit, then the 101 with any headers the filter added. */
    private Upgrade accept(Route route, RequestView view, ServerHandshake.Result result,
            List<Map.Entry<String, String>> headers) {
        if (maxConnections != Integer.MAX_VALUE && openConnections.getAsInt() + view.weight() > maxConnections) {
            return refuse(new HandshakeException(503, "the server is at its connection limit"));
        }
        ByteBuffer response = result.response();
        if (!headers.isEmpty()) {
            String head = StandardCharsets.ISO_8859_1.decode(response.duplicate()).toString();
            StringBuilder sb = new StringBuilder(head.substring(0, head.length() - 2));   // without the last CRLF
            headers.forEach(h -> sb.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n"));
            response = ByteBuffer.wrap(sb.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
        }
        return new Upgrade.Accept(route, view, result.deflate(), response);
    }

    private static Upgrade.Respond refuse(HandshakeException e) {
        return new Upgrade.Respond(e.httpStatus() == 0 ? 400 : e.httpStatus(), ServerHandshake.rejection(e));
    }

    /** What an asynchronous filter's outcome means, on the loop once it arrived. */
    private Upgrade finish(Upgrade.Pending p, HandshakeDecision d, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (cause instanceof HandshakeException refused) {
            return refuse(refused);
        }
        if (cause != null || d == null) {
            LOG.log(System.Logger.Level.WARNING, "the asynchronous handshake filter failed on " + p.request(), cause);
            return refuse(new HandshakeException(500, "internal error"));
        }
        if (!d.accepted()) {
            Map<String, String> headers = new LinkedHashMap<>();
            d.headers().forEach(h -> headers.put(h.getKey(), h.getValue()));
            return refuse(new HandshakeException(d.status(), "refused by the filter", headers, d.body()));
        }
        return accept(p.route(), p.request(), p.result(), d.headers());
    }

    private Upgrade plainHttp(HandshakeRequest request, HttpRequest view, boolean isRoute) {
        if (!"GET".equals(request.method()) && !"HEAD".equals(request.method())) {
            HandshakeException e = new HandshakeException(405, "method not allowed", Map.of("Allow", "GET"));
            return new Upgrade.Respond(405, ServerHandshake.rejection(e));
        }
        HttpResponse response = http == null ? null : http.handle(view);
        if (response == null) {
            HandshakeException e = isRoute
                    ? new HandshakeException(426, "this path takes WebSocket upgrades only",
                            Map.of("Sec-WebSocket-Version", "13", "Upgrade", "websocket"))
                    : new HandshakeException(404, "not found: " + request.path());
            return new Upgrade.Respond(e.httpStatus(), ServerHandshake.rejection(e));
        }
        return new Upgrade.Respond(response.status(), render(response, "HEAD".equals(request.method())));
    }

    private static ByteBuffer render(HttpResponse response, boolean headOnly) {
        byte[] body = response.body();
        StringBuilder head = new StringBuilder(128);
        head.append("HTTP/1.1 ").append(response.status()).append(' ').append(reason(response.status())).append("\r\n");
        response.headers().forEach((k, v) -> {
            // the framing headers are the server's own: a second Content-Length would make the response invalid
            if (!SERVER_FRAMING_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
                head.append(k).append(": ").append(v).append("\r\n");
            }
        });
        head.append("Content-Length: ").append(body.length).append("\r\n");
        head.append("Connection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(h.length + (headOnly ? 0 : body.length));
        out.put(h);
        if (!headOnly) {
            out.put(body);
        }
        return out.flip();
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            default -> "Status";
        };
    }

    private static HttpRequest view(HandshakeRequest request, InetSocketAddress remote) {
        return new HttpRequest(request.method(), request.path(), request.query(), RequestView.headerMap(request),
                remote);
    }
}
