package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.server.WebSocketServer;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;

/**
 * The chat page in real headless Chromium: two pages join the lobby with nicknames and see each other's messages,
 * a third in another room sees none of them, and a page asking for a private room is refused.
 */
class ChatPageBrowserIT {

    private static void join(WebDriver page, String url, String room, String nick) {
        page.get(url);
        page.findElement(By.id("room")).clear();
        page.findElement(By.id("room")).sendKeys(room);
        page.findElement(By.id("nick")).sendKeys(nick);
        page.findElement(By.id("connect")).click();
    }

    private static String log(WebDriver page) {
        return page.findElement(By.id("log")).getText();
    }

    private static void say(WebDriver page, String text) {
        page.findElement(By.id("message")).sendKeys(text);
        page.findElement(By.id("send")).click();
    }

    @Test
    void twoPagesInTheLobbyChatAndAThirdRoomHearsNothing() throws Exception {
        WebSocketServer server = ChatServer.start(0, null, Set.of("staff"));
        WebDriver ada = null;
        WebDriver bob = null;
        WebDriver eve = null;
        try {
            String url = "http://127.0.0.1:" + server.port() + "/";
            ada = Chromium.open(false);
            bob = Chromium.open(false);
            eve = Chromium.open(false);
            join(ada, url, "lobby", "ada");
            Chromium.waitFor(ada, "ada joins", p -> log(p).contains("* ada joined (1 here)"));
            join(eve, url, "elsewhere", "eve");
            Chromium.waitFor(eve, "eve joins elsewhere", p -> log(p).contains("* eve joined (1 here)"));
            join(bob, url, "lobby", "bob");
            Chromium.waitFor(ada, "ada sees bob join", p -> log(p).contains("* bob joined (2 here)"));

            say(ada, "hello bob");
            Chromium.waitFor(bob, "bob reads ada", p -> log(p).contains("ada: hello bob"));
            say(bob, "hi ada");
            Chromium.waitFor(ada, "ada reads bob", p -> log(p).contains("bob: hi ada"));
            say(eve, "anyone?");
            Chromium.waitFor(eve, "eve hears herself", p -> log(p).contains("eve: anyone?"));
            assertFalse(log(eve).contains("hello bob") || log(eve).contains("hi ada"), log(eve));
            assertFalse(log(ada).contains("anyone?"), log(ada));

            // A private room: the browser sees the upgrade refused (the page reports 1006, as browsers do).
            bob.findElement(By.id("connect")).click();   // leave
            Chromium.waitFor(bob, "bob left", p -> p.findElement(By.id("state")).getText().startsWith("CLOSED"));
            join(bob, url, "staff", "bob");
            Chromium.waitFor(bob, "refused", p -> p.findElement(By.id("state")).getText().contains("1006"));
            assertTrue(log(ada).contains("* bob left"), log(ada));
        } finally {
            Chromium.quit(ada, bob, eve);
            server.stop(Duration.ofSeconds(2));
        }
    }
}
