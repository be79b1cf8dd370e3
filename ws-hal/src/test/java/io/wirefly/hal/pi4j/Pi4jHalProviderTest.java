package io.wirefly.hal.pi4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalException;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pi4jHalProviderTest {

    @TempDir
    Path dir;

    private final ClassLoader withPi4j = Pi4jHalProviderTest.class.getClassLoader();

    private Path model(String text) throws IOException {
        return Files.write(dir.resolve("model"), (text + "\0").getBytes(StandardCharsets.US_ASCII));
    }

    private Path chip() throws IOException {
        return Files.createFile(dir.resolve("gpiochip0"));
    }

    @Test
    void withoutPi4jClassesItIsUnavailableAndSaysWhatToAdd() throws IOException {
        try (URLClassLoader noPi4j = new URLClassLoader(new URL[0], ClassLoader.getPlatformClassLoader())) {
            Pi4jHalProvider provider = new Pi4jHalProvider(noPi4j, model("Raspberry Pi 5 Model B Rev 1.0"), chip());
            assertFalse(provider.isAvailable());
            assertTrue(provider.unavailableReason().startsWith("Pi4J is not on the class path"),
                    provider.unavailableReason());
            assertTrue(provider.unavailableReason().contains("com.pi4j:pi4j-core"), provider.unavailableReason());
            HalException e = assertThrows(HalException.class,
                    () -> provider.open(HalConfig.builder().output("led", 17).build()));
            assertEquals(HalException.Kind.UNAVAILABLE, e.kind());
            assertEquals("HAL provider 'pi4j' is unavailable: " + provider.unavailableReason(), e.getMessage());
        }
    }

    @Test
    void withoutABoardModelItIsUnavailable() {
        Path missing = dir.resolve("none");
        Pi4jHalProvider provider = new Pi4jHalProvider(withPi4j, missing, missing);
        assertEquals("no Raspberry Pi detected: " + missing + " is missing", provider.unavailableReason());
    }

    @Test
    void anotherBoardIsNotARaspberryPi() throws IOException {
        Path model = model("Orange Pi 5");
        Pi4jHalProvider provider = new Pi4jHalProvider(withPi4j, model, chip());
        assertEquals("no Raspberry Pi detected: " + model + " says 'Orange Pi 5'", provider.unavailableReason());
    }

    @Test
    void aPiWithoutTheGpioCharacterDeviceIsUnavailable() throws IOException {
        Path chip = dir.resolve("gpiochip0");
        Pi4jHalProvider provider = new Pi4jHalProvider(withPi4j, model("Raspberry Pi 4 Model B Rev 1.4"), chip);
        assertEquals("no GPIO character device " + chip + " on this Raspberry Pi 4 Model B Rev 1.4",
                provider.unavailableReason());
    }

    @Test
    void aPiWithPi4jAndTheDeviceIsAvailable() throws IOException {
        Pi4jHalProvider provider = new Pi4jHalProvider(withPi4j, model("Raspberry Pi 4 Model B Rev 1.4"), chip());
        assertEquals("pi4j", provider.name());
        assertEquals("", provider.unavailableReason());
        assertTrue(provider.isAvailable());
    }
}
