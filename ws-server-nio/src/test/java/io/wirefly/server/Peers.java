package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Runs independent peer programs (Python websockets, Node ws) and polls for conditions with a deadline. */
final class Peers {
    static final String PYTHON = "/usr/bin/python3";

    private Peers() {
    }

    /** Copies a test resource to a temporary file so an interpreter can run it. */
    static Path script(String resource) throws IOException {
        Path file = Files.createTempFile("wirefly-peer-", resource.replace('/', '-'));
        try (InputStream in = Peers.class.getResourceAsStream("/peers/" + resource)) {
            if (in == null) {
                throw new IOException("missing test resource /peers/" + resource);
            }
            Files.copy(in, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        file.toFile().deleteOnExit();
        return file;
    }

    static void requirePythonWebsockets() throws Exception {
        Process p = new ProcessBuilder(PYTHON, "-c", "import websockets").redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("Python websockets is missing: install Debian's python3-websockets (bash .ci/install-peers.sh)");
        }
    }

    /** Runs a program to completion; returns its output; fails the test on a non-zero exit or a timeout. */
    static String run(Duration timeout, String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        reader.start();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            fail("peer did not finish within " + timeout + ":\n" + output);
        }
        reader.join(5_000);
        synchronized (output) {
            assertTrue(p.exitValue() == 0, "peer exited with " + p.exitValue() + ":\n" + output);
            return output.toString();
        }
    }

    /** A long-running peer server that prints {@code PORT n} when ready. */
    static final class Server implements AutoCloseable {
        final Process process;
        final int port;
        final List<String> lines = new ArrayList<>();

        Server(String... command) throws Exception {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int found = -1;
            String line;
            while (found < 0 && System.nanoTime() < deadline && (line = r.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("PORT ")) {
                    found = Integer.parseInt(line.substring(5).trim());
                }
            }
            if (found < 0) {
                process.destroyForcibly();
                fail("peer server did not report a port: " + lines);
            }
            port = found;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Polls until the condition holds or the timeout passes; fails with the message then. */
    static void await(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
