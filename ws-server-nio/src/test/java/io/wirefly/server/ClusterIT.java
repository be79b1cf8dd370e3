package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.cluster.BusStats;
import io.wirefly.server.cluster.Envelope;
import io.wirefly.server.cluster.NatsTopicBus;
import io.wirefly.server.cluster.RedisTopicBus;
import io.wirefly.server.cluster.TopicBus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Topics across three server nodes through a real broker, NATS (Debian's {@code nats-server}) and Redis (Debian's
 * {@code redis-server}), both installed by .ci/install-peers.sh and started here on a free loopback port: every
 * client sees every message once, local delivery goes on while the broker is down, and cross-node delivery comes back
 * after it returns.
 */
class ClusterIT {
    /** A broker program and the bus that talks to it. */
    enum Broker {
        NATS("/usr/sbin/nats-server"), REDIS("/usr/bin/redis-server");

        final Path program;

        Broker(String program) {
            this.program = Path.of(program);
        }

        List<String> command(int port) {
            return this == NATS ? List.of(program.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port))
                    : List.of(program.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(port), "--save",
                            "", "--appendonly", "no");
        }

        TopicBus bus(int port) throws IOException {
            return this == NATS
                    ? NatsTopicBus.connect("nats://127.0.0.1:" + port, Duration.ofMillis(100), 1 << 20)
                    : RedisTopicBus.connect("redis://127.0.0.1:" + port, Duration.ofMillis(100), 1 << 20);
        }
    }

    private Broker kind;
    private Process broker;
    private int brokerPort;
    private final List<WebSocketServer> nodes = new ArrayList<>();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void startBroker() throws Exception {
        assertTrue(Files.isExecutable(kind.program), "install " + kind.program + " (bash .ci/install-peers.sh)");
        broker = new ProcessBuilder(kind.command(brokerPort)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", brokerPort)) {
                assertTrue(probe.isConnected());
                return;
            } catch (IOException notYet) {
                assertTrue(System.nanoTime() < deadline && broker.isAlive(), kind.program + " did not start");
                Thread.sleep(50);
            }
        }
    }

    private void stopBroker() throws InterruptedException {
        broker.destroy();
        if (!broker.waitFor(5, TimeUnit.SECONDS)) {
            broker.destroyForcibly();
            broker.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        for (WebSocketServer n : nodes) {
            n.stop(Duration.ofSeconds(2));
        }
        if (broker != null) {
            stopBroker();
        }
    }

    /** A node whose /room connections join the topic "room" and publish what they send. */
    private WebSocketServer node() throws IOException {
        WebSocketHandler room = new WebSocketHandler() {
            @Override
            public void onOpen(WebSocket ws) {
                ws.subscribe("room");
            }

            @Override
            public void onText(WebSocket ws, String text) {
                ws.publish("room", text);
            }
        };
        WebSocketServer n = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .topicBus(kind.bus(brokerPort))
                .route("/room", room).build().start();
        nodes.add(n);
        return n;
    }

    @ParameterizedTest
    @EnumSource(Broker.class)
    void threeNodesShareATopicOnceEachAndSurviveTheBrokersRestart(Broker kind) throws Exception {
        this.kind = kind;
        brokerPort = freePort();
        startBroker();
        List<HandlerHooksIT.JdkPeer> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(HandlerHooksIT.JdkPeer.connect(node().port(), "/room"));
        }
        // the subscriptions reach the broker asynchronously: wait until a message crosses
        awaitCrossing(clients, "warm-up");

        for (int i = 0; i < 3; i++) {
            String text = "from node " + i;
            clients.get(i).ws.sendText(text, true).get(5, TimeUnit.SECONDS);
            for (HandlerHooksIT.JdkPeer c : clients) {
                assertEquals(text, c.texts.poll(10, TimeUnit.SECONDS));
            }
        }
        for (HandlerHooksIT.JdkPeer c : clients) {
            assertNull(c.texts.poll(300, TimeUnit.MILLISECONDS), "nothing twice");
        }
        assertTrue(nodes.get(0).topicBusStats().orElseThrow().published() >= 1);

        // a foreign publisher on the topic's channel: every node logs, drops and counts it; no client sees it
        injectGarbage(io.wirefly.server.internal.BusNames.channel("room"));
        Peers.await(Duration.ofSeconds(10), "every node counts the malformed message",
                () -> nodes.stream().allMatch(n -> n.topicBusStats().orElseThrow().malformed() == 1));
        for (HandlerHooksIT.JdkPeer c : clients) {
            assertNull(c.texts.poll(100, TimeUnit.MILLISECONDS), "nothing malformed is delivered");
        }

        stopBroker();
        Peers.await(Duration.ofSeconds(10), "the nodes see the broker gone",
                () -> nodes.stream().noneMatch(n -> n.topicBusStats().orElseThrow().connected()));
        // The broker stays down for 5 s. Local delivery goes on all along; what the nodes publish meanwhile is kept
        // up to the bus's bound (1 MiB here) and the rest dropped and counted.
        long downSince = System.nanoTime();
        for (int i = 0; System.nanoTime() - downSince < TimeUnit.SECONDS.toNanos(5); i++) {
            String text = "while the broker is down " + i;
            clients.get(0).ws.sendText(text, true).get(5, TimeUnit.SECONDS);
            assertEquals(text, clients.get(0).texts.poll(10, TimeUnit.SECONDS), "local delivery goes on");
            if (i == 0) {
                for (int k = 0; k < 40; k++) {   // 40 × 64 KiB on a topic nobody joined: 2.5 MiB for a 1 MiB bound
                    nodes.get(0).publish("bulk", java.nio.ByteBuffer.allocate(64 * 1024));
                }
            }
            Thread.sleep(250);
        }
        assertTrue(nodes.get(0).topicBusStats().orElseThrow().dropped() > 0,
                "past the bound, publishes are dropped and counted: " + nodes.get(0).topicBusStats().orElseThrow());
        for (HandlerHooksIT.JdkPeer c : clients.subList(1, 3)) {
            assertNull(c.texts.poll(10, TimeUnit.MILLISECONDS), "no broker, no cross-node delivery");
        }

        startBroker();
        long back = System.nanoTime();
        Peers.await(Duration.ofSeconds(10), "the nodes reconnect",
                () -> nodes.stream().allMatch(n -> n.topicBusStats().orElseThrow().connected()));
        // Cross-node delivery is back: a publish made now reaches every node. (What was published while the broker
        // was down was buffered and sent at the reconnect; a node that had not resubscribed yet missed it: both
        // brokers deliver at most once. It may arrive, never twice.)
        awaitCrossing(clients, "after the return");
        long crossed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
        clients.get(2).ws.sendText("back", true).get(5, TimeUnit.SECONDS);
        for (HandlerHooksIT.JdkPeer c : clients) {
            assertEquals("back", c.texts.poll(10, TimeUnit.SECONDS));
        }
        assertTrue(crossed < 2_000, "cross-node delivery back within 2 s of the broker's return: " + crossed + " ms");
        for (HandlerHooksIT.JdkPeer c : clients) {
            assertNull(c.texts.poll(300, TimeUnit.MILLISECONDS), "nothing twice");
        }
        BusStats stats = nodes.get(0).topicBusStats().orElseThrow();
        assertTrue(stats.reconnects() >= 1, stats.toString());
    }

    /** Publishes bytes that are not an envelope, in the broker's own text protocol, over a plain socket. */
    private void injectGarbage(String channel) throws IOException {
        String command = kind == Broker.NATS
                ? "CONNECT {\"verbose\":false}\r\nPUB " + channel + " 7\r\ngarbage\r\nPING\r\n"
                : "PUBLISH " + channel + " garbage\r\n";
        try (Socket s = new Socket("127.0.0.1", brokerPort)) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(command.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            byte[] reply = new byte[256];
            int n = s.getInputStream().read(reply);   // NATS: INFO (then PONG); Redis: the receiver count
            assertTrue(n > 0, "the broker answered");
            if (kind == Broker.NATS) {
                String all = new String(reply, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
                while (!all.contains("PONG")) {
                    int more = s.getInputStream().read(reply);
                    assertTrue(more > 0, "the broker answered the PING: " + all);
                    all += new String(reply, 0, more, java.nio.charset.StandardCharsets.US_ASCII);
                }
            }
        }
    }

    private static void awaitCrossing(List<HandlerHooksIT.JdkPeer> clients, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            clients.get(0).ws.sendText(text, true).get(5, TimeUnit.SECONDS);
            String there = clients.get(2).texts.poll(200, TimeUnit.MILLISECONDS);
            if (there != null) {
                break;
            }
            assertTrue(System.nanoTime() < deadline, "no message crossed the broker within 10 s");
        }
        Thread.sleep(300);
        for (HandlerHooksIT.JdkPeer c : clients) {
            List<String> seen = new ArrayList<>(c.texts);
            c.texts.clear();
            for (String t : new java.util.HashSet<>(seen)) {
                assertTrue(java.util.Collections.frequency(seen, t) == 1 || t.equals(text),
                        "a message arrived twice: " + t + " in " + seen);
            }
        }
    }

    @Test
    void envelopesNameTheirNodeAndMalformedOnesAreRefused() {
        UUID node = UUID.randomUUID();
        Envelope e = Envelope.decode(Envelope.encode(node, true, "h\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals(node, e.node());
        assertTrue(e.text());
        for (byte[] bad : List.of(new byte[3], "not an envelope at all".getBytes(),
                Envelope.encode(node, true, new byte[] {(byte) 0xC3}))) {
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Envelope.decode(bad));
        }
    }
}
