package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PEM files as openssl (and certbot) write them, loaded by {@link TlsContexts}, served, trusted by a client, and
 * replaced on a running server by {@link WebSocketServer#reloadTls}. Keys and certificates are made per run.
 */
class TlsContextsIT {
    @TempDir
    Path dir;

    /** A self-signed EC certificate for localhost / 127.0.0.1: {@code name.pem} and {@code name-key.pem} (PKCS#8). */
    private Path[] selfSigned(String name) throws Exception {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + "-key.pem");
        Peers.run(Duration.ofSeconds(60), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        return new Path[] {cert, key};
    }

    @Test
    void aServerFromPemFilesIsTrustedByAClientFromThePemCertificateAndAReloadSwapsTheCertificate() throws Exception {
        Path[] first = selfSigned("first");
        Path[] second = selfSigned("second");
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .tls(TlsContexts.fromPem(first[0], first[1])).route("/echo", Recorder.echo()).build().start();
        try {
            assertEquals("hi", echo(server, TlsContexts.trusting(first[0])));
            ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> echo(server, TlsContexts.trusting(second[0])));
            assertTrue(hasCause(refused, SSLHandshakeException.class), refused.toString());

            server.reloadTls(TlsContexts.fromPem(second[0], second[1]));
            assertEquals("hi", echo(server, TlsContexts.trusting(second[0])), "new connections get the new one");
            assertThrows(ExecutionException.class, () -> echo(server, TlsContexts.trusting(first[0])));
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
        WebSocketServer plain = WebSocketServer.builder().port(0).route("/", Recorder.echo()).build().start();
        try {
            assertThrows(IllegalStateException.class, () -> plain.reloadTls(TlsContexts.trusting(first[0])));
        } finally {
            plain.stop(Duration.ofSeconds(1));
        }
    }

    @Test
    void keysInOtherFormatsAndFilesWithoutCertificatesGetAnErrorThatSaysWhatToDo() throws Exception {
        Path[] pair = selfSigned("ok");
        Path rsaTraditional = dir.resolve("rsa-pkcs1.pem");
        Peers.run(Duration.ofSeconds(60), "openssl", "genrsa", "-traditional", "-out", rsaTraditional.toString(),
                "2048");
        IOException pkcs1 = assertThrows(IOException.class, () -> TlsContexts.fromPem(pair[0], rsaTraditional));
        assertTrue(pkcs1.getMessage().contains("openssl pkcs8 -topk8 -nocrypt"), pkcs1.getMessage());

        IOException noCert = assertThrows(IOException.class, () -> TlsContexts.fromPem(pair[1], pair[1]));
        assertTrue(noCert.getMessage().contains("holds no PEM certificate"), noCert.getMessage());

        Path[] other = selfSigned("other");
        IOException mismatch = assertThrows(IOException.class, () -> TlsContexts.fromPem(pair[0], other[1]));
        assertTrue(mismatch.getMessage().contains("does not go with the certificate"), mismatch.getMessage());

        Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        assertThrows(IOException.class, () -> TlsContexts.trusting(empty));
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    /** One text echo through the JDK client over wss, trusting {@code trust}. */
    private static String echo(WebSocketServer server, SSLContext trust) throws Exception {
        CompletableFuture<String> text = new CompletableFuture<>();
        java.net.http.WebSocket.Listener listener = new java.net.http.WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                text.complete(data.toString());
                return null;
            }
        };
        HttpClient http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(10)).build();
        java.net.http.WebSocket ws = http.newWebSocketBuilder()
                .buildAsync(URI.create("wss://localhost:" + server.port() + "/echo"), listener)
                .get(10, TimeUnit.SECONDS);
        ws.sendText("hi", true).get(10, TimeUnit.SECONDS);
        String got = text.get(10, TimeUnit.SECONDS);
        ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        return got;
    }
}
