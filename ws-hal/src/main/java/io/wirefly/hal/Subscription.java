package io.wirefly.hal;

/**
 * A registered listener; {@link #close()} removes it. An {@link AutoCloseable} whose {@code close} throws nothing,
 * so it fits try-with-resources without a catch.
 *
 * <pre>{@code
 * try (Subscription s = hal.input("button").onChange(e -> pressed.countDown())) {
 *     pressed.await();
 * }
 * }</pre>
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {

    /**
     * Stops deliveries to the listener. Idempotent. A delivery already under way on another thread may complete.
     */
    @Override
    void close();
}
