package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/**
 * Messages larger than any limit, streamed both ways: a server in a child JVM with {@code -Xmx64m} and a 1 MiB
 * {@code maxMessageSize} echoes binary messages part by part ({@link StreamingEchoServer}); our client sends 200 MB
 * through {@code binaryStream()} and checks the echo part by part, then 3 MiB of text in parts; Python
 * {@code websockets} sends a fragmented 24 MB binary message and a fragmented text one and checks the echoes; a
 * handler that does not stream still has its limits.
 */
class StreamingIT {
    private static final long SIZE = 200L << 20;

    private static Peers.Server smallHeapServer() throws Exception {
        return new Peers.Server(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                StreamingEchoServer.class.getName());
    }

    @Test
    void twoHundredMegabytesThroughASixtyFourMegabyteServerBothWaysInParts() throws Exception {
        try (Peers.Server server = smallHeapServer();
                WebSocketClient client = WebSocketClient.builder().build()) {
            CRC32 received = new CRC32();
            long[] receivedBytes = new long[1];
            int[] parts = new int[1];
            CompletableFuture<Long> done = new CompletableFuture<>();
            CompletableFuture<Integer> closed = new CompletableFuture<>();
            StringBuilder texts = new StringBuilder();
            CompletableFuture<Integer> textDone = new CompletableFuture<>();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port + "/"), new WebSocketHandler() {
                @Override
                public void onBinaryPart(WebSocket w, ByteBuffer part, boolean last) {
                    receivedBytes[0] += part.remaining();
                    parts[0]++;
                    received.update(part);
                    if (last) {
                        done.complete(receivedBytes[0]);
                    }
                }

                @Override
                public void onTextPart(WebSocket w, String part, boolean last) {
                    texts.append(part);
                    if (last) {
                        textDone.complete(texts.length());
                    }
                }

                @Override
                public void onClose(WebSocket w, int code, String reason) {
                    closed.complete(code);
                }
            }).toCompletableFuture().get(10, TimeUnit.SECONDS);

            CRC32 sent = new CRC32();
            byte[] chunk = new byte[50_000];   // not a multiple of the 64 KiB parts
            Random random = new Random(200);
            long left = SIZE;
            try (OutputStream out = ws.binaryStream()) {
                while (left > 0) {
                    random.nextBytes(chunk);
                    int n = (int) Math.min(chunk.length, left);
                    out.write(chunk, 0, n);
                    sent.update(chunk, 0, n);
                    left -= n;
                }
            }
            assertEquals(SIZE, done.get(120, TimeUnit.SECONDS), "every byte came back");
            assertEquals(sent.getValue(), received.getValue(), "in order, unchanged");
            assertTrue(parts[0] > 100, "it arrived in parts, not whole: " + parts[0]);
            assertTrue(server.process.isAlive(), "the 64 MiB server is still up: " + server.lines);

            // Text streams the same way: 3 MiB in parts, past the 1 MiB limit, each part whole characters.
            StringBuilder echoed = texts;
            String piece = "d\u00e9j\u00e0 \ud83d\ude00 ".repeat(10_000);   // 2- and 4-byte characters
            for (int i = 0; i < 20; i++) {
                ws.sendTextPart(piece, i == 19);
            }
            assertEquals(piece.length() * 20, textDone.get(60, TimeUnit.SECONDS));
            assertEquals(piece.repeat(20), echoed.toString());
            assertTrue(!closed.isDone(), "no limit was hit");
        }
    }

    private static final String PYTHON = String.join("\n",
            "import asyncio, hashlib, os, sys, websockets",
            "async def main():",
            "    chunks = [os.urandom(1 << 20) for _ in range(24)]",
            "    async with websockets.connect(sys.argv[1], max_size=None, compression=None) as ws:",
            "        await ws.send(iter(chunks))   # one message in 24 fragments",
            "        echo = await asyncio.wait_for(ws.recv(), 60)",
            "        print('same', hashlib.sha256(echo).hexdigest() == hashlib.sha256(b''.join(chunks)).hexdigest(),",
            "              len(echo))",
            "        words = ['\u00e9t\u00e9 ' * 200000 for _ in range(4)]   # 3.2 million characters, 4.8 MB",
            "        await ws.send(iter(words))",
            "        back = await asyncio.wait_for(ws.recv(), 60)",
            "        print('text', back == ''.join(words), len(back))",
            "asyncio.run(main())");

    @Test
    void pythonSendsAFragmentedMessageLargerThanTheLimitAndGetsItBack() throws Exception {
        Peers.requirePythonWebsockets();
        try (Peers.Server server = smallHeapServer()) {
            String out = Peers.run(Duration.ofSeconds(120), Peers.PYTHON, "-c", PYTHON,
                    "ws://127.0.0.1:" + server.port + "/");
            assertTrue(out.contains("same True 25165824"), out);
            assertTrue(out.contains("text True 3200000"), out);
        }
    }

    @Test
    void wholeMessagesWaitForTheStreamedOneAndAHandlerWithoutPartsKeepsItsLimit() throws Exception {
        LinkedBlockingQueue<Object> got = new LinkedBlockingQueue<>();
        WebSocketHandler whole = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                got.add(text);
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                got.add(data.remaining());
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                got.add("close " + code);
            }
        };
        WebSocketServer server = WebSocketServer.builder().port(0)
                .config(io.wirefly.core.WebSocketConfig.builder().maxMessageSize(100_000).build())
                .route("/", whole).build().start();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"), new Recorder())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            ws.sendBinaryPart(ByteBuffer.wrap(new byte[30_000]), false);
            ws.sendText("sent between the parts, delivered after");
            ws.sendBinaryPart(ByteBuffer.wrap(new byte[30_000]), true).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertEquals(60_000, got.poll(10, TimeUnit.SECONDS), "the parts make one message");
            assertEquals("sent between the parts, delivered after", got.poll(10, TimeUnit.SECONDS));

            for (int i = 0; i < 3; i++) {
                ws.sendBinaryPart(ByteBuffer.wrap(new byte[40_000]), i == 2);
            }
            assertEquals("close 1009", got.poll(10, TimeUnit.SECONDS),
                    "a handler that does not stream keeps maxMessageSize");
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }
}
