package io.wirefly.server.internal;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.nio.ByteBuffer;

/**
 * What a handler class listens to, found once per class: a session copies a ping's payload for
 * {@link WebSocketHandler#onPing} only when the handler overrides it, and streams binary messages to
 * {@link WebSocketHandler#onBinaryPart} when it overrides that.
 *
 * <pre>{@code
 * if (Handlers.wantsPings(handler)) { ... copy and dispatch ... }
 * }</pre>
 */
public final class Handlers {
    private static final ClassValue<Boolean> WANTS_PINGS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("onPing", WebSocket.class, ByteBuffer.class).getDeclaringClass()
                        != WebSocketHandler.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
    };

    private static final ClassValue<Boolean> WANTS_PARTS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("onBinaryPart", WebSocket.class, ByteBuffer.class, boolean.class)
                        .getDeclaringClass() != WebSocketHandler.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
    };

    private static final ClassValue<Boolean> WANTS_TEXT_PARTS = new ClassValue<>() {
        @Override
        protected Boolean computeValue(Class<?> type) {
            try {
                return type.getMethod("onTextPart", WebSocket.class, String.class, boolean.class)
                        .getDeclaringClass() != WebSocketHandler.class;
            } catch (NoSuchMethodException e) {
                return false;
            }
        }
    };

    private Handlers() {
    }

    /** @return whether {@code handler}'s class overrides {@link WebSocketHandler#onTextPart} (it streams text) */
    public static boolean wantsTextParts(WebSocketHandler handler) {
        return handler != null && WANTS_TEXT_PARTS.get(handler.getClass());
    }

    /** @return whether {@code handler}'s class overrides {@link WebSocketHandler#onBinaryPart} (it streams) */
    public static boolean wantsParts(WebSocketHandler handler) {
        return handler != null && WANTS_PARTS.get(handler.getClass());
    }

    /** @return whether {@code handler}'s class overrides {@link WebSocketHandler#onPing} */
    static boolean wantsPings(WebSocketHandler handler) {
        return handler != null && WANTS_PINGS.get(handler.getClass());
    }
}
