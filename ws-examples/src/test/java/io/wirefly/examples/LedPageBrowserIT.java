package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.hal.HalConfig;
import io.wirefly.hal.sim.SimulatedHal;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;

/**
 * The LED page in real headless Chromium (Debian's chromium + chromium-driver, installed by .ci/run): connect, send
 * a text and see it in the log, click ON and see the drawn LED light and the simulated pin go high, and a second
 * browser session see the change pushed. Saves a screenshot to target/screenshots/led-page.png.
 */
class LedPageBrowserIT {
    private static WebDriver browser() {
        return Chromium.open(false);
    }

    private static WebDriver browser(boolean acceptSelfSigned) {
        return Chromium.open(acceptSelfSigned);
    }

    private static void waitFor(WebDriver driver, String what, java.util.function.Function<WebDriver, Boolean> c) {
        Chromium.waitFor(driver, what, c);
    }

    @Test
    void connectSendSwitchTheLedAndSeeASecondPageFollow() throws Exception {
        SimulatedHal hal = SimulatedHal.open(HalConfig.builder().output("led", 17).build());
        WebDriver first = null;
        WebDriver second = null;
        try (LedServer demo = new LedServer(hal, 0)) {
            String url = "http://127.0.0.1:" + demo.port() + "/";
            first = browser();
            second = browser();
            first.manage().window().setSize(new Dimension(1000, 760));
            first.get(url);
            second.get(url);
            for (WebDriver d : new WebDriver[] {first, second}) {
                waitFor(d, "the page connects", x -> x.findElement(By.id("state")).getText().equals("OPEN"));
                waitFor(d, "the LED state arrives", x -> x.findElement(By.id("led-label")).getText().equals("off"));
            }
            assertEquals("ws://127.0.0.1:" + demo.port() + "/led",
                    first.findElement(By.id("url")).getAttribute("value"), "URL box prefilled from location");

            first.findElement(By.id("message")).sendKeys("hello board");
            first.findElement(By.id("message")).sendKeys(Keys.CONTROL, Keys.ENTER);   // Ctrl+Enter sends
            WebDriver f = first;
            waitFor(first, "the sent text and the reply in the log", x -> {
                String log = x.findElement(By.id("log")).getText();
                return log.contains("you: hello board") && log.contains("server: unknown command 'hello board'");
            });

            assertFalse(hal.output("led").isHigh());
            first.findElement(By.id("on")).click();
            waitFor(first, "the drawn LED lights", x -> x.findElement(By.id("led")).getAttribute("class").contains("on"));
            assertTrue(hal.output("led").isHigh(), "the simulated LED went high");
            waitFor(second, "the second page sees the change pushed",
                    x -> x.findElement(By.id("led")).getAttribute("class").contains("on"));

            File shot = ((org.openqa.selenium.TakesScreenshot) f).getScreenshotAs(OutputType.FILE);
            Path target = Path.of("target", "screenshots", "led-page.png");
            Files.createDirectories(target.getParent());
            Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);

            second.findElement(By.id("off")).click();
            waitFor(first, "OFF from the second page reaches the first",
                    x -> !x.findElement(By.id("led")).getAttribute("class").contains("on"));
            assertFalse(hal.output("led").isHigh());
        } finally {
            Chromium.quit(first, second);
        }
    }

    /**
     * {@code led --tls-cert --tls-key --same-port}: Chromium loads the page over https and the page opens wss:// (its
     * URL comes from {@code location}); a second page loaded over plain http on the same port opens ws:// and sees
     * the first page's click pushed. The certificate is made by openssl for this run; Chromium is told to accept it.
     */
    @Test
    void thePageOverHttpsUsesWssAndPlainHttpOnTheSamePortStillWorks(@TempDir Path dir) throws Exception {
        Path[] pair = Programs.selfSigned(dir, "led");
        Path cert = pair[0];
        Path key = pair[1];

        SimulatedHal hal = SimulatedHal.open(HalConfig.builder().output("led", 17).build());
        WebDriver secure = null;
        WebDriver plain = null;
        try (LedServer demo = new LedServer(hal, 0, ExampleTls.of(cert, key, true))) {
            secure = browser(true);
            plain = browser(false);
            secure.get("https://127.0.0.1:" + demo.port() + "/");
            plain.get("http://127.0.0.1:" + demo.port() + "/");
            for (WebDriver d : new WebDriver[] {secure, plain}) {
                waitFor(d, "the page connects", x -> x.findElement(By.id("state")).getText().equals("OPEN"));
                waitFor(d, "the LED state arrives", x -> x.findElement(By.id("led-label")).getText().equals("off"));
            }
            assertEquals("wss://127.0.0.1:" + demo.port() + "/led",
                    secure.findElement(By.id("url")).getAttribute("value"), "an https page opens wss://");
            assertEquals("ws://127.0.0.1:" + demo.port() + "/led",
                    plain.findElement(By.id("url")).getAttribute("value"), "an http page opens ws://");

            secure.findElement(By.id("on")).click();
            waitFor(secure, "the drawn LED lights", x -> x.findElement(By.id("led")).getAttribute("class").contains("on"));
            assertTrue(hal.output("led").isHigh(), "the simulated LED went high over wss");
            waitFor(plain, "the plain page sees the change pushed",
                    x -> x.findElement(By.id("led")).getAttribute("class").contains("on"));
            plain.findElement(By.id("off")).click();
            waitFor(secure, "OFF over ws reaches the wss page",
                    x -> !x.findElement(By.id("led")).getAttribute("class").contains("on"));
            assertFalse(hal.output("led").isHigh());
        } finally {
            Chromium.quit(secure, plain);
        }
    }
}
