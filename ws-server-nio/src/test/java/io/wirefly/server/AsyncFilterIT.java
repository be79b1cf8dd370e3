package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous handshake filter: decisions that arrive later from another thread, with a Set-Cookie on the 101
 * (read by Python websockets), a refusal's body (read from a raw socket), a frame the client sent before the 101 kept
 * for after it, a decision that never comes (the handshake timeout), and a stage that fails (500).
 */
class AsyncFilterIT {
    private static final Executor LATER = CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS);
    private WebSocketServer server;

    @BeforeEach
    void start() {
        WebSocketHandler echoUser = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                ws.sendText(ws.request().attribute("user", String.class).orElse("?") + ": " + text);
            }
        };
        server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .handshakeTimeout(Duration.ofSeconds(1))
                .asyncHandshakeFilter(request -> switch (request.path()) {
                    case "/never" -> new CompletableFuture<>();
                    case "/broken" -> CompletableFuture.supplyAsync(() -> {
                        throw new IllegalStateException("the identity service is down");
                    }, LATER);
                    case "/refused" -> CompletableFuture.failedFuture(new HandshakeException(401, "no token"));
                    default -> CompletableFuture.supplyAsync(() -> {
                        String user = request.queryParameter("user");
                        if (user == null) {
                            return HandshakeDecision.reject(403, "who are you?\n").header("X-Hint", "add ?user=");
                        }
                        request.attributes().put("user", user);
                        return HandshakeDecision.accept().header("Set-Cookie", "sid=42; HttpOnly")
                                .header("Set-Cookie", "theme=dark");
                    }, LATER);
                })
                .route("/chat", echoUser).route("/never", echoUser).route("/broken", echoUser)
                .route("/refused", echoUser).build().start();
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(2));
    }

    private static final String PYTHON = String.join("\n",
            "import asyncio, sys, websockets",
            "async def main():",
            "    async with websockets.connect(sys.argv[1]) as ws:",
            "        print('cookies', ws.response_headers.get_all('Set-Cookie'))",
            "        await ws.send('hi')",
            "        print('echo', await asyncio.wait_for(ws.recv(), 10))",
            "asyncio.run(main())");

    @Test
    void aLateAcceptAddsItsHeadersToThe101AndItsAttributesReachTheHandler() throws Exception {
        Peers.requirePythonWebsockets();
        String out = Peers.run(Duration.ofSeconds(60), Peers.PYTHON, "-c", PYTHON,
                "ws://127.0.0.1:" + server.port() + "/chat?user=ada");
        assertTrue(out.contains("cookies ['sid=42; HttpOnly', 'theme=dark']"), out);
        assertTrue(out.contains("echo ada: hi"), out);
    }

    @Test
    void aLateRejectSendsItsStatusHeadersAndBody() throws Exception {
        String response = new String(exchange("/chat", null), StandardCharsets.UTF_8);
        assertTrue(response.startsWith("HTTP/1.1 403 "), response);
        assertTrue(response.contains("\r\nX-Hint: add ?user=\r\n"), response);
        assertTrue(response.endsWith("\r\n\r\nwho are you?\n"), response);
        assertTrue(new String(exchange("/refused", null), StandardCharsets.UTF_8).startsWith("HTTP/1.1 401 "));
        assertTrue(new String(exchange("/broken", null), StandardCharsets.UTF_8).startsWith("HTTP/1.1 500 "),
                "a failed stage is a 500");
        assertEquals(0, server.metrics().openConnections());
    }

    @Test
    void aFrameSentBeforeThe101IsKeptForAfterTheLateAccept() throws Exception {
        byte[] payload = "early".getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[6 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) (0x80 | payload.length);
        byte[] mask = {1, 2, 3, 4};
        System.arraycopy(mask, 0, frame, 2, 4);
        for (int i = 0; i < payload.length; i++) {
            frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(concat(head("/chat?user=bo"), frame));   // one write: head and frame
            DataInputStream in = new DataInputStream(s.getInputStream());
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 101 "), head);
            assertEquals(0x81, in.readUnsignedByte());
            byte[] echo = new byte[in.readUnsignedByte()];
            in.readFully(echo);
            assertEquals("bo: early", new String(echo, StandardCharsets.UTF_8));
        }
    }

    @Test
    void aDecisionThatNeverComesIsEndedByTheHandshakeTimeout() throws Exception {
        long start = System.nanoTime();
        byte[] answer = exchange("/never?user=x", null);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(0, answer.length, "closed without an answer");
        assertTrue(millis >= 900 && millis < 8_000, "after the 1 s handshake timeout: " + millis + " ms");
        Peers.await(Duration.ofSeconds(5), "nothing left open", () -> server.metrics().openConnections() == 0);
    }

    private static byte[] head(String target) {
        return ("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** @return everything the server sent until it closed */
    private byte[] exchange(String target, byte[] more) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(more == null ? head(target) : concat(head(target), more));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    all.write(buf, 0, n);
                }
            } catch (java.net.SocketException reset) {
                // a reset after the answer counts as the end
            }
            return all.toByteArray();
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head: " + sb);
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
