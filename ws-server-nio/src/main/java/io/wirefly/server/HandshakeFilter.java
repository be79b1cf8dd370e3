package io.wirefly.server;

import io.wirefly.core.HandshakeException;

/**
 * Decides whether an upgrade request may become a WebSocket, after the protocol checks and before the 101 is sent:
 * return to accept, throw a {@link HandshakeException} with a status to refuse. Runs on the event loop: it must not
 * block.
 *
 * <pre>{@code
 * HandshakeFilter tokenRequired = request -> {
 *     if (!request.query().contains("token=letmein")) throw new HandshakeException(401, "token required");
 * };
 * }</pre>
 */
@FunctionalInterface
public interface HandshakeFilter {
    /**
     * @param request the upgrade request
     * @throws HandshakeException to refuse, with the HTTP status to answer
     */
    void check(HttpRequest request);
}
