package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.ClosedException;
import io.wirefly.core.HandshakeException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Our client against our server. */
class ClientServerIT {

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void messagesEchoWithAndWithoutDeflate(boolean deflate) throws Exception {
        WebSocketConfig config = WebSocketConfig.builder().deflate(deflate).maxMessageSize(8 << 20)
                .maxFrameSize(8 << 20).build();
        WebSocketServer server = WebSocketServer.builder().port(0).config(config).subprotocols("v2", "v1")
                .route("/echo", Recorder.echo()).build().start();
        try (WebSocketClient client = WebSocketClient.builder().config(config).build()) {
            Recorder events = new Recorder();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/echo"), events,
                    List.of("v1", "v0"), Map.of("X-Test", "yes")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("v1", ws.subprotocol());
            assertEquals(ReadyState.OPEN, ws.readyState());
            Random random = new Random(3);
            for (int i = 0; i < 200; i++) {
                String text = "message " + i + " " + "x".repeat(random.nextInt(3000));
                ws.sendText(text);
                assertEquals(text, events.next());
            }
            byte[] big = new byte[5 << 20];
            random.nextBytes(big);
            ws.sendBinary(ByteBuffer.wrap(big)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertArrayEquals(big, (byte[]) events.next());
            ws.close(1000, "bye");
            assertEquals(1000, events.closeCode());
            ExecutionException late = assertThrows(ExecutionException.class,
                    () -> ws.sendText("late").toCompletableFuture().get(5, TimeUnit.SECONDS));
            assertInstanceOf(ClosedException.class, late.getCause());
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
        assertTrue(server.metrics().messagesIn() >= 201, "server counted the messages it received");
    }

    @Test
    void aRefusedHandshakeFailsTheConnectWithItsStatus() throws Exception {
        WebSocketServer server = WebSocketServer.builder().port(0).route("/only", Recorder.echo()).build().start();
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> client
                    .connect(URI.create("ws://127.0.0.1:" + server.port() + "/missing"), new Recorder())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS));
            HandshakeException h = assertInstanceOf(HandshakeException.class, e.getCause());
            assertEquals(404, h.httpStatus());
            assertEquals(1L, server.metrics().handshakesRejected().get(404));
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aConnectionRefusedFailsTheConnect() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (WebSocketClient client = WebSocketClient.builder().build()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> client
                    .connect(URI.create("ws://127.0.0.1:" + port + "/"), new Recorder())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS));
            assertInstanceOf(java.io.IOException.class, e.getCause());
        }
    }

    @Test
    void closingTheClientDeliversWhatWasQueuedBeforeTheCloseFrame() throws Exception {
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        WebSocketServer server = WebSocketServer.builder().port(0).route("/", new WebSocketHandler() {
            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                received.incrementAndGet();
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                closeCode.complete(code);
            }
        }).build().start();
        try {
            WebSocketClient client = WebSocketClient.builder().build();
            WebSocket ws = client.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"), new Recorder())
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 2_000; i++) {   // 8 MB queued faster than loopback drains it, then close at once
                ws.sendBinary(ByteBuffer.allocate(4096));
            }
            client.close();
            assertEquals(1001, closeCode.get(10, TimeUnit.SECONDS));
            assertEquals(2_000, received.get(), "every message sent before close() arrived before its close frame");
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }
}
