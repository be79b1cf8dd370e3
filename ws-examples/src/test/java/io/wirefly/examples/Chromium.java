package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Headless Debian Chromium for the page tests (installed by .ci/install-peers.sh), each session with its own profile. */
final class Chromium {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    /** Each open browser's profile directory, deleted by {@link #quit}. */
    private static final java.util.Map<WebDriver, Path> PROFILES = new java.util.concurrent.ConcurrentHashMap<>();

    private Chromium() {
    }

    /** @param acceptSelfSigned adds {@code --ignore-certificate-errors}, for a test's own certificate */
    static WebDriver open(boolean acceptSelfSigned) {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "install Debian's chromium and chromium-driver (bash .ci/install-peers.sh)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        Path profile = tempDir();
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile);
        if (acceptSelfSigned) {
            options.addArguments("--ignore-certificate-errors");
        }
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        PROFILES.put(driver, profile);
        return driver;
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("wirefly-chromium");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void waitFor(WebDriver driver, String what, java.util.function.Function<WebDriver, Boolean> condition) {
        new WebDriverWait(driver, Duration.ofSeconds(15)).withMessage(what).until(condition::apply);
    }

    static void quit(WebDriver... drivers) {
        for (WebDriver d : drivers) {
            if (d != null) {
                d.quit();
                Path profile = PROFILES.remove(d);
                if (profile != null) {
                    deleteTree(profile);
                }
            }
        }
    }

    private static void deleteTree(Path root) {
        try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException e) {
            // best effort: a left-over profile in /tmp harms nothing
        }
    }
}
