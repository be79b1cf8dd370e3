/**
 * Wirefly's transport: a non-blocking {@code java.nio} WebSocket server and client.
 *
 * <pre>{@code
 * WebSocketServer.builder().port(9998).route("/", echoHandler).build().start();
 * }</pre>
 */
module io.wirefly.server {
    requires transitive io.wirefly.core;
    exports io.wirefly.server;
}
