package io.wirefly.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class HalConfigTest {

    private static HalException invalid(Consumer<HalConfig.Builder> pins) {
        HalConfig.Builder b = HalConfig.builder();
        pins.accept(b);
        HalException e = assertThrows(HalException.class, b::build);
        assertEquals(HalException.Kind.CONFIG, e.kind());
        return e;
    }

    @Test
    void defaultsAreSimulatedActiveHighOffAndNoDebounce() {
        HalConfig config = HalConfig.builder().output("led", 17).input("button", 27).build();
        assertEquals("simulated", config.provider());
        PinConfig led = config.pin("led").orElseThrow();
        assertEquals(new PinConfig("led", PinConfig.Mode.OUTPUT, 17, false, false, false, Duration.ZERO, Pull.NONE),
                led);
        PinConfig button = config.pin("button").orElseThrow();
        assertEquals(PinConfig.Mode.INPUT, button.mode());
        assertEquals(Pull.NONE, button.pull());
        assertEquals(Duration.ZERO, button.debounce());
        assertTrue(config.pin("nope").isEmpty());
    }

    @Test
    void keepsEverySettingAndTheDeclarationOrder() {
        HalConfig config = HalConfig.builder()
                .provider("pi4j")
                .output("b", 5, p -> p.activeLow(true).initial(true).shutdown(true))
                .input("a", 6, p -> p.activeLow(true).pull(Pull.UP).debounce(Duration.ofMillis(20)))
                .output("c", 0)
                .build();
        assertEquals("pi4j", config.provider());
        assertEquals(List.of("b", "a", "c"), config.pins().stream().map(PinConfig::name).toList());
        assertEquals(new PinConfig("b", PinConfig.Mode.OUTPUT, 5, true, true, true, Duration.ZERO, Pull.NONE),
                config.pins().get(0));
        assertEquals(new PinConfig("a", PinConfig.Mode.INPUT, 6, true, false, false, Duration.ofMillis(20), Pull.UP),
                config.pins().get(1));
    }

    @Test
    void levelForMapsLogicalThroughActiveLow() {
        PinConfig high = HalConfig.builder().output("x", 1).build().pin("x").orElseThrow();
        PinConfig low = HalConfig.builder().output("x", 1, p -> p.activeLow(true)).build().pin("x").orElseThrow();
        assertTrue(high.levelFor(true));
        assertFalse(high.levelFor(false));
        assertFalse(low.levelFor(true));
        assertTrue(low.levelFor(false));
    }

    @Test
    void bcmPinOutOfRangeNamesPinAndValue() {
        HalException e = invalid(b -> b.output("led", 42));
        assertEquals("led", e.pin());
        assertEquals("pin 'led': bcmPin must be in 0..27, was 42", e.getMessage());
        assertEquals("pin 'neg': bcmPin must be in 0..27, was -1", invalid(b -> b.input("neg", -1)).getMessage());
        HalConfig.builder().output("lo", 0).output("hi", 27).build();
    }

    @Test
    void duplicateNameIsRejected() {
        HalException e = invalid(b -> b.output("led", 17).input("led", 18));
        assertEquals("pin 'led': duplicate pin name 'led'", e.getMessage());
    }

    @Test
    void duplicateBcmPinNamesBothPins() {
        HalException e = invalid(b -> b.output("led", 17).input("button", 17));
        assertEquals("button", e.pin());
        assertEquals("pin 'button': bcmPin 17 is already used by pin 'led'", e.getMessage());
    }

    @Test
    void badNamesAreRejected() {
        assertEquals("pin 'led 1': pin name must be a letter followed by at most 63 letters, digits, '_', '-' or '.',"
                + " was 'led 1'", invalid(b -> b.output("led 1", 17)).getMessage());
        assertTrue(invalid(b -> b.output("", 17)).getMessage().endsWith("was ''"));
        assertTrue(invalid(b -> b.output(null, 17)).getMessage().endsWith("was null"));
        assertTrue(invalid(b -> b.output("1led", 17)).getMessage().endsWith("was '1led'"));
        invalid(b -> b.output("x".repeat(65), 17));
        HalConfig.builder().output("x".repeat(64), 17).output("Red_led-2.a", 18).build();
    }

    @Test
    void debounceMustBeNonNegativeAndBounded() {
        assertEquals("pin 'button': debounce must be >= 0, was PT-0.001S",
                invalid(b -> b.input("button", 27, p -> p.debounce(Duration.ofMillis(-1)))).getMessage());
        assertEquals("pin 'button': debounce must be <= PT10S, was PT11S",
                invalid(b -> b.input("button", 27, p -> p.debounce(Duration.ofSeconds(11)))).getMessage());
        HalConfig.builder().input("button", 27, p -> p.debounce(PinConfig.MAX_DEBOUNCE)).build();
    }

    @Test
    void settingsOfTheOtherModeAreRejected() {
        assertEquals("pin 'led': debounce applies to inputs only, was PT0.02S",
                invalid(b -> b.output("led", 17, p -> p.debounce(Duration.ofMillis(20)))).getMessage());
        assertEquals("pin 'led': pull applies to inputs only, was UP",
                invalid(b -> b.output("led", 17, p -> p.pull(Pull.UP))).getMessage());
        assertEquals("pin 'button': initial applies to outputs only, was true",
                invalid(b -> b.input("button", 27, p -> p.initial(true))).getMessage());
        assertEquals("pin 'button': shutdown applies to outputs only, was false",
                invalid(b -> b.input("button", 27, p -> p.shutdown(false))).getMessage());
    }

    @Test
    void blankProviderIsRejected() {
        HalException e = invalid(b -> b.provider(" "));
        assertEquals("", e.pin());
        assertEquals("provider must not be blank, was ' '", e.getMessage());
        HalConfig config = HalConfig.builder().output("led", 17).build();
        assertThrows(HalException.class, () -> config.withProvider(null));
        assertEquals("pi4j", config.withProvider("pi4j").provider());
        assertEquals(config.pins(), config.withProvider("pi4j").pins());
    }

    @Test
    void configsWithTheSameProviderAndPinsAreEqual() {
        HalConfig a = HalConfig.builder().output("led", 17).input("button", 27).build();
        HalConfig b = HalConfig.builder().output("led", 17).input("button", 27).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertFalse(a.equals(a.withProvider("pi4j")));
        assertFalse(a.equals(HalConfig.builder().input("button", 27).output("led", 17).build()), "order matters");
    }

    @Test
    void builderIsReusableAndEachBuildIsACopy() {
        HalConfig.Builder b = HalConfig.builder().output("led", 17);
        HalConfig first = b.build();
        b.output("fan", 18);
        assertEquals(1, first.pins().size());
        assertEquals(2, b.build().pins().size());
        assertThrows(UnsupportedOperationException.class, () -> first.pins().add(first.pins().get(0)));
    }
}
