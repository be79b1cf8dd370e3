package io.wirefly.bench.loadtest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One echo server in its own JVM: started with {@link ProcessBuilder}, ready once it printed its readiness line and
 * accepts a TCP connection, measured through {@code /proc/<pid>} and its control protocol, stopped by PID.
 *
 * <pre>{@code
 * try (ServerProcess server = ServerProcess.start(ServerKind.NETTY, jvmArgs, logDir)) {
 *     long cpu = server.cpuNanos();
 * }
 * }</pre>
 */
final class ServerProcess implements AutoCloseable {
    private static final long READY_TIMEOUT_SECONDS = 60;

    private final ServerKind kind;
    private final Process process;
    private final int port;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final OutputStream control;

    private ServerProcess(ServerKind kind, Process process, int port) {
        this.kind = kind;
        this.process = process;
        this.port = port;
        this.control = process.getOutputStream();
        Thread reader = new Thread(this::readOutput, "stdout-" + kind.label());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts the server on a free port of 127.0.0.1 and waits (at most 60 s) until it is ready.
     *
     * @param jvmArgs options for the server's JVM (heap, GC)
     * @param log file that receives the server's standard error
     * @return the running server
     * @throws IOException if it cannot start or does not become ready in time (it is then stopped)
     */
    static ServerProcess start(ServerKind kind, List<String> jvmArgs, Path log) throws IOException {
        return start(kind, jvmArgs, List.of(), log);
    }

    /**
     * @param serverArgs options after the port, such as {@code --tls KEYSTORE.p12} for wss or
     *     {@code --bus nats://127.0.0.1:4222}
     * @see #start(ServerKind, List, Path)
     */
    static ServerProcess start(ServerKind kind, List<String> jvmArgs, List<String> serverArgs, Path log)
            throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(Pinning.serverPrefix());
        command.addAll(kind.command(jvmArgs, port, serverArgs));
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        ServerProcess server = new ServerProcess(kind, process, port);
        try {
            server.awaitReady();
        } catch (IOException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            return probe.getLocalPort();
        }
    }

    private void awaitReady() throws IOException {
        try {
            if (!ready.await(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IOException(kind.label() + " printed no readiness line within " + READY_TIMEOUT_SECONDS
                        + " s (alive: " + process.isAlive() + ")");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int attempt = 1; ; attempt++) {
                try (Socket probe = new Socket()) {
                    probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                    return;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline || !process.isAlive()) {
                        throw new IOException(kind.label() + " does not accept connections on port " + port
                                + " after " + attempt + " attempts", e);
                    }
                    Thread.sleep(50);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + kind.label(), e);
        }
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("READY ")) {
                    ready.countDown();
                } else if (line.startsWith("HEAP ")) {
                    replies.add(line);
                } else {
                    System.out.println("  [" + kind.label() + "] " + line);
                }
            }
        } catch (IOException e) {
            // The process ended; close() reports nothing more useful.
        }
    }

    ServerKind kind() {
        return kind;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    /**
     * @return the server's CPU time so far (all threads, user + system), nanoseconds
     * @throws IOException if the process is gone
     */
    long cpuNanos() throws IOException {
        return ProcStats.cpuNanos(process.pid());
    }

    /** @return the kernel part of {@link #cpuNanos()}, nanoseconds */
    long systemCpuNanos() throws IOException {
        return ProcStats.systemCpuNanos(process.pid());
    }

    /**
     * @return the server's resident set size, bytes
     * @throws IOException if the process is gone
     */
    long rssBytes() throws IOException {
        return ProcStats.rssBytes(process.pid());
    }

    /**
     * Asks the server to run a full GC and report its heap.
     *
     * @return used heap bytes after GC
     * @throws IOException if the server does not answer within 60 s
     */
    long heapAfterGc() throws IOException {
        replies.clear();
        control.write("gc\n".getBytes(StandardCharsets.US_ASCII));
        control.flush();
        try {
            String reply = replies.poll(60, TimeUnit.SECONDS);
            if (reply == null) {
                throw new IOException(kind.label() + " did not answer the gc command within 60 s");
            }
            return Long.parseLong(reply.split(" ")[1]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + kind.label(), e);
        }
    }

    /** Asks the server to stop; after 10 s sends SIGTERM to its PID, after 10 s more SIGKILL. */
    @Override
    public void close() {
        try {
            control.write("stop\n".getBytes(StandardCharsets.US_ASCII));
            control.close();
        } catch (IOException e) {
            // Already gone: fall through to the PID checks.
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroy);
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    ProcessHandle.of(process.pid()).ifPresent(ProcessHandle::destroyForcibly);
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
