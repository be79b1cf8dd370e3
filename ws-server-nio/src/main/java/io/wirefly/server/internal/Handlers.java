package io.wirefly.server.internal;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.nio.ByteBuffer;

/**
 * What a handler class listens to, found once per class: a session copies a ping's or pong's payload for
 * {@link WebSocketHandler#onPing} / {@link WebSocketHandler#onPong} only when the handler overrides it, streams
 * binary or text messages to {@link WebSocketHandler#onBinaryPart} / {@link WebSocketHandler#onTextPart} when it
 * overrides those, and lends binary messages to {@link WebSocketHandler#onBinaryBorrowed} when it overrides that.
 *
 * <pre>{@code
 * if (Handlers.wantsPings(handler)) { ... copy and dispatch ... }
 * }</pre>
 */
public final class Handlers {
    private static final ClassValue<Boolean> WANTS_PINGS = overrides("onPing", WebSocket.class, ByteBuffer.class);
    private static final ClassValue<Boolean> WANTS_PONGS = overrides("onPong", WebSocket.class, ByteBuffer.class);
    private static final ClassValue<Boolean> WANTS_PARTS =
            overrides("onBinaryPart", WebSocket.class, ByteBuffer.class, boolean.class);
    private static final ClassValue<Boolean> WANTS_TEXT_PARTS =
            overrides("onTextPart", WebSocket.class, String.class, boolean.class);
    private static final ClassValue<Boolean> BORROWS =
            overrides("onBinaryBorrowed", WebSocket.class, ByteBuffer.class);

    private Handlers() {
    }

    /** @return per class: whether it overrides the {@link WebSocketHandler} method {@code name(types)} */
    private static ClassValue<Boolean> overrides(String name, Class<?>... types) {
        return new ClassValue<>() {
            @Override
            protected Boolean computeValue(Class<?> type) {
                try {
                    return type.getMethod(name, types).getDeclaringClass() != WebSocketHandler.class;
                } catch (NoSuchMethodException e) {
                    return false;
                }
            }
        };
    }

    /** @return whether {@code handler}'s class overrides {@link WebSocketHandler#onTextPart} (it streams text) */
    public static boolean wantsTextParts(WebSocketHandler handler) {
        return handler != null && WANTS_TEXT_PARTS.get(handler.getClass());
    }

    /** @return whether {@code handler}'s class overrides {@link WebSocketHandler#onBinaryPart} (it streams) */
    public static boolean wantsParts(WebSocketHandler handler) {
        return handler != null && WANTS_PARTS.get(handler.getClass());
    }

    /**
     * @return whether {@code handler}'s class overrides {@link WebSocketHandler#onBinaryBorrowed} (its binary
     *     messages go there instead of to {@code onBinary})
     */
    public static boolean borrows(WebSocketHandler handler) {
        return handler != null && BORROWS.get(handler.getClass());
    }

    /** @return whether {@code handler}'s class overrides {@link WebSocketHandler#onPong} */
    static boolean wantsPongs(WebSocketHandler handler) {
        return handler != null && WANTS_PONGS.get(handler.getClass());
    }

    /** @return whether {@code handler}'s class overrides {@link WebSocketHandler#onPing} */
    static boolean wantsPings(WebSocketHandler handler) {
        return handler != null && WANTS_PINGS.get(handler.getClass());
    }
}
