package io.wirefly.hal.it;

import io.wirefly.hal.Hal;
import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalException;
import io.wirefly.hal.HalProvider;
import io.wirefly.hal.Led;

/**
 * A user program that depends on ws-hal without Pi4J: run by {@link NoPi4jIT} in a child JVM whose class (or module)
 * path holds only ws-hal and this class. Prints one line per fact; exits 0.
 */
public final class NoPi4jMain {

    private NoPi4jMain() {
    }

    /**
     * Runs the checks.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try {
            Class.forName("com.pi4j.Pi4J");
            System.out.println("pi4j-visible: yes");
        } catch (ClassNotFoundException expected) {
            System.out.println("pi4j-visible: no");
        }
        System.out.println("module: " + Hal.class.getModule().getName());
        for (HalProvider p : Hal.providers()) {
            System.out.println("provider " + p.name() + ": " + (p.isAvailable() ? "available" : "unavailable"));
        }
        HalConfig config = HalConfig.builder().output("led", 17, pin -> pin.activeLow(true)).build();
        try (Hal hal = Hal.open(config)) {
            Led led = hal.led("led");
            led.on();
            System.out.println("simulated: provider=" + hal.provider() + " lit=" + led.isOn()
                    + " high=" + hal.output("led").isHigh());
        }
        try (Hal hal = Hal.open(config.withProvider("pi4j"))) {
            System.out.println("pi4j: opened " + hal);
        } catch (HalException e) {
            System.out.println("pi4j: " + e.kind() + ": " + e.getMessage());
        }
    }
}
