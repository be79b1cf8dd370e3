package io.wirefly.hal.pi4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import io.wirefly.hal.DigitalInput;
import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalException;
import io.wirefly.hal.Led;
import io.wirefly.hal.PinEvent;
import io.wirefly.hal.Pull;
import io.wirefly.hal.StatefulOutput;
import io.wirefly.hal.internal.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Pi4jHal against Pi4J's own mock plugin: every state is read back through Pi4J, not through our objects. */
class Pi4jHalTest {

    private Context pi4j;

    @BeforeEach
    void mockBoard() {
        pi4j = Pi4J.newContextBuilder()
                .add(new MockPlatform())
                .add(MockDigitalOutputProvider.newInstance(), MockDigitalInputProvider.newInstance())
                .build();
    }

    @AfterEach
    void shutdown() {
        pi4j.shutdown();
    }

    private DigitalOutput pi4jOutput(String id) {
        return pi4j.io(id);
    }

    private MockDigitalInput pi4jInput(String id) {
        return pi4j.io(id);
    }

    @Test
    void anActiveHighLedIsSwitchedAndReadBackThroughPi4j() {
        HalConfig config = HalConfig.builder().output("led", 17).build();
        try (Pi4jHal hal = Pi4jHal.open(config, pi4j)) {
            assertEquals("pi4j", hal.provider());
            DigitalOutput pin = pi4jOutput("led");
            assertEquals(17, pin.address().intValue());
            assertEquals("mock-digital-output", pin.provider().id());
            assertEquals(DigitalState.LOW, pin.state(), "initial: off");
            Led led = hal.led("led");
            led.on();
            assertEquals(DigitalState.HIGH, pin.state());
            assertTrue(led.isOn());
            led.toggle();
            assertEquals(DigitalState.LOW, pin.state());
            assertFalse(hal.output("led").isHigh());
        }
    }

    @Test
    void activeLowWiringIsHonoured() {
        HalConfig config = HalConfig.builder().output("led", 17, p -> p.activeLow(true).initial(true)).build();
        try (Pi4jHal hal = Pi4jHal.open(config, pi4j)) {
            DigitalOutput pin = pi4jOutput("led");
            assertEquals(DigitalState.LOW, pin.state(), "initially on, active-low: LOW");
            Led led = hal.led("led");
            assertTrue(led.isOn());
            led.off();
            assertEquals(DigitalState.HIGH, pin.state());
            led.on();
            assertEquals(DigitalState.LOW, pin.state());
        }
    }

    @Test
    void outputChangesReachListenersInOrderWithTheLogicalState() {
        HalConfig config = HalConfig.builder().output("led", 17, p -> p.activeLow(true)).build();
        try (Pi4jHal hal = Pi4jHal.open(config, pi4j)) {
            List<PinEvent> seen = new ArrayList<>();
            StatefulOutput out = hal.output("led");
            out.onChange(seen::add);
            hal.led("led").on();
            hal.led("led").on();        // no change, no event
            out.toggle();
            assertEquals(List.of(false, true), seen.stream().map(PinEvent::high).toList());
            assertEquals(List.of(true, false), seen.stream().map(PinEvent::active).toList());
        }
    }

    @Test
    void aMockButtonPressReachesOurListener() {
        HalConfig config = HalConfig.builder().input("button", 27, p -> p.pull(Pull.UP).activeLow(true)).build();
        try (Pi4jHal hal = Pi4jHal.open(config, pi4j)) {
            MockDigitalInput pin = pi4jInput("button");
            assertEquals(PullResistance.PULL_UP, pin.pull());
            assertEquals(27, pin.address().intValue());
            pin.mockState(DigitalState.HIGH);   // released (pull-up)
            List<PinEvent> seen = new ArrayList<>();
            DigitalInput button = hal.input("button");
            button.onChange(seen::add);
            assertFalse(button.isActive());
            pin.mockState(DigitalState.LOW);    // pressed: pulls the line to GND
            assertTrue(button.isActive());
            assertFalse(button.isHigh());
            pin.mockState(DigitalState.HIGH);
            assertEquals(List.of(false, true), seen.stream().map(PinEvent::high).toList());
            assertEquals(List.of(true, false), seen.stream().map(PinEvent::active).toList());
            assertEquals("button", seen.get(0).pin());
        }
    }

