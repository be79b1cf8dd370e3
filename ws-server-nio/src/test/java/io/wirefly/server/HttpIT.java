package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.HandshakeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Handshake rejections with their HTTP statuses, and the plain-HTTP hook. */
class HttpIT {
    private WebSocketServer server;

    @BeforeEach
    void start() {
        server = WebSocketServer.builder().port(0).maxConnections(1)
                .allowedOrigins("http://good.example")
                .handshakeFilter(request -> {
                    if (request.query().contains("deny")) {
                        throw new HandshakeException(401, "token required");
                    }
                })
                .http(request -> request.path().equals("/")
                        ? HttpResponse.of(200, "text/html; charset=utf-8",
                                "<h1>Wirefly</h1>".getBytes(StandardCharsets.UTF_8))
                        : null)
                .route("/ws", Recorder.echo()).build().start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    private String exchange(String request) throws Exception {
        try (RawClient c = new RawClient(server.port())) {
            c.write(request);
            return new String(c.readToEnd(), StandardCharsets.ISO_8859_1);
        }
    }

    private static String upgrade(String path, String extra) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" + extra + "\r\n";
    }

    @Test
    void thePlainHttpHookServesAPage() throws Exception {
        var response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build(),
                BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("<h1>Wirefly</h1>", response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    }

    @Test
    void unknownPathsAndPlainRequestsToTheSocketPathGetErrors() throws Exception {
        assertTrue(exchange("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 404"));
        assertTrue(exchange("GET /ws HTTP/1.1\r\nHost: x\r\n\r\n").startsWith("HTTP/1.1 426"));
        assertTrue(exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n").startsWith("HTTP/1.1 405"));
        assertTrue(exchange(upgrade("/nothing", "Sec-WebSocket-Version: 13\r\n")).startsWith("HTTP/1.1 404"));
    }

    @Test
    void badHandshakesGetTheRightStatus() throws Exception {
        String wrongVersion = exchange(upgrade("/ws", "Sec-WebSocket-Version: 8\r\n"));
        assertTrue(wrongVersion.startsWith("HTTP/1.1 426"), wrongVersion);
        assertTrue(wrongVersion.contains("Sec-WebSocket-Version: 13"), wrongVersion);
        assertTrue(exchange("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").startsWith("HTTP/1.1 400"), "missing key");
        assertTrue(exchange("garbage\r\n\r\n").startsWith("HTTP/1.1 400"));
        assertTrue(exchange(upgrade("/ws", "Sec-WebSocket-Version: 13\r\nOrigin: http://evil.example\r\n"))
                .startsWith("HTTP/1.1 403"));
        assertTrue(exchange(upgrade("/ws?deny", "Sec-WebSocket-Version: 13\r\n")).startsWith("HTTP/1.1 401"));
        assertEquals(1L, server.metrics().handshakesRejected().get(403));
    }

    @Test
    void anOversizedHeadGets431EvenWhileTheClientIsStillSendingIt() throws Exception {
        // 8 MiB of headers: the server answers after the first 16 KiB while the client is still writing the rest
        String huge = "X-Filler: " + "a".repeat(1000) + "\r\n";
        String request = upgrade("/ws", "Sec-WebSocket-Version: 13\r\n" + huge.repeat(8192));
        for (int attempt = 0; attempt < 5; attempt++) {
            String response = exchange(request);
            assertTrue(response.startsWith("HTTP/1.1 431"), "attempt " + attempt + ": " + response);
        }
    }

    @Test
    void beyondMaxConnectionsTheServerAnswers503() throws Exception {
        try (RawClient first = new RawClient(server.port())) {
            String ok = first.upgrade("/ws");
            assertTrue(ok.startsWith("HTTP/1.1 101"), ok);
            Peers.await(Duration.ofSeconds(5), "one open connection", () -> server.metrics().openConnections() == 1);
            assertTrue(exchange(upgrade("/ws", "Sec-WebSocket-Version: 13\r\n")).startsWith("HTTP/1.1 503"));
        }
    }
}
