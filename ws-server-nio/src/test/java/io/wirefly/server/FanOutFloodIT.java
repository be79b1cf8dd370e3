package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Amplification: every message on {@code /fan} is published to everyone there by a handler on a single-thread
 * executor (as on the LED board), 2,000 pages read all of it, and two peers flood such messages. Each one costs the server 2,000 writes, so the flood asks for far more than the
 * loops can write. New clients must still get in and be answered within seconds: before the broadcast backlog was
 * bounded and the loops ran their tasks a few milliseconds at a time, the loops ran thousands of queued broadcasts
 * between two looks at their sockets, and with the LED example a new page waited 13 s.
 */
class FanOutFloodIT {
    private static final int PAGES = 2_000;

    /** @return a non-blocking channel upgraded on {@code path} */
    private static SocketChannel upgraded(int port, String path) throws IOException {
        SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer one = ByteBuffer.allocate(1);
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {   // byte by byte: nothing after the head is taken
            one.clear();
            if (ch.read(one) < 0) {
                throw new IOException("closed during the upgrade: " + head);
            }
            head.append((char) one.get(0));
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("not upgraded: " + head);
        }
        ch.configureBlocking(false);
        return ch;
    }

    @Test
    void aFloodOfMessagesThatEachBroadcastToEveryoneDoesNotKeepNewClientsWaiting() throws Exception {
        AtomicReference<WebSocketServer> self = new AtomicReference<>();
        java.util.concurrent.ExecutorService gpio = java.util.concurrent.Executors.newSingleThreadExecutor();
        WebSocketServer server = WebSocketServer.builder().port(0).eventLoops(2).executor(gpio)   // as the LED board
                .route("/fan", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        ws.subscribe("fan");
                    }

                    @Override
                    public void onText(WebSocket ws, String text) {
                        self.get().publish("fan", text);
                    }
                })
                .route("/echo", Recorder.echo())
                .build().start();
        self.set(server);
        List<SocketChannel> pages = new ArrayList<>();   // the attackers are added too, to be closed at the end
        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicLong received = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            for (int i = 0; i < PAGES; i++) {
                pages.add(upgraded(server.port(), "/fan"));
            }
            List<SocketChannel> attackers = List.of(upgraded(server.port(), "/fan"), upgraded(server.port(), "/fan"));
            pages.addAll(attackers);
            for (SocketChannel ch : pages) {
                ch.register(selector, SelectionKey.OP_READ);   // the attackers are recipients too, and read
            }
            threads.add(new Thread(() -> {
                ByteBuffer sink = ByteBuffer.allocate(64 << 10);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                try {
                    while (flooding.get() && System.nanoTime() < end) {
                        selector.select(100);
                        for (SelectionKey k : selector.selectedKeys()) {
                            sink.clear();
                            int n = ((SocketChannel) k.channel()).read(sink);
                            if (n < 0) {
                                k.cancel();
                            } else {
                                received.addAndGet(n);
                            }
                        }
                        selector.selectedKeys().clear();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, "pages"));
            byte[] one = RawClient.maskedText("t");
            ByteBuffer batch = ByteBuffer.allocate(one.length * 4_000);
            while (batch.remaining() >= one.length) {
                batch.put(one);
            }
            for (SocketChannel attacker : attackers) {
                threads.add(new Thread(() -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    ByteBuffer mine = batch.duplicate();
                    try {
                        while (flooding.get() && System.nanoTime() < end) {
                            mine.clear();   // the whole batch again
                            while (mine.hasRemaining() && flooding.get()) {
                                if (attacker.write(mine) == 0) {
                                    Thread.sleep(1);   // the server stopped reading from us: TCP holds the rest
                                }
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        // the server closed the attacker: the flood ends
                    }
                }, "attacker"));
            }
            threads.forEach(Thread::start);

            Thread.sleep(1_000);   // the flood is on
            long before = received.get();
            HttpClient http = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                // connect, upgrade, echo and close, each within 5 s
                HandshakeLimitIT.honestClientEchoes(http, URI.create("ws://127.0.0.1:" + server.port() + "/echo"));
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(millis < 5_000, "a new client was served after " + millis + " ms");
                Thread.sleep(500);
            }
            assertTrue(received.get() - before > 1 << 20, "the pages were getting the broadcasts: "
                    + (received.get() - before) + " bytes while the new clients came");
        } finally {
            flooding.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
            for (SocketChannel ch : pages) {
                ch.close();
            }
            server.stop(Duration.ofSeconds(5));
            gpio.shutdown();
        }
    }
}
