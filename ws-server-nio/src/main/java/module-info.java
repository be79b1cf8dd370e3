/**
 * Wirefly's transport: a non-blocking {@code java.nio} WebSocket server and client.
 *
 * <pre>{@code
 * WebSocketServer.builder().port(9998).route("/", echoHandler).build().start();
 * }</pre>
 */
module io.wirefly.server {
    requires transitive io.wirefly.core;
    // The NATS client is optional: only NatsTopicBus (through internal.NatsLink) uses it, when an application adds it.
    requires static io.nats.jnats;
    // The same for Jedis: only RedisTopicBus (through internal.RedisLink) uses it.
    requires static redis.clients.jedis;
    exports io.wirefly.server;
    exports io.wirefly.server.cluster;
}
