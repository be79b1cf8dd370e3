package io.wirefly.hal.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirefly.hal.HalException;
import io.wirefly.hal.HalProvider;
import io.wirefly.hal.pi4j.Pi4jHalProvider;
import io.wirefly.hal.sim.SimulatedHalProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProvidersTest {

    @Test
    void findsBothBuiltInProvidersByName() {
        assertInstanceOf(SimulatedHalProvider.class, Providers.find("simulated"));
        assertInstanceOf(Pi4jHalProvider.class, Providers.find("pi4j"));
    }

    @Test
    void anUnrelatedContextClassLoaderDoesNotDuplicateOrHideProviders() throws Exception {
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        try (URLClassLoader other = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
            me.setContextClassLoader(other);
            assertEquals(List.of("pi4j", "simulated"),
                    Providers.all().stream().map(HalProvider::name).sorted().toList());
        } finally {
            me.setContextClassLoader(before);
        }
    }

    @Test
    void anUnknownNameIsUnavailable() {
        HalException e = assertThrows(HalException.class, () -> Providers.find("nope"));
        assertEquals(HalException.Kind.UNAVAILABLE, e.kind());
    }
}
