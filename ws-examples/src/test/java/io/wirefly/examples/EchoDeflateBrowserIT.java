package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.wirefly.server.WebSocketServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;

/**
 * The echo example (permessage-deflate on) from real headless Chromium: the browser accepts the server's answer,
 * which by default adds {@code server_no_context_takeover} and {@code client_no_context_takeover} to what Chromium
 * offered, and every message, compressed both ways, comes back unchanged. The echo example serves no page, so the
 * page comes from the JDK's own HTTP server on another port (a cross-origin WebSocket, as from any web app; from
 * {@code about:blank} Chromium does not connect at all).
 */
class EchoDeflateBrowserIT {

    @Test
    void chromiumNegotiatesDeflateWithTheEchoExampleAndGetsItsMessagesBack() throws IOException {
        WebSocketServer server = EchoServer.start(0, 1 << 20);
        HttpServer site = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        site.createContext("/", exchange -> {
            byte[] body = "<!doctype html><title>echo test</title>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        site.start();
        WebDriver page = null;
        try {
            page = Chromium.open(false);
            page.get("http://127.0.0.1:" + site.getAddress().getPort() + "/");
            page.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
            @SuppressWarnings("unchecked")
            List<Object> result = (List<Object>) ((JavascriptExecutor) page).executeAsyncScript(
                    "const done = arguments[arguments.length - 1];"
                    + "const ws = new WebSocket('ws://127.0.0.1:" + server.port() + "/');"
                    + "const sent = [];"
                    + "for (let i = 0; i < 20; i++) {"
                    + "  sent.push(JSON.stringify({reading: i, unit: 'C', note: 'x'.repeat(i * 100)}).repeat(20));"
                    + "}"
                    + "const got = [];"
                    + "ws.onopen = () => sent.forEach(m => ws.send(m));"
                    + "ws.onmessage = e => {"
                    + "  got.push(e.data);"
                    + "  if (got.length === sent.length) {"
                    + "    done([ws.extensions, got.every((m, i) => m === sent[i]), got.length]);"
                    + "    ws.close(1000);"
                    + "  }"
                    + "};"
                    + "ws.onerror = () => done(['error', false, got.length]);"
                    + "ws.onclose = e => done(['closed ' + e.code, false, got.length]);");
            String extensions = String.valueOf(result.get(0));
            assertTrue(extensions.startsWith("permessage-deflate"), "negotiated: " + result);
            assertTrue(extensions.contains("server_no_context_takeover")
                    && extensions.contains("client_no_context_takeover"), "the default answer: " + extensions);
            assertEquals(Boolean.TRUE, result.get(1), "every echo unchanged: " + result);
            assertEquals(20L, ((Number) result.get(2)).longValue());
        } finally {
            Chromium.quit(page);
            site.stop(0);
            server.stop(Duration.ofSeconds(2));
        }
    }
}
