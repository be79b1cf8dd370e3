package io.wirefly.hal;

/**
 * The service-provider interface of a HAL implementation, found with {@link java.util.ServiceLoader}
 * ({@code provides io.wirefly.hal.HalProvider with ...} in a module, or a
 * {@code META-INF/services/io.wirefly.hal.HalProvider} file on the class path).
 *
 * <p>A provider must be cheap to construct and must load when its library is absent: it may not name the library's
 * types in its fields or signatures, and reports the absence through {@link #unavailableReason()} instead of a
 * {@link NoClassDefFoundError}. Implementations are thread-safe.
 *
 * <pre>{@code
 * for (HalProvider p : Hal.providers()) {
 *     System.out.println(p.name() + ": " + (p.isAvailable() ? "available" : p.unavailableReason()));
 * }
 * }</pre>
 */
public interface HalProvider {

    /**
     * The name a {@link HalConfig} selects this provider by.
     *
     * @return a short, stable name such as {@code "simulated"} or {@code "pi4j"}
     */
    String name();

    /**
     * Why this provider cannot open a HAL here, or {@code ""} when it can.
     *
     * @return a sentence a user can act on (which library or device is missing), or {@code ""}
     */
    String unavailableReason();

    /**
     * Whether {@link #open(HalConfig)} can work here.
     *
     * @return {@code true} when {@link #unavailableReason()} is empty
     */
    default boolean isAvailable() {
        return unavailableReason().isEmpty();
    }

    /**
     * Claims the config's pins and sets outputs to their initial states.
     *
     * @param config the validated pins; the provider name in it is not checked
     * @return an open HAL; the caller closes it
     * @throws HalException {@code UNAVAILABLE} when the provider is not available (with {@link #unavailableReason()}),
     *     {@code BUSY} when a pin is taken, {@code IO} or {@code CONFIG} when the driver rejects a pin
     */
    Hal open(HalConfig config);
}
