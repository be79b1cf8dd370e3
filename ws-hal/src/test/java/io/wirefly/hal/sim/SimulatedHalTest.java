package io.wirefly.hal.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.Hal;
import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalProvider;
import io.wirefly.hal.PinEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SimulatedHalTest {

    private static final HalConfig SHUTDOWN = HalConfig.builder()
            .output("on-to-off", 2, p -> p.initial(true).shutdown(false))
            .output("off-to-on", 3, p -> p.initial(false).shutdown(true))
            .output("low-led-on", 4, p -> p.activeLow(true).shutdown(true))
            .output("unchanged", 5, p -> p.initial(true).shutdown(true))
            .input("button", 6)
            .build();

    @Test
    void closeDrivesEveryOutputToItsShutdownStateInDeclarationOrder() {
        ManualClock clock = new ManualClock();
        SimulatedHal hal = SimulatedHal.open(SHUTDOWN, clock);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        Map<String, SimulatedOutput> outputs = new HashMap<>();   // output(name) throws after close; pins stay
        for (String name : List.of("on-to-off", "off-to-on", "low-led-on", "unchanged")) {
            outputs.put(name, hal.output(name));
            hal.output(name).onChange(e -> order.add(e.pin() + "=" + (e.high() ? "HIGH" : "LOW")));
        }
        hal.output("off-to-on").low();       // already LOW: no event
        assertFalse(hal.isClosed());
        hal.close();
        assertTrue(hal.isClosed());
        assertEquals(List.of("on-to-off=LOW", "off-to-on=HIGH", "low-led-on=LOW"), order);
        assertFalse(outputs.get("on-to-off").level());
        assertTrue(outputs.get("off-to-on").level());
        assertFalse(outputs.get("low-led-on").level(), "active-low LED left on = LOW");
        assertTrue(outputs.get("unchanged").level());
        hal.close();
        assertEquals(3, order.size(), "a second close does nothing");
    }

    @Test
    void closeOverridesWhatAProgramLeftBehind() {
        SimulatedHal hal = SimulatedHal.open(SHUTDOWN, new ManualClock());
        SimulatedOutput out = hal.output("on-to-off");
        out.low();
        out.high();
        hal.close();
        assertEquals(List.of(false, true, false), out.transitions().stream().map(PinEvent::high).toList());
    }

    @Test
    void wallClockDebounceDeliversOnTheTimerThread() throws Exception {
        HalConfig config = HalConfig.builder().input("button", 27, p -> p.debounce(Duration.ofMillis(5))).build();
        try (SimulatedHal hal = SimulatedHal.open(config)) {
            BlockingQueue<String> seen = new LinkedBlockingQueue<>();
            hal.input("button").onChange(e -> seen.add(e.active() + " on " + Thread.currentThread().getName()));
            hal.input("button").press();
            assertEquals("true on wirefly-hal-simulated-timer", seen.poll(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theProviderIsAlwaysAvailable() {
        HalProvider provider = new SimulatedHalProvider();
        assertEquals("simulated", provider.name());
        assertTrue(provider.isAvailable());
        assertEquals("", provider.unavailableReason());
        try (Hal hal = provider.open(SHUTDOWN)) {
            assertTrue(hal.output("unchanged").isHigh());
            assertTrue(hal.toString().startsWith("SimulatedHal["), hal.toString());
        }
    }
}
