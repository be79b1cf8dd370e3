package io.wirefly.examples;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.WebSocketServer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A chat room on {@code /chat}: every message goes to everyone with the sender's nickname; {@code /nick NAME}
 * renames; joins and leaves are announced. Built on the server's topics.
 */
public final class ChatServer implements WebSocketHandler {
    private static final String ROOM = "chat";

    private final Map<WebSocket, String> nicks = new ConcurrentHashMap<>();
    private final AtomicInteger guests = new AtomicInteger();
    private WebSocketServer server;

    static int run(String[] argv) throws InterruptedException {
        Set<String> options = new java.util.HashSet<>(Set.of("--port", GracefulStop.OPTION));
        options.addAll(ExampleTls.OPTIONS);
        Args args = new Args(argv, options, ExampleTls.SWITCHES);
        ExampleTls tls = ExampleTls.from(args);
        WebSocketServer server = start(args.intValue("--port", 9998, 0, 65535), tls);
        ExampleTls.watch(tls, server);
        GracefulStop.install(server, GracefulStop.timeout(args), () -> { });
        System.out.println("chat server on " + ExampleTls.urls(tls, "ws", server.port(), "/chat"));
        GracefulStop.awaitSignal();
        return 0;
    }

    /**
     * @param port the port, 0 for any
     * @return the started server
     */
    public static WebSocketServer start(int port) {
        return start(port, null);
    }

    static WebSocketServer start(int port, ExampleTls tls) {
        ChatServer chat = new ChatServer();
        chat.server = ExampleTls.apply(tls, WebSocketServer.builder().port(port).route("/chat", chat)).build();
        return chat.server.start();
    }

    @Override
    public void onOpen(WebSocket ws) {
        String nick = "guest-" + guests.incrementAndGet();
        nicks.put(ws, nick);
        server.subscribe(ws, ROOM);
        ws.sendText("* you are " + nick + "; /nick NAME to change it");
        server.publish(ROOM, "* " + nick + " joined");
    }

    @Override
    public void onText(WebSocket ws, String text) {
        String nick = nicks.get(ws);
        if (text.startsWith("/nick ")) {
            String wanted = text.substring(6).strip();
            if (wanted.isEmpty() || wanted.length() > 32 || wanted.chars().anyMatch(Character::isWhitespace)) {
                ws.sendText("* a nickname is 1 to 32 characters without spaces");
                return;
            }
            nicks.put(ws, wanted);
            server.publish(ROOM, "* " + nick + " is now " + wanted);
        } else {
            server.publish(ROOM, nick + ": " + text);
        }
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
        String nick = nicks.remove(ws);
        if (nick != null) {
            server.publish(ROOM, "* " + nick + " left");
        }
    }
}
