package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code java -jar ws-examples.jar chat --cluster nats://...} three times on one NATS broker (Debian's
 * {@code nats-server}, started here), and again with {@code redis://...} on Debian's {@code redis-server}: a Python
 * {@code websockets} client on each process, all in the lobby, each sees every other's message exactly once.
 */
class ChatClusterIT {
    private static final Pattern LISTENING = Pattern.compile("chat page on http://localhost:(\\d+)/");

    private static final String PYTHON = String.join("\n",
            "import asyncio, sys, websockets",
            "async def main():",
            "    ports = sys.argv[1:]",
            "    clients = [await websockets.connect(f'ws://127.0.0.1:{p}/chat/lobby?nick=n{i}')",
            "               for i, p in enumerate(ports)]",
            "    await asyncio.sleep(1.0)   # the subscriptions reach the broker",
            "    for i, c in enumerate(clients):",
            "        await c.send(f'hello from n{i}')",
            "    for i, c in enumerate(clients):",
            "        seen = []",
            "        try:",
            "            while True:",
            "                m = await asyncio.wait_for(c.recv(), 1.5)",
            "                if ': hello from ' in m: seen.append(m)",
            "        except asyncio.TimeoutError:",
            "            pass",
            "        print(f'n{i}', sorted(seen))",
            "    for c in clients: await c.close()",
            "asyncio.run(main())");

    @ParameterizedTest
    @ValueSource(strings = {"nats", "redis"})
    void threeChatProcessesOnOneBrokerShareTheLobby(String scheme) throws Exception {
        Path program = Path.of(scheme.equals("nats") ? "/usr/sbin/nats-server" : "/usr/bin/redis-server");
        assertTrue(Files.isExecutable(program), "install " + program + " (bash .ci/install-peers.sh)");
        int brokerPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            brokerPort = s.getLocalPort();
        }
        List<String> brokerCommand = scheme.equals("nats")
                ? List.of(program.toString(), "-a", "127.0.0.1", "-p", Integer.toString(brokerPort))
                : List.of(program.toString(), "--bind", "127.0.0.1", "--port", Integer.toString(brokerPort), "--save",
                        "", "--appendonly", "no");
        Process broker = new ProcessBuilder(brokerCommand)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        List<Process> chats = new ArrayList<>();
        try {
            awaitPort(brokerPort, broker);
            List<String> ports = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Process chat = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar", Path.of("target", "ws-examples.jar").toString(), "chat", "--port", "0", "--cluster",
                        scheme + "://127.0.0.1:" + brokerPort).redirectErrorStream(true).start();
                chats.add(chat);
                ports.add(Integer.toString(portOf(chat)));
            }
            List<String> command = new ArrayList<>(List.of("/usr/bin/python3", "-c", PYTHON));
            command.addAll(ports);
            String out = Programs.run(command);
            String all = "['n0: hello from n0', 'n1: hello from n1', 'n2: hello from n2']";
            for (int i = 0; i < 3; i++) {
                assertTrue(out.contains("n" + i + " " + all), "each sees every message once:\n" + out);
            }
        } finally {
            for (Process p : chats) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            broker.destroy();
            broker.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitPort(int port, Process owner) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                assertTrue(probe.isConnected());
                return;
            } catch (IOException notYet) {
                assertTrue(System.nanoTime() < deadline && owner.isAlive(), "the broker did not start");
                Thread.sleep(50);
            }
        }
    }

    private static int portOf(Process chat) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        StringBuffer output = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(chat.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    output.append(line).append('\n');
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IOException("the chat process exited:\n" + output));
        }, "chat-output");
        reader.setDaemon(true);
        reader.start();
        return port.get(30, TimeUnit.SECONDS);
    }
}
