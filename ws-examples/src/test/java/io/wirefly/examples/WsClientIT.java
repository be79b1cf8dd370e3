package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.server.WebSocketServer;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The terminal client and the launcher, run as a user runs them: {@code java -jar ws-examples.jar ...}. */
class WsClientIT {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    private static final String JAR = Path.of("target", "ws-examples.jar").toString();

    private record Result(int status, String out, String err) {
    }

    private static Result run(String stdin, String... args) throws Exception {
        String[] command = new String[args.length + 3];
        command[0] = JAVA;
        command[1] = "-jar";
        command[2] = JAR;
        System.arraycopy(args, 0, command, 3, args.length);
        File out = File.createTempFile("wsclient", ".out");
        File err = File.createTempFile("wsclient", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out).redirectError(err).start();
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the client did not exit");
            }
            return new Result(p.exitValue(), java.nio.file.Files.readString(out.toPath()),
                    java.nio.file.Files.readString(err.toPath()));
        } finally {
            java.nio.file.Files.deleteIfExists(out.toPath());
            java.nio.file.Files.deleteIfExists(err.toPath());
        }
    }

    @Test
    void stdinLinesGoToTheServerAndEchoesComeBack() throws Exception {
        WebSocketServer echo = EchoServer.start(0, 1 << 20);
        try {
            Result r = run("hello\nsecond line\n", "client", "ws://127.0.0.1:" + echo.port() + "/echo");
            assertEquals(0, r.status(), r.err());
            assertEquals("< hello\n< second line\n", r.out());
        } finally {
            echo.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void wssWithTrustEchoesAndWithoutItTheUntrustedServerIsAOneLineError(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days",
                "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1")
                .redirectErrorStream(true).start();
        openssl.getInputStream().readAllBytes();
        assertTrue(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0, "openssl req failed");
        WebSocketServer echo = EchoServer.start(0, 1 << 20, io.wirefly.server.TlsContexts.fromPem(cert, key));
        try {
            String url = "wss://localhost:" + echo.port() + "/echo";
            Result r = run("over tls\n", "client", url, "--trust", cert.toString());
            assertEquals(0, r.status(), r.err());
            assertEquals("< over tls\n", r.out());

            Result untrusted = run("", "client", url);
            assertEquals(1, untrusted.status());
            assertEquals(1, untrusted.err().strip().lines().count(), untrusted.err());
            assertTrue(untrusted.err().startsWith("cannot connect to " + url), untrusted.err());
        } finally {
            echo.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void aRefusedConnectionExitsNonZeroWithOneLine() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result r = run("", "client", "ws://127.0.0.1:" + port + "/");
        assertEquals(1, r.status());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("cannot connect to ws://127.0.0.1:" + port), r.err());
    }

    @Test
    void badFlagsPrintAnErrorAndTheUsageAndExit2() throws Exception {
        Result r = run("", "echo", "--port", "nope");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: --port must be a number, was nope"), r.err());
        assertTrue(r.err().contains("usage:"), r.err());
        Result help = run("", "led", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--hal simulated|pi4j"), help.out());
    }
}
