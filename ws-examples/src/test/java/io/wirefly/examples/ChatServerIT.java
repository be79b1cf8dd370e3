package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirefly.server.WebSocketServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Three chat clients: joins, messages, a nick change and a leave notice. */
class ChatServerIT {

    @Test
    void threeClientsChat() throws Exception {
        WebSocketServer server = ChatServer.start(0);
        try {
            String url = "ws://127.0.0.1:" + server.port() + "/chat";
            Peer a = Peer.connect(url);
            assertEquals("* you are guest-1; /nick NAME to change it", a.next());
            assertEquals("* guest-1 joined", a.next());
            Peer b = Peer.connect(url);
            assertEquals("* you are guest-2; /nick NAME to change it", b.next());
            assertEquals("* guest-2 joined", a.next());
            assertEquals("* guest-2 joined", b.next());
            Peer c = Peer.connect(url);
            c.next();
            for (Peer p : new Peer[] {a, b, c}) {
                assertEquals("* guest-3 joined", p.next());
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
            assertEquals("* guest-3 left", a.next());
            assertEquals("* guest-3 left", b.next());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }
}
