package io.wirefly.server;

import io.wirefly.core.WebSocketConfig;
import java.time.Duration;
import java.util.concurrent.Executor;

/**
 * Settings of one route that override the server's: its protocol limits and deflate ({@link WebSocketConfig}), the
 * executor its handler runs on, and its idle and pong timeouts. What is not set is the server's. Immutable;
 * {@link Builder#build()} checks the values and names a bad one.
 *
 * <pre>{@code
 * WebSocketServer.builder()
 *     .route("/chat", chat)                                   // the server's settings
 *     .route("/upload", uploads, RouteSettings.builder()
 *         .config(WebSocketConfig.builder().maxMessageSize(64 << 20).build())
 *         .executor(diskPool)                                 // its handler may block
 *         .idleTimeout(Duration.ofMinutes(10))
 *         .build())
 *     .build();
 * }</pre>
 *
 * @param config the route's protocol settings, or null for the server's
 * @param executor where the route's handler runs, or null for the server's choice
 * @param idleTimeout silence before a ping on the route's connections (zero: never), or null for the server's
 * @param pongTimeout how long that ping waits for its pong, or null for the server's
 */
public record RouteSettings(WebSocketConfig config, Executor executor, Duration idleTimeout, Duration pongTimeout) {

    /**
     * Checks the values, as {@link Builder#build()} does.
     *
     * @param config the route's protocol settings, or null for the server's
     * @param executor where the route's handler runs, or null for the server's choice
     * @param idleTimeout silence before a ping (zero: never), or null for the server's
     * @param pongTimeout how long that ping waits for its pong, or null for the server's
     * @throws IllegalArgumentException naming a bad value
     */
    public RouteSettings {
        if (idleTimeout != null && idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must be >= 0, was " + idleTimeout);
        }
        if (pongTimeout != null && (pongTimeout.isNegative() || pongTimeout.isZero())) {
            throw new IllegalArgumentException("pongTimeout must be > 0, was " + pongTimeout);
        }
    }

    /** @return a builder that overrides nothing yet */
    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a {@link RouteSettings}. Not thread-safe. */
    public static final class Builder {
        private WebSocketConfig config;
        private Executor executor;
        private Duration idleTimeout;
        private Duration pongTimeout;

        private Builder() {
        }

        /**
         * @param config the route's limits and deflate (negotiated with this config on its connections)
         * @return this builder
         */
        public Builder config(WebSocketConfig config) {
            this.config = config;
            return this;
        }

        /**
         * @param executor where the route's handler runs (calls stay in order per connection)
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /**
         * @param timeout silence before a ping; zero for never
         * @return this builder
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long a ping waits for its pong
         * @return this builder
         */
        public Builder pongTimeout(Duration timeout) {
            this.pongTimeout = timeout;
            return this;
        }

        /**
         * @return the settings
         * @throws IllegalArgumentException naming a bad value
         */
        public RouteSettings build() {
            return new RouteSettings(config, executor, idleTimeout, pongTimeout);
        }
    }
}
