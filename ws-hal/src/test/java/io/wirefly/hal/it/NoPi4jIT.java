package io.wirefly.hal.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.Hal;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A project that depends on ws-hal without Pi4J: a child JVM whose path holds only ws-hal's classes (jar or
 * directory) and {@link NoPi4jMain}, once on the class path and once on the module path. The simulated HAL must
 * work and asking for "pi4j" must be a HalException(UNAVAILABLE) saying that Pi4J is not on the class path, never a
 * NoClassDefFoundError.
 */
class NoPi4jIT {

    private static final long TIMEOUT_SECONDS = 60;

    @TempDir
    Path dir;

    private Path hal;
    private Path mainDir;

    @BeforeEach
    void layOut() throws IOException, URISyntaxException {
        hal = Path.of(Hal.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // Only the main class, not the rest of the test classes (which reference JUnit and Pi4J).
        String resource = NoPi4jMain.class.getName().replace('.', '/') + ".class";
        mainDir = dir.resolve("main");
        Path target = mainDir.resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = NoPi4jMain.class.getClassLoader().getResourceAsStream(resource)) {
            Files.copy(in, target);
        }
    }

    private List<String> run(List<String> pathArgs) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(pathArgs);
        command.add(NoPi4jMain.class.getName());
        Path out = dir.resolve("out-" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("child JVM did not finish in " + TIMEOUT_SECONDS + " s: "
                    + Files.readString(out, StandardCharsets.UTF_8));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        assertFalse(text.contains("NoClassDefFoundError") || text.contains("Exception in thread"), text);
        return text.lines().toList();
    }

    private static void assertSimulatedWorksAndPi4jIsUnavailable(List<String> lines) {
        String all = String.join("\n", lines);
        assertTrue(lines.contains("pi4j-visible: no"), all);
        assertTrue(lines.contains("provider simulated: available"), all);
        assertTrue(lines.contains("provider pi4j: unavailable"), all);
        assertTrue(lines.contains("simulated: provider=simulated lit=true high=false"), all);
        String pi4j = lines.stream().filter(l -> l.startsWith("pi4j: ")).findFirst().orElseThrow();
        assertTrue(pi4j.startsWith("pi4j: UNAVAILABLE: HAL provider 'pi4j' is unavailable: "
                + "Pi4J is not on the class path"), pi4j);
        assertTrue(pi4j.contains("com.pi4j:pi4j-core"), pi4j);
    }

    @Test
    void onTheClassPath() throws Exception {
        List<String> lines = run(List.of("-cp", hal + java.io.File.pathSeparator + mainDir));
        assertTrue(lines.contains("module: null"), String.join("\n", lines));
        assertSimulatedWorksAndPi4jIsUnavailable(lines);
    }

    @Test
    void onTheModulePath() throws Exception {
        // requires static com.pi4j: the module resolves without Pi4J; providers come from module-info.
        List<String> lines = run(List.of("--module-path", hal.toString(), "--add-modules", "io.wirefly.hal",
                "-cp", mainDir.toString()));
        assertTrue(lines.contains("module: io.wirefly.hal"), String.join("\n", lines));
        assertSimulatedWorksAndPi4jIsUnavailable(lines);
    }
}
