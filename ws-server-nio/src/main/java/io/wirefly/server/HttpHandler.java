package io.wirefly.server;

/**
 * Answers a plain HTTP GET (one without {@code Upgrade: websocket}) on the WebSocket port. Runs on the event loop:
 * it must be quick and must not block (serve bytes from memory).
 *
 * <pre>{@code
 * byte[] page = Files.readAllBytes(Path.of("index.html"));
 * WebSocketServer.builder().http(request -> HttpResponse.of(200, "text/html", page));
 * }</pre>
 */
@FunctionalInterface
public interface HttpHandler {
    /**
     * @param request the request head
     * @return the response; null for 404
     */
    HttpResponse handle(HttpRequest request);
}
