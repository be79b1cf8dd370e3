package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.server.TlsContexts;
import io.wirefly.server.WebSocketServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three chat clients: joins, messages, a nick change and a leave notice; then the same room over wss and ws. */
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

    /** {@code chat --tls-cert --tls-key --same-port}: a wss:// and a ws:// client share the room. */
    @Test
    void wssAndWsClientsShareTheRoomOnOnePort(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days",
                "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertTrue(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl req failed");
        WebSocketServer server = ChatServer.start(0, ExampleTls.of(cert, key, true));
        try {
            Peer secure = Peer.connect("wss://localhost:" + server.port() + "/chat", TlsContexts.trusting(cert));
            assertEquals("* you are guest-1; /nick NAME to change it", secure.next());
            assertEquals("* guest-1 joined", secure.next());
            Peer plain = Peer.connect("ws://localhost:" + server.port() + "/chat");
            plain.next();
            assertEquals("* guest-2 joined", secure.next());
            assertEquals("* guest-2 joined", plain.next());
            secure.send("over wss");
            assertEquals("guest-1: over wss", plain.next());
            assertEquals("guest-1: over wss", secure.next());
            plain.send("over ws");
            assertEquals("guest-2: over ws", secure.next());
            assertEquals("guest-2: over ws", plain.next());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }
}
