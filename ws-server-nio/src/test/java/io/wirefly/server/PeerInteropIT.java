package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Wirefly against independent implementations: Python websockets and the JDK's HTTP client, both directions. */
class PeerInteropIT {
    private WebSocketServer server;
    /** The extensions each connection to /echo negotiated, as the server saw them. */
    private final List<List<String>> negotiated = new java.util.concurrent.CopyOnWriteArrayList<>();

    @BeforeEach
    void start() {
        io.wirefly.core.WebSocketHandler echo = Recorder.echo();
        server = WebSocketServer.builder().bind(java.net.InetAddress.getLoopbackAddress()).port(0)
                .config(WebSocketConfig.builder().maxMessageSize(4 << 20).maxFrameSize(4 << 20).deflate(true).build())
                .route("/", echo).route("/echo", new io.wirefly.core.WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        negotiated.add(ws.request().extensions());
                    }

                    @Override
                    public void onText(WebSocket ws, String text) {
                        echo.onText(ws, text);
                    }

                    @Override
                    public void onBinary(WebSocket ws, ByteBuffer data) {
                        echo.onBinary(ws, data);
                    }
                }).build().start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    @Test
    void pythonWebsocketsClientAgainstOurServer() throws Exception {
        Peers.requirePythonWebsockets();
        String out = Peers.run(Duration.ofSeconds(60), Peers.PYTHON,
                Peers.script("python_client.py").toString(), "ws://127.0.0.1:" + server.port() + "/echo");
        assertTrue(out.contains("ALL OK"), out);
        assertTrue(out.contains("ok   invalid UTF-8 closed with 1007"), out);
        assertTrue(out.contains("ok   echo 2 within a 9-bit window"), out);
        // The deflate checks above would pass with deflate silently declined: the server must have agreed to it.
        assertTrue(negotiated.stream().anyMatch(e -> e.size() == 1 && e.get(0).startsWith("permessage-deflate")
                && e.get(0).contains("server_max_window_bits=9")), "negotiated: " + negotiated);
        assertTrue(negotiated.stream().anyMatch(List::isEmpty), "and the plain connections: " + negotiated);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ourClientAgainstAPythonWebsocketsServer(boolean deflate) throws Exception {
        Peers.requirePythonWebsockets();
        try (Peers.Server python = new Peers.Server(Peers.PYTHON, Peers.script("python_server.py").toString(),
                deflate ? "deflate" : "plain");
                WebSocketClient client = WebSocketClient.builder()
                        .config(WebSocketConfig.builder().deflate(deflate).maxMessageSize(4 << 20)
                                .maxFrameSize(4 << 20).build()).build()) {
            Recorder events = new Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + python.port + "/"), events)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals(deflate, ws.request().extensions().stream().anyMatch(e -> e.startsWith("permessage-deflate")),
                    "negotiated: " + ws.request().extensions());
            ws.sendText("hello python");
            assertEquals("hello python", events.next());
            byte[] blob = new byte[1 << 20];
            new Random(1).nextBytes(blob);
            ws.sendBinary(ByteBuffer.wrap(blob));
            assertArrayEquals(blob, (byte[]) events.next());
            String big = "compressible ".repeat(50_000);
            ws.sendText(big);
            assertEquals(big, events.next());
            ws.sendText("close-4001");
            assertEquals(4001, events.closeCode());
        }
    }

    @Test
    void ourClientHonoursASmallClientWindowDemandedByPython() throws Exception {
        // the server answers client_max_window_bits=9 and inflates with a 512-byte window (zlib wbits=-9): a
        // back-reference further back than that fails its decompressor and the server closes with 1007
        Peers.requirePythonWebsockets();
        try (Peers.Server python = new Peers.Server(Peers.PYTHON, Peers.script("python_server.py").toString(),
                "deflate-window9");
                WebSocketClient client = WebSocketClient.builder()
                        .config(WebSocketConfig.builder().deflate(true).deflateThreshold(0).build()).build()) {
            Recorder events = new Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + python.port + "/"), events)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            Random random = new Random(9);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 2000; i++) {
                text.append((char) ('a' + random.nextInt(10)));
            }
            // twice: with context takeover and a full window the second copy would point 2000 bytes back
            for (int i = 0; i < 2; i++) {
                ws.sendText(text);
                assertEquals(text.toString(), events.next());
            }
            ws.sendText("close-4001");
            assertEquals(4001, events.closeCode());
        }
    }

    @Test
    void jdkHttpClientWebSocketAgainstOurServer() throws Exception {
        LinkedBlockingQueue<String> texts = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<ByteBuffer> binaries = new LinkedBlockingQueue<>();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();
            private ByteBuffer binary = ByteBuffer.allocate(0);

            @Override
            public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    texts.add(text.toString());
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onBinary(java.net.http.WebSocket ws, ByteBuffer data, boolean last) {
                ByteBuffer joined = ByteBuffer.allocate(binary.remaining() + data.remaining());
                joined.put(binary).put(data).flip();
                binary = joined;
                if (last) {
                    binaries.add(binary);
                    binary = ByteBuffer.allocate(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(java.net.http.WebSocket ws, int code, String reason) {
                closed.complete(code);
                return null;
            }
        };
        java.net.http.WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .subprotocols("chat")
                .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/"), listener).get(10, TimeUnit.SECONDS);
        assertEquals("", ws.getSubprotocol(), "the server offers no subprotocol");
        ws.sendText("héllo from java.net.http", true).get(5, TimeUnit.SECONDS);
        assertEquals("héllo from java.net.http", texts.poll(10, TimeUnit.SECONDS));
        byte[] blob = new byte[300_000];
        new Random(2).nextBytes(blob);
        ws.sendBinary(ByteBuffer.wrap(blob), true).get(5, TimeUnit.SECONDS);
        ByteBuffer echoed = binaries.poll(10, TimeUnit.SECONDS);
        byte[] got = new byte[echoed.remaining()];
        echoed.get(got);
        assertArrayEquals(blob, got);
        // A message in two fragments comes back as one message.
        ws.sendText("frag", false).get(5, TimeUnit.SECONDS);
        ws.sendText("ment", true).get(5, TimeUnit.SECONDS);
        assertEquals("fragment", texts.poll(10, TimeUnit.SECONDS));
        ws.sendClose(4004, "done").get(5, TimeUnit.SECONDS);
        assertEquals(4004, closed.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(), List.copyOf(texts), "nothing else arrived");
    }
}
