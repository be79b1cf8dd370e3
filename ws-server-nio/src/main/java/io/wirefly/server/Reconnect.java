package io.wirefly.server;

import io.wirefly.core.WebSocket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * When and how a {@link ReconnectingWebSocket} connects again: exponential backoff with jitter between attempts,
 * an optional limit on attempts, the close codes after which it stops, and how many messages it keeps while the
 * connection is down. Immutable; {@link Builder#build()} checks every value and names a bad one.
 *
 * <pre>{@code
 * Reconnect policy = Reconnect.builder()
 *     .backoff(Duration.ofMillis(200), Duration.ofSeconds(30))   // 200 ms, 400 ms, 800 ms ... at most 30 s
 *     .jitter(0.2)                                                // each delay +-20 %
 *     .resendQueue(1000)                                          // keep up to 1000 messages while down
 *     .listener(new Reconnect.Listener() {
 *         public void onReconnecting(int attempt, Duration delay, Throwable cause) { log("retry in " + delay); }
 *     })
 *     .build();
 * ReconnectingWebSocket ws = client.connect(uri, handler, policy);
 * }</pre>
 *
 * @param initialDelay the delay before the first attempt after a loss
 * @param maxDelay the longest delay
 * @param multiplier how much each delay grows over the previous one
 * @param jitter the fraction by which each delay is randomly shortened or lengthened, 0 to 1
 * @param minUptime how long a connection must stay open for the backoff to start over when it is lost; one lost
 *     sooner counts as a failed attempt, so the delays go on growing
 * @param maxAttempts how many attempts in a row before giving up; 0 for no limit
 * @param stopCodes close codes from the server after which it does not reconnect
 * @param resendQueue how many messages sent while down are kept and sent after the reconnect; 0 to fail them
 * @param listener told of each attempt, each reconnect, and giving up
 */
public record Reconnect(Duration initialDelay, Duration maxDelay, double multiplier, double jitter,
        Duration minUptime, int maxAttempts, Set<Integer> stopCodes, int resendQueue, Listener listener) {

    /** Told of the reconnecting connection's attempts. Called on the client's threads: keep it short. */
    public interface Listener {
        /**
         * The connection is down; an attempt follows after {@code delay}.
         *
         * @param attempt the attempt number since the connection was last up for at least {@code minUptime}, from 1
         * @param delay the delay before it, jitter included
         * @param cause why the previous attempt failed, or null when an open connection closed
         */
        default void onReconnecting(int attempt, Duration delay, Throwable cause) {
        }

        /**
         * A new connection is open; queued messages follow.
         *
         * @param ws the new connection
         * @param attempts how many attempts it took
         */
        default void onReconnected(WebSocket ws, int attempts) {
        }

        /**
         * No more attempts: the attempt limit was reached or the server closed with a stop code.
         *
         * @param cause the last failure, or null for a stop code
         */
        default void onGaveUp(Throwable cause) {
        }
    }

    /**
     * Checks the values, as {@link Builder#build()} does.
     *
     * @param initialDelay the delay before the first attempt after a loss
     * @param maxDelay the longest delay
     * @param multiplier how much each delay grows over the previous one
     * @param jitter the fraction by which each delay is randomly shortened or lengthened, 0 to 1
     * @param minUptime how long a connection must stay open for the backoff to start over when it is lost
     * @param maxAttempts how many attempts in a row before giving up; 0 for no limit
     * @param stopCodes close codes from the server after which it does not reconnect
     * @param resendQueue how many messages sent while down are kept; 0 to fail them
     * @param listener told of each attempt, each reconnect, and giving up
     * @throws IllegalArgumentException naming the first bad value
     */
    public Reconnect {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(minUptime, "minUptime");
        stopCodes = Set.copyOf(stopCodes);
        Objects.requireNonNull(listener, "listener");
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay must be > 0, was " + initialDelay);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay must be >= initialDelay (" + initialDelay + "), was "
                    + maxDelay);
        }
        if (!(multiplier >= 1)) {
            throw new IllegalArgumentException("multiplier must be >= 1, was " + multiplier);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
        }
        if (minUptime.isNegative()) {
            throw new IllegalArgumentException("minUptime must be >= 0, was " + minUptime);
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must be >= 0 (0: no limit), was " + maxAttempts);
        }
        if (resendQueue < 0) {
            throw new IllegalArgumentException("resendQueue must be >= 0, was " + resendQueue);
        }
    }

    /**
     * @return a builder with the defaults: 500 ms doubling to 30 s, jitter 0.2, a connection counts as up after 5 s,
     *     no limit, stop on 1000 and 1008
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @param attempt the attempt number, from 1
     * @param random a number in [0, 1)
     * @return the delay before that attempt
     */
    Duration delay(int attempt, double random) {
        double base = initialDelay.toNanos() * Math.pow(multiplier, Math.min(attempt - 1, 62));
        double capped = Math.min(base, maxDelay.toNanos());
        double jittered = capped * (1 + jitter * (2 * random - 1));
        return Duration.ofNanos(Math.max(1, (long) jittered));
    }

    /** Settings of a {@link Reconnect}. Not thread-safe. */
    public static final class Builder {
        private Duration initialDelay = Duration.ofMillis(500);
        private Duration maxDelay = Duration.ofSeconds(30);
        private double multiplier = 2;
        private double jitter = 0.2;
        private Duration minUptime = Duration.ofSeconds(5);
        private int maxAttempts;
        private Set<Integer> stopCodes = Set.of(1000, 1008);
        private int resendQueue;
        private Listener listener = new Listener() { };

        private Builder() {
        }

        /**
         * @param initial the first delay (default 500 ms)
         * @param max the longest (default 30 s)
         * @return this builder
         */
        public Builder backoff(Duration initial, Duration max) {
            this.initialDelay = initial;
            this.maxDelay = max;
            return this;
        }

        /**
         * @param multiplier growth of each delay over the previous one (default 2)
         * @return this builder
         */
        public Builder multiplier(double multiplier) {
            this.multiplier = multiplier;
            return this;
        }

        /**
         * @param fraction random spread of each delay, 0 to 1 (default 0.2: +-20 %), so that many clients cut off
         *     together do not come back together
         * @return this builder
         */
        public Builder jitter(double fraction) {
            this.jitter = fraction;
            return this;
        }

        /**
         * How long a connection must stay open before its loss starts the backoff over. A server that accepts the
         * upgrade and drops the connection at once (a crash loop, an overloaded backend) would otherwise be dialled
         * again after {@code initialDelay} every time, by every client; with this, a connection lost sooner counts
         * as one more failed attempt: the delay goes on growing, and {@code maxAttempts} applies.
         *
         * @param uptime the least time up that counts as a good connection (default 5 s; zero: any open counts)
         * @return this builder
         */
        public Builder minUptime(Duration uptime) {
            this.minUptime = uptime;
            return this;
        }

        /**
         * @param attempts attempts in a row before giving up (default 0: never give up)
         * @return this builder
         */
        public Builder maxAttempts(int attempts) {
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * @param codes close codes from the server after which there is no reconnect (default 1000 and 1008: the
         *     server meant it). A close this side starts never reconnects.
         * @return this builder
         */
        public Builder stopOn(Set<Integer> codes) {
            this.stopCodes = codes;
            return this;
        }

        /**
         * @param messages how many messages sent while the connection is down are kept and sent, in order, once it
         *     is back (default 0: such sends fail at once with {@code ClosedException})
         * @return this builder
         */
        public Builder resendQueue(int messages) {
            this.resendQueue = messages;
            return this;
        }

        /**
         * @param listener told of attempts, reconnects and giving up
         * @return this builder
         */
        public Builder listener(Listener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * @return the policy
         * @throws IllegalArgumentException naming the first bad value
         */
        public Reconnect build() {
            return new Reconnect(initialDelay, maxDelay, multiplier, jitter, minUptime, maxAttempts, stopCodes,
                    resendQueue, listener);
        }
    }
}
