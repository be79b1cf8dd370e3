package io.wirefly.server;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.UpgradeRequest;

/**
 * Decides whether an upgrade request may become a WebSocket, after the protocol checks and before the 101 is sent:
 * return to accept, throw a {@link HandshakeException} with a status to refuse. It may attach
 * {@linkplain UpgradeRequest#attributes() attributes} (the authenticated user) that the handler reads through
 * {@link io.wirefly.core.WebSocket#request()}. Any other exception it throws is logged and answered with 500. Runs
 * on the event loop: it must not block.
 *
 * <pre>{@code
 * HandshakeFilter tokenRequired = request -> {
 *     User user = users.byToken(request.queryParameter("token"));
 *     if (user == null) throw new HandshakeException(401, "token required");
 *     request.attributes().put("user", user);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface HandshakeFilter {
    /**
     * @param request the upgrade request
     * @throws HandshakeException to refuse, with the HTTP status to answer
     */
    void check(UpgradeRequest request);
}
