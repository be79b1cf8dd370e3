package io.wirefly.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.sim.ManualClock;
import io.wirefly.hal.sim.SimulatedHal;
import io.wirefly.hal.sim.SimulatedOutput;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LedTest {

    private static SimulatedHal hal(boolean activeLow) {
        return SimulatedHal.open(HalConfig.builder().output("led", 17, p -> p.activeLow(activeLow)).build(),
                new ManualClock());
    }

    @Test
    void activeHighLightsWhenHigh() {
        try (SimulatedHal hal = hal(false)) {
            Led led = hal.led("led");
            SimulatedOutput pin = hal.output("led");
            assertFalse(led.activeLow());
            assertFalse(led.isOn());
            assertFalse(pin.level());
            led.on();
            assertTrue(pin.level());
            assertTrue(led.isOn());
            led.off();
            assertFalse(pin.level());
        }
    }

    @Test
    void activeLowLightsWhenLow() {
        try (SimulatedHal hal = hal(true)) {
            Led led = hal.led("led");
            SimulatedOutput pin = hal.output("led");
            assertTrue(led.activeLow());
            assertTrue(pin.level(), "off = HIGH for active-low");
            assertFalse(led.isOn());
            led.on();
            assertFalse(pin.level());
            assertTrue(led.isOn());
            led.toggle();
            assertTrue(pin.level());
            assertFalse(led.isOn());
            led.set(true);
            assertTrue(led.isOn());
        }
    }

    @Test
    void listenerSeesLitStateWithTheLedsOwnWiring() {
        try (SimulatedHal hal = hal(false)) {
            List<PinEvent> seen = new ArrayList<>();
            Led inverted = Led.of(hal.output("led"), true);   // wiring declared here, not in the config
            Subscription s = inverted.onChange(seen::add);
            inverted.on();      // drives LOW: no change from the initial LOW, so no event
            inverted.off();     // HIGH
            inverted.on();      // LOW
            s.close();
            inverted.off();         // after unsubscribing: not seen
            assertEquals(List.of(true, false), seen.stream().map(PinEvent::high).toList());
            assertEquals(List.of(false, true), seen.stream().map(PinEvent::active).toList(), "active = lit");
            assertEquals("led", seen.get(0).pin());
        }
    }
}
