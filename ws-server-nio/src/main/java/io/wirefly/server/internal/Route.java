package io.wirefly.server.internal;

import io.wirefly.core.WebSocketHandler;

/**
 * What a route leads to: its handler and, when the route overrides any, its connections' settings.
 *
 * <pre>{@code
 * Route r = new Route(handler, null);   // the server's settings
 * }</pre>
 *
 * @param handler the handler
 * @param settings the route's settings (the server's merged with its overrides), or null for the server's
 */
public record Route(WebSocketHandler handler, Settings settings) {
}
