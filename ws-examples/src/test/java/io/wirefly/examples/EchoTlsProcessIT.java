package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.server.TlsContexts;
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
 * by openssl for this run: it serves wss to the JDK client, and picks up renewed files without a restart.
 */
class EchoTlsProcessIT {
    private static final Pattern LISTENING = Pattern.compile("echo server on wss://localhost:(\\d+)/");

    @TempDir
    Path dir;

    private Path[] selfSigned(String name) throws Exception {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + "-key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days",
                "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl req failed");
        return new Path[] {cert, key};
    }

    @Test
    void servesWssFromPemFilesAndReloadsRenewedFiles() throws Exception {
        Path[] first = selfSigned("first");
        Path[] second = selfSigned("second");
        Path cert = dir.resolve("fullchain.pem");
        Path key = dir.resolve("privkey.pem");
        Files.copy(first[0], cert);
        Files.copy(first[1], key);
        Path jar = Path.of("target", "ws-examples.jar");
        assertTrue(Files.isRegularFile(jar), "the shaded jar is built before the ITs run");
        Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "echo", "--port", "0", "--tls-cert", cert.toString(), "--tls-key",
                key.toString())).redirectErrorStream(true).start();
        try {
            CompletableFuture<Integer> port = new CompletableFuture<>();
            StringBuffer output = new StringBuffer();
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
            int p = port.get(30, TimeUnit.SECONDS);

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
