/**
 * Wirefly's protocol engine: RFC 6455 WebSocket and RFC 7692 permessage-deflate, free of I/O.
 *
 * <p>The public API is the package {@code io.wirefly.core}: the {@link io.wirefly.core.WebSocket} handle, the
 * {@link io.wirefly.core.WebSocketHandler} callbacks, {@link io.wirefly.core.WebSocketConfig}, close codes and
 * exceptions. The engine itself lives in {@code io.wirefly.core.internal.*}, exported only to Wirefly's
 * transport.
 *
 * <pre>{@code
 * WebSocketConfig config = WebSocketConfig.builder().maxMessageSize(4 << 20).build();
 * }</pre>
 */
module io.wirefly.core {
    exports io.wirefly.core;
    exports io.wirefly.core.internal.frame to io.wirefly.server;
    exports io.wirefly.core.internal.protocol to io.wirefly.server;
    exports io.wirefly.core.internal.handshake to io.wirefly.server;
    exports io.wirefly.core.internal.deflate to io.wirefly.server;
}
