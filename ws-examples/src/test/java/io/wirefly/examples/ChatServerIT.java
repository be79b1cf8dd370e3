package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.server.TlsContexts;
import io.wirefly.server.WebSocketServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chat example: rooms on {@code /chat/{room}}, nicknames from {@code ?nick=}, joins with the room's head count,
 * a nick change and a leave notice; Python {@code websockets} clients in two rooms; the handshake filter's refusals
 * with their bodies; the same room over wss and ws on one port.
 */
class ChatServerIT {

    @Test
    void threeClientsChatInTheLobby() throws Exception {
        WebSocketServer server = ChatServer.start(0);
        try {
            String url = "ws://127.0.0.1:" + server.port() + "/chat";
            Peer a = Peer.connect(url);
            assertEquals("* you are guest-1 in lobby; /nick NAME to change it", a.next());
            assertEquals("* guest-1 joined (1 here)", a.next());
            Peer b = Peer.connect(url + "/lobby");
            assertEquals("* you are guest-2 in lobby; /nick NAME to change it", b.next());
            assertEquals("* guest-2 joined (2 here)", a.next());
            assertEquals("* guest-2 joined (2 here)", b.next());
            Peer c = Peer.connect(url + "?nick=carol");
            assertEquals("* you are carol in lobby; /nick NAME to change it", c.next());
            for (Peer p : new Peer[] {a, b, c}) {
                assertEquals("* carol joined (3 here)", p.next());
            }
            a.send("/nick alice");
            for (Peer p : new Peer[] {a, b, c}) {
                assertEquals("* guest-1 is now alice", p.next());
            }
            a.send("hi all");
            for (Peer p : new Peer[] {a, b, c}) {
                assertEquals("alice: hi all", p.next());
            }
            c.ws.sendClose(1000, "bye");
            assertEquals("* carol left", a.next());
            assertEquals("* carol left", b.next());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /** Python websockets: a and b in /chat/lobby see each other's messages; c in /chat/other sees none of them. */
    private static final String PYTHON_ROOMS = String.join("\n",
            "import asyncio, sys, websockets",
            "base = sys.argv[1]",
            "async def drain(ws, until):",
            "    got = []",
            "    while True:",
            "        m = await asyncio.wait_for(ws.recv(), 10)",
            "        got.append(m)",
            "        if m == until: return got",
            "async def main():",
            "    async with websockets.connect(base + '/chat/lobby?nick=a') as a, \\",
            "               websockets.connect(base + '/chat/other?nick=c') as c:",
            "        await drain(a, '* a joined (1 here)')",
            "        await drain(c, '* c joined (1 here)')",
            "        async with websockets.connect(base + '/chat/lobby?nick=b') as b:",
            "            await drain(b, '* b joined (2 here)')",
            "            await drain(a, '* b joined (2 here)')",
            "            await a.send('hello from a')",
            "            await b.send('hello from b')",
            "            print('a got', await drain(a, 'b: hello from b'))",
            "            print('b got', await drain(b, 'b: hello from b'))",
            "            await c.send('only c')",
            "            print('c got', await drain(c, 'c: only c'))",
            "asyncio.run(main())");

    @Test
    void pythonClientsInTwoRoomsAndTheFiltersRefusals() throws Exception {
        WebSocketServer server = ChatServer.start(0, null, Set.of("secret"));
        try {
            String out = Programs.run(List.of("/usr/bin/python3", "-c", PYTHON_ROOMS, "ws://127.0.0.1:" + server.port()));
            assertTrue(out.contains("a got ['a: hello from a', 'b: hello from b']"), out);
            assertTrue(out.contains("b got ['a: hello from a', 'b: hello from b']"), out);
            assertTrue(out.contains("c got ['c: only c']"), out);

            String refused = rawUpgrade(server.port(), "/chat/secret");
            assertTrue(refused.startsWith("HTTP/1.1 403 "), refused);
            assertTrue(refused.endsWith("\r\n\r\nthe room 'secret' is private\n"), refused);
            String badNick = rawUpgrade(server.port(), "/chat/lobby?nick=no%20spaces");
            assertTrue(badNick.startsWith("HTTP/1.1 400 "), badNick);
            assertTrue(badNick.contains("a nickname is 1 to 32 letters"), badNick);
            assertTrue(rawUpgrade(server.port(), "/chat/a%2Fb").startsWith("HTTP/1.1 400 "), "a room name with a /");
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /**
     * Room names come from the request path, so a chat must forget a room with its last member: otherwise every name
     * ever asked for stays in its head counts, and a client that walks through names fills the heap.
     */
    @Test
    void anEmptiedRoomIsForgotten() throws Exception {
        ChatServer chat = ChatServer.create();
        WebSocketServer server = chat.serve(0, null, null);
        HttpClient http = HttpClient.newHttpClient();
        try {
            String base = "ws://127.0.0.1:" + server.port() + "/chat/";
            Peer stays = Peer.connect(base + "stays?nick=s", http);
            stays.next();
            assertEquals("* s joined (1 here)", stays.next());
            for (int i = 0; i < 100; i++) {
                Peer visitor = Peer.connect(base + "room-" + i + "?nick=v", http);
                visitor.next();
                visitor.next();
                if (i % 10 == 0) {   // two in the room, then both leave: the count goes to 0 from 2 too
                    Peer second = Peer.connect(base + "room-" + i + "?nick=w", http);
                    second.next();
                    assertEquals("* w joined (2 here)", second.next());
                    second.ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
                    assertEquals(1000, second.closed.get(5, TimeUnit.SECONDS));
                }
                visitor.ws.sendClose(1000, "bye").get(5, TimeUnit.SECONDS);
                assertEquals(1000, visitor.closed.get(5, TimeUnit.SECONDS));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (chat.rooms() > 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, chat.rooms(), "rooms still counted after everyone left them");
            Peer back = Peer.connect(base + "room-0?nick=b", http);
            back.next();
            assertEquals("* b joined (1 here)", back.next(), "a forgotten room starts again from one");
            assertEquals(2, chat.rooms());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /** {@code chat --tls-cert --tls-key --same-port}: a wss:// and a ws:// client share the room. */
    @Test
    void wssAndWsClientsShareTheRoomOnOnePort(@TempDir Path dir) throws Exception {
        Path[] pair = Programs.selfSigned(dir, "chat");
        Path cert = pair[0];
        Path key = pair[1];
        WebSocketServer server = ChatServer.start(0, ExampleTls.of(cert, key, true), Set.of());
        try {
            Peer secure = Peer.connect("wss://localhost:" + server.port() + "/chat/tls?nick=s",
                    TlsContexts.trusting(cert));
            assertEquals("* you are s in tls; /nick NAME to change it", secure.next());
            assertEquals("* s joined (1 here)", secure.next());
            Peer plain = Peer.connect("ws://localhost:" + server.port() + "/chat/tls?nick=p");
            plain.next();
            assertEquals("* p joined (2 here)", secure.next());
            assertEquals("* p joined (2 here)", plain.next());
            secure.send("over wss");
            assertEquals("s: over wss", plain.next());
            assertEquals("s: over wss", secure.next());
            plain.send("over ws");
            assertEquals("p: over ws", secure.next());
            assertEquals("p: over ws", plain.next());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    /** @return the whole response to an upgrade request for {@code target}, read until the server closes */
    private static String rawUpgrade(int port, String target) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
