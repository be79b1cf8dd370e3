package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.TlsContexts;
import io.wirefly.server.WebSocketClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar ws-examples.jar echo --tls-cert FILE --tls-key FILE} as an operator runs it, with PEM files made
 * by openssl for this run: it serves wss to the JDK client, and picks up renewed files without a restart; with
 * {@code --same-port} it serves wss and ws on one port to every independent peer we test with.
 */
class EchoTlsProcessIT {
    private static final Pattern LISTENING = Pattern.compile("echo server on wss://localhost:(\\d+)/");

    @TempDir
    Path dir;

    private Path[] selfSigned(String name) throws Exception {
        return Programs.selfSigned(dir, name);
    }

    @Test
    void servesWssFromPemFilesAndReloadsRenewedFiles() throws Exception {
        Path[] first = selfSigned("first");
        Path[] second = selfSigned("second");
        Path cert = dir.resolve("fullchain.pem");
        Path key = dir.resolve("privkey.pem");
        Files.copy(first[0], cert);
        Files.copy(first[1], key);
        Process process = startEcho("--tls-cert", cert.toString(), "--tls-key", key.toString());
        try {
            StringBuffer output = new StringBuffer();
            int p = portOf(process, output);

            assertEquals("over wss", echo(p, TlsContexts.trusting(first[0]), "over wss"));

            // certbot renews: both files are replaced. New connections get the new certificate within ~10 s.
            Files.copy(second[0], cert, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(second[1], key, StandardCopyOption.REPLACE_EXISTING);
            SSLContext trustSecond = TlsContexts.trusting(second[0]);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
            String got = null;
            while (got == null && System.nanoTime() < deadline) {
                try {
                    got = echo(p, trustSecond, "renewed");
                } catch (ExecutionException notYet) {
                    Thread.sleep(500);
                }
            }
            assertEquals("renewed", got, "the renewed certificate is served:\n" + output);
            assertTrue(output.toString().contains("reloaded the TLS certificate"), output.toString());
            assertThrows(ExecutionException.class, () -> echo(p, TlsContexts.trusting(first[0]), "old"));
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts {@code java -jar ws-examples.jar echo --port 0} with more arguments. */
    private static Process startEcho(String... more) throws IOException {
        Path jar = Path.of("target", "ws-examples.jar");
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before the ITs run");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar.toString(), "echo", "--port", "0"));
        command.addAll(List.of(more));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Copies the process's output into {@code output} on a thread; returns the port it prints. */
    private static int portOf(Process process, StringBuffer output) throws Exception {
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
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
            port.completeExceptionally(new IOException("the echo server exited:\n" + output));
        }, "echo-output");
        reader.setDaemon(true);
        reader.start();
        return port.get(30, TimeUnit.SECONDS);
    }

    /**
     * {@code echo --tls-cert --tls-key --same-port}: one port serves wss:// and ws:// to the JDK client, our client,
     * Python websockets (with {@code ssl.create_default_context(cafile=...)}) and Node's ws, each over both schemes.
     */
    @Test
    void samePortServesWssAndWsToEveryPeer() throws Exception {
        Path[] pair = selfSigned("localhost");
        Process process = startEcho("--tls-cert", pair[0].toString(), "--tls-key", pair[1].toString(), "--same-port");
        try {
            StringBuffer output = new StringBuffer();
            int p = portOf(process, output);
            assertTrue(output.toString().contains("and ws://localhost:" + p + "/"), output.toString());
            SSLContext trust = TlsContexts.trusting(pair[0]);

            assertEquals("jdk wss", echo(p, trust, "jdk wss"));
            assertEquals("jdk ws", plainEcho(p, "jdk ws"));

            for (String scheme : List.of("wss", "ws")) {
                URI uri = URI.create(scheme + "://localhost:" + p + "/echo");
                try (WebSocketClient client = WebSocketClient.builder().tls(trust).build()) {
                    CompletableFuture<String> got = new CompletableFuture<>();
                    io.wirefly.core.WebSocket ws = client.connect(uri, new WebSocketHandler() {
                        @Override
                        public void onText(io.wirefly.core.WebSocket w, String text) {
                            got.complete(text);
                        }
                    }).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    ws.sendText("wirefly " + scheme);
                    assertEquals("wirefly " + scheme, got.get(10, TimeUnit.SECONDS));
                    ws.close(1000, "");
                }

                String python = Programs.run(List.of("/usr/bin/python3", "-c", PYTHON_ECHO, uri.toString(), pair[0].toString()));
                assertTrue(python.contains("echoed python over " + scheme), python);

                Path node = Path.of("..", "ws-server-nio", "src", "test", "node");
                if (!Files.isDirectory(node.resolve("node_modules").resolve("ws"))) {
                    Programs.run(List.of("npm", "ci", "--prefix", node.toString(), "--no-audit", "--no-fund"));
                }
                String out = Programs.run(List.of("node", node.resolve("node_client.js").toString(), uri.toString(), "deflate",
                        pair[0].toString()));
                assertTrue(out.contains("ALL OK"), out);
            }
            assertTrue(process.isAlive(), output.toString());
        } finally {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Python websockets: connect (trusting only the given PEM for wss), send one text, print what came back. */
    private static final String PYTHON_ECHO = String.join("\n",
            "import asyncio, ssl, sys, websockets",
            "url, ca = sys.argv[1], sys.argv[2]",
            "scheme = url.split(':')[0]",
            "async def main():",
            "    tls = {'ssl': ssl.create_default_context(cafile=ca)} if scheme == 'wss' else {}",
            "    async with websockets.connect(url, **tls) as ws:",
            "        await ws.send('python over ' + scheme)",
            "        print('echoed', await asyncio.wait_for(ws.recv(), 10))",
            "asyncio.run(main())");

    private static String plainEcho(int port, String text) throws Exception {
        Peer peer = Peer.connect("ws://localhost:" + port + "/echo");
        peer.send(text);
        String answer = peer.next();
        peer.ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        return answer;
    }

    private static String echo(int port, SSLContext trust, String text) throws Exception {
        CompletableFuture<String> got = new CompletableFuture<>();
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                got.complete(data.toString());
                return null;
            }
        };
        HttpClient http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build();
        java.net.http.WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(URI.create("wss://localhost:" + port + "/echo"), listener).get(10, TimeUnit.SECONDS);
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
        String answer = got.get(10, TimeUnit.SECONDS);
        ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        return answer;
    }
}
