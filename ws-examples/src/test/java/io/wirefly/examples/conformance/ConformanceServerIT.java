package io.wirefly.examples.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.server.WebSocketServer;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The conformance echo server against independent peers: the JDK's WebSocket client and a raw socket. */
class ConformanceServerIT {
    private WebSocketServer server;

    @BeforeEach
    void start() {
        server = ConformanceServer.start(0);
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    @Test
    void echoesTextAndA16MiBBinaryMessage() throws Exception {
        byte[] big = new byte[16 << 20];   // the largest message of the suite's section 9 (9.1.6, 9.2.6)
        new Random(6455).nextBytes(big);
        Collector peer = new Collector();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/"), peer).get(10, TimeUnit.SECONDS);

        ws.sendText("Hello, Autobahn", true).get(10, TimeUnit.SECONDS);
        assertEquals("Hello, Autobahn", peer.text.get(10, TimeUnit.SECONDS));
        ws.sendBinary(ByteBuffer.wrap(big), true).get(30, TimeUnit.SECONDS);
        assertArrayEquals(big, peer.binary.get(30, TimeUnit.SECONDS));
        ws.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
        assertEquals(1000, peer.closed.get(10, TimeUnit.SECONDS));
    }

    @Test
    void negotiatesPermessageDeflate() throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                    + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 101"), head);
            assertTrue(head.toLowerCase().contains("sec-websocket-extensions: permessage-deflate"), head);
        }
    }

    /** Reads up to the blank line that ends an HTTP head (at most 16 KiB). */
    private static String readHead(InputStream in) throws Exception {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (head.size() < 16384) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Keeps the first text message, the first binary message (joined from its parts) and the close code. */
    private static final class Collector implements WebSocket.Listener {
        final CompletableFuture<String> text = new CompletableFuture<>();
        final CompletableFuture<byte[]> binary = new CompletableFuture<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder textParts = new StringBuilder();
        private final ByteArrayOutputStream binaryParts = new ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            textParts.append(data);
            if (last) {
                text.complete(textParts.toString());
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            byte[] part = new byte[data.remaining()];
            data.get(part);
            binaryParts.writeBytes(part);
            if (last) {
                binary.complete(binaryParts.toByteArray());
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.complete(code);
            return null;
        }
    }
}