    @Test
    void aDebouncedMockButtonReportsOnlyTheSettledLevel() {
        HalConfig config = HalConfig.builder().input("button", 27, p -> p.debounce(Duration.ofMillis(30))).build();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        Instant[] now = {t0};
        List<Runnable> due = new ArrayList<>();      // every check falls due after the same 30 ms
        Timer manual = Timer.of(() -> now[0], (delay, task) -> due.add(task));
        try (Pi4jHal hal = Pi4jHal.open(config, pi4j, manual)) {
            MockDigitalInput pin = pi4jInput("button");
            List<PinEvent> seen = new ArrayList<>();
            hal.input("button").onChange(seen::add);
            for (int i = 0; i < 5; i++) {             // contact bounce
                pin.mockState(DigitalState.HIGH);
                pin.mockState(DigitalState.LOW);
            }
            now[0] = t0.plusMillis(2);
            pin.mockState(DigitalState.HIGH);          // settles HIGH at t0 + 2 ms
            assertEquals(11, due.size());
            assertEquals(List.of(), seen, "nothing before the debounce time");
            now[0] = t0.plusMillis(32);
            due.forEach(Runnable::run);                // only the last check is current
            assertEquals(List.of(new PinEvent("button", true, true, t0.plusMillis(2))), seen);
        }
    }

    @Test
    void closeDrivesShutdownStatesAndReleasesTheIosButNotTheCallersContext() {
        HalConfig config = HalConfig.builder()
                .output("led", 17, p -> p.initial(true).shutdown(false))
                .output("low-led", 22, p -> p.activeLow(true).shutdown(true))
                .input("button", 27)
                .build();
        Pi4jHal hal = Pi4jHal.open(config, pi4j);
        DigitalOutput led = pi4jOutput("led");
        DigitalOutput lowLed = pi4jOutput("low-led");
        assertEquals(DigitalState.HIGH, led.state());
        assertEquals(DigitalState.HIGH, lowLed.state());
        hal.close();
        hal.close();
        assertEquals(DigitalState.LOW, led.state());
        assertEquals(DigitalState.LOW, lowLed.state(), "active-low LED left on");
        for (String id : List.of("led", "low-led", "button")) {
            assertFalse(pi4j.registry().exists(id), id + " released");
        }
        assertFalse(pi4j.isShutdown());
        HalException e = assertThrows(HalException.class, () -> hal.output("led"));
        assertEquals(HalException.Kind.UNAVAILABLE, e.kind());
        assertTrue(e.getMessage().endsWith("the pi4j HAL is closed"), e.getMessage());
        // The pins are free again: a new HAL can claim them.
        Pi4jHal.open(config, pi4j).close();
    }

    @Test
    void aTakenIoIdIsBusyAndTheHalReleasesWhatItAlreadyClaimed() {
        pi4j.create(DigitalOutput.newConfigBuilder(pi4j).id("fan").address(18).provider("mock-digital-output")
                .build());
        HalConfig config = HalConfig.builder().output("led", 17).output("fan", 18).build();
        HalException e = assertThrows(HalException.class, () -> Pi4jHal.open(config, pi4j));
        assertEquals(HalException.Kind.BUSY, e.kind());
        assertEquals("fan", e.pin());
        assertTrue(e.getMessage().startsWith("pin 'fan': creating output on BCM 18 with mock-digital-output failed"),
                e.getMessage());
        assertFalse(pi4j.registry().exists("led"), "the pin created before the failure was released");
    }

    @Test
    void aContextWithoutDigitalProvidersIsUnavailable() {
        Context empty = Pi4J.newContextBuilder().build();
        try {
            HalException e = assertThrows(HalException.class,
                    () -> Pi4jHal.open(HalConfig.builder().output("led", 17).build(), empty));
            assertEquals(HalException.Kind.UNAVAILABLE, e.kind());
            assertTrue(e.getMessage().startsWith("the Pi4J context has no digital-output provider that drives pins"
                    + " (looked for gpiod-digital-output, linuxfs-digital-output, pigpio-digital-output,"
                    + " mock-digital-output)"), e.getMessage());
            // Inputs only: no output provider is needed.
            HalException in = assertThrows(HalException.class,
                    () -> Pi4jHal.open(HalConfig.builder().input("button", 27).build(), empty));
            assertTrue(in.getMessage().contains("no digital-input provider"), in.getMessage());
        } finally {
            empty.shutdown();
        }
    }

    @Test
    void wrongNamesAreConfigErrors() {
        try (Pi4jHal hal = Pi4jHal.open(HalConfig.builder().output("led", 17).build(), pi4j)) {
            HalException e = assertThrows(HalException.class, () -> hal.input("led"));
            assertEquals(HalException.Kind.CONFIG, e.kind());
            assertInstanceOf(StatefulOutput.class, hal.output("led"));
        }
    }
}
