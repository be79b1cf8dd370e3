package io.wirefly.hal.internal;

import io.wirefly.hal.HalException;

/** Whether a HAL is still open; shared by the HAL and its pins. *
 * <pre>{@code
 * OpenState open = new OpenState("simulated");
 * open.check("led");          // fine while open
 * open.close();
 * open.check("led");          // HalException(UNAVAILABLE): "pin 'led': the simulated HAL is closed"
 * }</pre>
 */
public final class OpenState {

    private final String provider;
    private volatile boolean closed;

    /**
     * A new, open state.
     *
     * @param provider the provider's name, for messages
     */
    public OpenState(String provider) {
        this.provider = provider;
    }

    /**
     * Marks the HAL closed.
     *
     * @return {@code true} for the first call, {@code false} when it was already closed
     */
    public synchronized boolean close() {
        if (closed) {
            return false;
        }
        closed = true;
        return true;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return {@code true} once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Fails when closed.
     *
     * @param pin the pin being used, for the message
     * @throws HalException {@code UNAVAILABLE} once closed
     */
    public void check(String pin) {
        if (closed) {
            throw new HalException(pin, HalException.Kind.UNAVAILABLE, "the " + provider + " HAL is closed");
        }
    }
}
