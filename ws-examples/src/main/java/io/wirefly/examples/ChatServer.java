package io.wirefly.examples;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.UpgradeRequest;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.HttpResponse;
import io.wirefly.server.cluster.NatsTopicBus;
import io.wirefly.server.cluster.RedisTopicBus;
import io.wirefly.server.cluster.TopicBus;
import io.wirefly.server.WebSocketServer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Chat rooms on {@code /chat/{room}} ({@code /chat} is the room {@code lobby}), with a page at {@code /}: every message
 * goes to everyone in the room with the sender's nickname, taken from {@code ?nick=NAME} or made up; {@code /nick NAME}
 * renames; joins (with the number of people in the room) and leaves are announced. Each room is one of the server's
 * topics. The handshake filter checks room names and nicknames before the upgrade (400 with a body that says why) and
 * refuses the rooms named with {@code --private-rooms} (403). With {@code --cluster nats://host:port} (or
 * {@code redis://host:port}), several chat processes on one broker share their rooms (the joins' head count is each
 * process's own). Everything a handler needs is on the connection: its request (room, nick) and its server's topics.
 */
public final class ChatServer implements WebSocketHandler {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,32}");
    private static final String LOBBY = "lobby";
    private static final String ROOM = "room";
    private static final String NICK = "nick";

    private final Set<String> privateRooms;
    private final Map<WebSocket, String> nicks = new ConcurrentHashMap<>();
    /** Head count per room with anyone in it: a room leaves the map with its last member, so names cannot pile up. */
    private final Map<String, Integer> members = new ConcurrentHashMap<>();
    private final AtomicInteger guests = new AtomicInteger();

    private ChatServer(Set<String> privateRooms) {
        this.privateRooms = Set.copyOf(privateRooms);
    }

    static int run(String[] argv) throws InterruptedException {
        Set<String> options = new java.util.HashSet<>(Set.of("--port", "--private-rooms", "--cluster",
                GracefulStop.OPTION));
        options.addAll(ExampleTls.OPTIONS);
        Args args = new Args(argv, options, ExampleTls.SWITCHES);
        ExampleTls tls = ExampleTls.from(args);
        String privateRooms = args.get("--private-rooms", "");
        String cluster = args.get("--cluster", null);
        TopicBus bus = null;
        if (cluster != null) {
            if (!cluster.startsWith("nats://") && !cluster.startsWith("redis://")) {
                throw new Args.UsageException("--cluster takes a nats://HOST:PORT or redis://HOST:PORT URL, was "
                        + cluster);
            }
            try {
                bus = cluster.startsWith("nats://") ? NatsTopicBus.connect(cluster) : RedisTopicBus.connect(cluster);
            } catch (java.io.IOException e) {
                System.err.println("cannot reach the broker at " + cluster + ": " + e.getMessage());
                return 1;
            }
        }
        WebSocketServer server = start(args.intValue("--port", 9998, 0, 65535), tls,
                privateRooms.isEmpty() ? Set.of() : Set.of(privateRooms.split(",")), bus);
        ExampleTls.watch(tls, server);
        GracefulStop.install(server, GracefulStop.timeout(args), () -> { });
        System.out.println("chat page on " + ExampleTls.urls(tls, "http", server.port(), "/") + ", rooms on "
                + ExampleTls.urls(tls, "ws", server.port(), "/chat/{room}?nick=NAME"));
        GracefulStop.awaitSignal();
        return 0;
    }

    /**
     * @param port the port, 0 for any
     * @return the started server
     */
    public static WebSocketServer start(int port) {
        return start(port, null, Set.of());
    }

    static WebSocketServer start(int port, ExampleTls tls, Set<String> privateRooms) {
        return start(port, tls, privateRooms, null);
    }

    /** @param bus shares the rooms with the other chat processes on the same broker, or null */
    static WebSocketServer start(int port, ExampleTls tls, Set<String> privateRooms, TopicBus bus) {
        return new ChatServer(privateRooms).serve(port, tls, bus);
    }

    /** A chat without private rooms, for a test that looks at {@link #rooms()}. */
    static ChatServer create() {
        return new ChatServer(Set.of());
    }

    /** Starts a server for this chat; see {@link #start(int, ExampleTls, Set, TopicBus)}. */
    WebSocketServer serve(int port, ExampleTls tls, TopicBus bus) {
        byte[] page = page();
        return ExampleTls.apply(tls, WebSocketServer.builder().port(port).topicBus(bus)
                .handshakeFilter(this::admit)
                .route("/chat", this)
                .route("/chat/{" + ROOM + "}", this)
                .http(request -> request.path().equals("/") || request.path().equals("/index.html")
                        ? HttpResponse.of(200, "text/html; charset=utf-8", page) : null)).build().start();
    }

    private static byte[] page() {
        try (java.io.InputStream in = ChatServer.class.getResourceAsStream("/chat/index.html")) {
            if (in == null) {
                throw new IllegalStateException("chat/index.html is missing from the class path");
            }
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The handshake filter: a valid room that is not private, and a valid nickname if one is asked for. */
    private void admit(UpgradeRequest request) {
        String room = room(request);
        if (!NAME.matcher(room).matches()) {
            throw new HandshakeException(400, "bad room name", Map.of(),
                    "a room name is 1 to 32 letters, digits, '.', '-' or '_'\n");
        }
        if (privateRooms.contains(room)) {
            throw new HandshakeException(403, "private room " + room, Map.of(), "the room '" + room
                    + "' is private\n");
        }
        String nick = request.queryParameter(NICK);
        if (nick != null && !NAME.matcher(nick).matches()) {
            throw new HandshakeException(400, "bad nickname", Map.of(),
                    "a nickname is 1 to 32 letters, digits, '.', '-' or '_'\n");
        }
    }

    private static String room(UpgradeRequest request) {
        String room = request.pathParameter(ROOM);
        return room == null ? LOBBY : room;
    }

    private static String topic(WebSocket ws) {
        return "room:" + room(ws.request());
    }

    /** @return how many rooms have someone in them */
    int rooms() {
        return members.size();
    }

    @Override
    public void onOpen(WebSocket ws) {
        String asked = ws.request().queryParameter(NICK);
        String nick = asked != null ? asked : "guest-" + guests.incrementAndGet();
        nicks.put(ws, nick);
        String room = room(ws.request());
        int here = members.merge(room, 1, Integer::sum);
        ws.subscribe(topic(ws));
        ws.sendText("* you are " + nick + " in " + room + "; /nick NAME to change it");
        ws.publish(topic(ws), "* " + nick + " joined (" + here + " here)");
    }

    @Override
    public void onText(WebSocket ws, String text) {
        String nick = nicks.get(ws);
        if (text.startsWith("/nick ")) {
            String wanted = text.substring(6).strip();
            if (!NAME.matcher(wanted).matches()) {
                ws.sendText("* a nickname is 1 to 32 letters, digits, '.', '-' or '_'");
                return;
            }
            nicks.put(ws, wanted);
            ws.publish(topic(ws), "* " + nick + " is now " + wanted);
        } else {
            ws.publish(topic(ws), nick + ": " + text);
        }
    }

    @Override
    public void onClose(WebSocket ws, int code, String reason) {
        String nick = nicks.remove(ws);
        if (nick != null) {
            members.computeIfPresent(room(ws.request()), (r, here) -> here == 1 ? null : here - 1);
            ws.publish(topic(ws), "* " + nick + " left");
        }
    }
}
