package io.wirefly.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.sim.SimulatedHal;
import java.util.List;
import org.junit.jupiter.api.Test;

class HalTest {

    private static final HalConfig CONFIG = HalConfig.builder()
            .output("led", 17, p -> p.activeLow(true))
            .input("button", 27)
            .build();

    @Test
    void openFindsTheSimulatedProviderThroughServiceLoader() {
        try (Hal hal = Hal.open(CONFIG)) {
            assertInstanceOf(SimulatedHal.class, hal);
            assertEquals("simulated", hal.provider());
            assertEquals(CONFIG, hal.config());
            hal.led("led").on();
            assertFalse(hal.output("led").isHigh(), "active-low LED lit = LOW");
            assertFalse(hal.input("button").isActive());
        }
    }

    @Test
    void providersListsSimulatedAndPi4jOnce() {
        List<String> names = Hal.providers().stream().map(HalProvider::name).toList();
        assertEquals(List.of("pi4j", "simulated"), names.stream().sorted().toList());
        assertTrue(Hal.providers().stream().filter(p -> p.name().equals("simulated")).findFirst().orElseThrow()
                .isAvailable());
    }

    @Test
    void unknownProviderIsUnavailableAndListsWhatExists() {
        HalException e = assertThrows(HalException.class, () -> Hal.open(CONFIG.withProvider("gpio-magic")));
        assertEquals(HalException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().startsWith("no HAL provider named 'gpio-magic'; found: "), e.getMessage());
        assertTrue(e.getMessage().contains("simulated") && e.getMessage().contains("pi4j"), e.getMessage());
    }

    @Test
    void pi4jWithoutABoardIsUnavailableWithTheReason() {
        // The build machine has Pi4J on the test class path but is no Raspberry Pi.
        HalException e = assertThrows(HalException.class, () -> Hal.open(CONFIG.withProvider("pi4j")));
        assertEquals(HalException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().startsWith("HAL provider 'pi4j' is unavailable: no Raspberry Pi detected"),
                e.getMessage());
    }

    @Test
    void simulatedIgnoresTheConfiguredProvider() {
        try (Hal hal = Hal.simulated(CONFIG.withProvider("pi4j"))) {
            assertEquals("simulated", hal.provider());
        }
    }

    @Test
    void wrongNamesAreConfigErrorsThatSayWhatExists() {
        try (Hal hal = Hal.simulated(CONFIG)) {
            HalException noSuch = assertThrows(HalException.class, () -> hal.output("fan"));
            assertEquals(HalException.Kind.CONFIG, noSuch.kind());
            assertEquals("pin 'fan': no output of that name; outputs: [led]", noSuch.getMessage());
            HalException wrongMode = assertThrows(HalException.class, () -> hal.input("led"));
            assertEquals("pin 'led': is configured as an output, not an input", wrongMode.getMessage());
            assertEquals("pin 'button': is configured as an input, not an output",
                    assertThrows(HalException.class, () -> hal.led("button")).getMessage());
        }
    }

    @Test
    void afterCloseEveryCallIsUnavailable() {
        Hal hal = Hal.simulated(CONFIG);
        StatefulOutput led = hal.output("led");
        DigitalInput button = hal.input("button");
        hal.close();
        hal.close();   // idempotent
        for (Runnable call : List.<Runnable>of(() -> hal.output("led"), () -> hal.input("button"),
                () -> led.set(true), led::toggle, led::isHigh, button::isHigh)) {
            HalException e = assertThrows(HalException.class, call::run);
            assertEquals(HalException.Kind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().endsWith("the simulated HAL is closed"), e.getMessage());
        }
    }
}
