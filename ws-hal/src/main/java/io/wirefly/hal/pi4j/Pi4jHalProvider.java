package io.wirefly.hal.pi4j;

import io.wirefly.hal.Hal;
import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalException;
import io.wirefly.hal.HalProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@link HalProvider} named {@code "pi4j"}: real pins on a Raspberry Pi through Pi4J 2.8.0
 * ({@code pi4j-core}, {@code pi4j-plugin-raspberrypi}, {@code pi4j-plugin-gpiod}).
 *
 * <p>This class names no Pi4J type, so {@link java.util.ServiceLoader} can load it on a machine without Pi4J; it
 * then reports itself unavailable. Available means: Pi4J's core and gpiod plugin classes are visible to this module,
 * {@code /proc/device-tree/model} names a Raspberry Pi, and {@code /dev/gpiochip0} exists. The answer is computed
 * once. To use Pi4J elsewhere (another board, another plugin, a mock) build a Pi4J context yourself and call
 * {@link Pi4jHal#open(HalConfig, com.pi4j.context.Context)}.
 *
 * <pre>{@code
 * HalProvider pi4j = new Pi4jHalProvider();
 * if (!pi4j.isAvailable()) {
 *     System.err.println(pi4j.unavailableReason());  // e.g. "Pi4J is not on the class path: add ..."
 * }
 * }</pre>
 */
public final class Pi4jHalProvider implements HalProvider {

    /** The provider name. */
    public static final String NAME = "pi4j";

    static final String ADD_ARTIFACTS = "add com.pi4j:pi4j-core, com.pi4j:pi4j-plugin-raspberrypi and "
            + "com.pi4j:pi4j-plugin-gpiod 2.8.0 next to io.wirefly:ws-hal";

    private final ClassLoader loader;
    private final Path modelFile;
    private final Path gpioChip;
    private volatile String reason;   // computed once; "" when available

    /** Called by {@link java.util.ServiceLoader}; probes the running machine. */
    public Pi4jHalProvider() {
        this(Pi4jHalProvider.class.getClassLoader(), Path.of("/proc/device-tree/model"), Path.of("/dev/gpiochip0"));
    }

    /** Probes with another class loader and other device files (tests). */
    Pi4jHalProvider(ClassLoader loader, Path modelFile, Path gpioChip) {
        this.loader = loader;
        this.modelFile = modelFile;
        this.gpioChip = gpioChip;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String unavailableReason() {
        String r = reason;
        if (r == null) {
            r = probe();
            reason = r;
        }
        return r;
    }

    @Override
    public Hal open(HalConfig config) {
        String r = unavailableReason();
        if (!r.isEmpty()) {
            throw new HalException("", HalException.Kind.UNAVAILABLE, "HAL provider 'pi4j' is unavailable: " + r);
        }
        return Pi4jHal.openAuto(config);
    }

    private String probe() {
        if (!visible("com.pi4j.Pi4J")) {
            return "Pi4J is not on the class path (or, on the module path, module com.pi4j is not resolved: "
                    + "add --add-modules com.pi4j); " + ADD_ARTIFACTS;
        }
        if (!visible("com.pi4j.plugin.gpiod.GpioDPlugin")) {
            return "the Pi4J gpiod plugin is not on the class path; " + ADD_ARTIFACTS;
        }
        String model = readModel();
        if (model == null) {
            return "no Raspberry Pi detected: " + modelFile + " is missing";
        }
        if (!model.contains("Raspberry Pi")) {
            return "no Raspberry Pi detected: " + modelFile + " says '" + model + "'";
        }
        if (!Files.exists(gpioChip)) {
            return "no GPIO character device " + gpioChip + " on this " + model;
        }
        return "";
    }

    private boolean visible(String className) {
        try {
            Class.forName(className, false, loader);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private String readModel() {
        try {
            // The device-tree string ends with a NUL byte.
            return new String(Files.readAllBytes(modelFile), StandardCharsets.US_ASCII).replace("\0", "").trim();
        } catch (IOException | SecurityException e) {
            return null;
        }
    }
}
