package io.wirefly.server;

import io.wirefly.core.UpgradeRequest;
import java.util.concurrent.CompletionStage;

/**
 * Decides about an upgrade request without blocking the event loop: it returns at once with a stage that completes
 * later (a token checked against a database or an identity service, say). Until it completes, the connection reads
 * nothing more (bytes the client already sent after its request are kept for after the 101); the handshake timeout
 * still runs, so a decision that never comes closes the connection. A stage that fails, or a filter that throws,
 * is answered with 500 and logged; a {@link io.wirefly.core.HandshakeException} thrown or failed with keeps its
 * status. Runs after the protocol checks, the route and the origin check, and after a synchronous
 * {@link HandshakeFilter} if both are set. Like the synchronous filter it may put
 * {@linkplain UpgradeRequest#attributes() attributes} for the handler.
 *
 * <pre>{@code
 * AsyncHandshakeFilter auth = request -> sessions.lookup(request.cookies().get("sid"))   // CompletionStage<User>
 *     .thenApply(user -> {
 *         if (user == null) return HandshakeDecision.reject(401, "log in first\n");
 *         request.attributes().put("user", user);
 *         return HandshakeDecision.accept().header("Set-Cookie", "seen=1; HttpOnly");
 *     });
 * }</pre>
 */
@FunctionalInterface
public interface AsyncHandshakeFilter {
    /**
     * @param request the upgrade request
     * @return the decision, now or later
     */
    CompletionStage<HandshakeDecision> check(UpgradeRequest request);
}
