package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the other programs the examples' tests need: peers (Python, Node, npm) and openssl for certificates. */
final class Programs {
    private Programs() {
    }

    /** Runs a program to completion within 90 s; fails unless it exits 0; returns its output. */
    static String run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish within 90 s");
        }
        String output = out.get(10, TimeUnit.SECONDS);
        assertEquals(0, p.exitValue(), command.get(0) + ":\n" + output);
        return output;
    }

    /** @return {@code [cert.pem, key.pem]}: a self-signed EC certificate for localhost and 127.0.0.1, by openssl */
    static Path[] selfSigned(Path dir, String name) throws Exception {
        Path cert = dir.resolve(name + ".pem");
        Path key = dir.resolve(name + "-key.pem");
        run(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost", "-addext",
                "subjectAltName=DNS:localhost,IP:127.0.0.1"));
        return new Path[] {cert, key};
    }
}
