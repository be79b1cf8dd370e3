package io.wirefly.hal.internal;

import io.wirefly.hal.Hal;
import io.wirefly.hal.HalException;
import io.wirefly.hal.HalProvider;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds {@link HalProvider}s with {@link ServiceLoader}: first through this module's class loader (module path:
 * the {@code uses}/{@code provides} clauses; class path: {@code META-INF/services}), then through the thread's
 * context class loader when it differs (application servers, plugin loaders). A provider that fails to load is
 * logged and skipped, so one broken jar does not hide the simulated board.
 *
 * <pre>{@code
 * HalProvider pi4j = Providers.find("pi4j");   // HalException(UNAVAILABLE) when no provider has that name
 * String why = pi4j.unavailableReason();
 * }</pre>
 */
public final class Providers {

    private static final System.Logger LOG = System.getLogger(Providers.class.getName());
    /** Bounds the iteration over a loader that keeps failing (each failure moves the iterator on). */
    private static final int MAX_PROVIDERS = 64;

    private Providers() {
    }

    /**
     * Every provider found, first of each name wins, in discovery order.
     *
     * @return the providers
     */
    public static List<HalProvider> all() {
        Map<String, HalProvider> byName = new LinkedHashMap<>();
        ClassLoader own = Hal.class.getClassLoader();
        collect(ServiceLoader.load(HalProvider.class, own), byName);
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null && context != own) {
            collect(ServiceLoader.load(HalProvider.class, context), byName);
        }
        return List.copyOf(byName.values());
    }

    /**
     * The provider of a name.
     *
     * @param name the provider's name
     * @return the provider, available or not
     * @throws HalException {@code UNAVAILABLE} naming the providers found when none has that name
     */
    public static HalProvider find(String name) {
        List<HalProvider> all = all();
        for (HalProvider p : all) {
            if (p.name().equals(name)) {
                return p;
            }
        }
        throw new HalException("", HalException.Kind.UNAVAILABLE, "no HAL provider named '" + name
                + "'; found: " + all.stream().map(HalProvider::name).collect(Collectors.joining(", ")));
    }

    private static void collect(ServiceLoader<HalProvider> loader, Map<String, HalProvider> byName) {
        Iterator<HalProvider> it = loader.iterator();
        for (int i = 0; i < MAX_PROVIDERS; i++) {
            try {
                if (!it.hasNext()) {
                    return;
                }
                HalProvider p = it.next();
                byName.putIfAbsent(p.name(), p);
            } catch (ServiceConfigurationError e) {
                LOG.log(System.Logger.Level.WARNING, "skipping a HAL provider that failed to load", e);
            }
        }
    }
}
