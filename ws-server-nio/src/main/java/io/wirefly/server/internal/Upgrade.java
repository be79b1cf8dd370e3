package io.wirefly.server.internal;

import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.internal.deflate.DeflateParams;
import java.nio.ByteBuffer;

/** What the server decided about a request head: upgrade to a WebSocket, or answer over HTTP and close. */
sealed interface Upgrade {

    /**
     * Switch protocols.
     *
     * @param route the route's handler and settings
     * @param request the request, with its path parameters and what was negotiated
     * @param deflate negotiated permessage-deflate, or null
     * @param response the 101 response
     */
    record Accept(Route route, RequestView request, DeflateParams deflate,
            ByteBuffer response) implements Upgrade {

        /** @return the route's handler */
        WebSocketHandler handler() {
            return route.handler();
        }
    }

    /**
     * Wait for an asynchronous filter, then accept or answer.
     *
     * @param decision the filter's stage
     * @param route the route
     * @param request the request
     * @param result the negotiated handshake, whose response goes out on an accept
     */
    record Pending(java.util.concurrent.CompletionStage<io.wirefly.server.HandshakeDecision> decision,
            Route route, RequestView request,
            io.wirefly.core.internal.handshake.ServerHandshake.Result result) implements Upgrade {
    }

    /**
     * Answer and close.
     *
     * @param status the HTTP status, for metrics
     * @param response the response bytes
     */
    record Respond(int status, ByteBuffer response) implements Upgrade {
    }
}
