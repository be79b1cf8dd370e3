package io.wirefly.hal;

import java.util.Objects;

/**
 * The one exception a HAL throws: unchecked, naming the pin (when there is one) and a {@link Kind}.
 *
 * <p>The message starts with the pin, then says what and which value, for example
 * {@code "pin 'led': bcmPin must be in 0..27, was 42"} or
 * {@code "HAL provider 'pi4j' is unavailable: Pi4J is not on the class path ..."}.
 *
 * <pre>{@code
 * try {
 *     hal = Hal.open(config);
 * } catch (HalException e) {
 *     if (e.kind() != HalException.Kind.UNAVAILABLE) throw e;
 *     hal = Hal.simulated(config);      // no board here: simulate it
 * }
 * }</pre>
 */
public final class HalException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** The provider, its library or the board is missing, or the HAL is closed. */
        UNAVAILABLE,
        /** The pin is in use by someone else (another process or another I/O on the same line). */
        BUSY,
        /** The driver failed to read or write the pin. */
        IO,
        /** The configuration is invalid, or a name does not refer to a configured pin of the requested kind. */
        CONFIG
    }

    /** The pin's name, or "" for an error that concerns no single pin. */
    private final String pin;
    /** What went wrong. */
    private final Kind kind;

    /**
     * Creates an exception.
     *
     * @param pin the pin's configured name, or {@code ""} (or null) when the error concerns the whole HAL
     * @param kind what went wrong, not null
     * @param detail what happened, naming the setting and the value where there is one; the message is
     *     {@code "pin '<pin>': <detail>"}, or just the detail without a pin
     */
    public HalException(String pin, Kind kind, String detail) {
        this(pin, kind, detail, null);
    }

    /**
     * Creates an exception caused by another (typically the driver's).
     *
     * @param pin the pin's configured name, or {@code ""} (or null) when the error concerns the whole HAL
     * @param kind what went wrong, not null
     * @param detail what happened
     * @param cause the underlying exception, or null
     */
    public HalException(String pin, Kind kind, String detail, Throwable cause) {
        super(message(pin, detail), cause);
        this.pin = pin == null ? "" : pin;
        this.kind = Objects.requireNonNull(kind, "kind");
    }

    private static String message(String pin, String detail) {
        return pin == null || pin.isEmpty() ? detail : "pin '" + pin + "': " + detail;
    }

    /**
     * The pin the error is about.
     *
     * @return the pin's configured name, or {@code ""} when the error concerns the whole HAL
     */
    public String pin() {
        return pin;
    }

    /**
     * What went wrong.
     *
     * @return the kind, never null
     */
    public Kind kind() {
        return kind;
    }
}
