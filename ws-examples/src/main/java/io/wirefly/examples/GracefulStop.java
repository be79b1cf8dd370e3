package io.wirefly.examples;

import io.wirefly.server.StopReport;
import io.wirefly.server.WebSocketServer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * How the example servers end on SIGTERM (systemd, Kubernetes, Ctrl+C): a JVM shutdown hook stops accepting, sends
 * every open connection 1001 "going away" after the messages already queued for it, waits up to
 * {@code --stop-timeout} seconds for the closing handshakes, then lets the process exit.
 *
 * <pre>{@code
 * WebSocketServer server = ...start();
 * GracefulStop.serveUntilStopped(server, Duration.ofSeconds(5), () -> { });
 * }</pre>
 */
final class GracefulStop {
    static final String OPTION = "--stop-timeout";

    private GracefulStop() {
    }

    /** @return the {@code --stop-timeout} in seconds (default 5) */
    static Duration timeout(Args args) {
        return Duration.ofSeconds(args.intValue(OPTION, 5, 1, 3600));
    }

    /**
     * Blocks the calling thread until the process is stopped; on SIGTERM the hook stops the server first.
     *
     * @param server the running server
     * @param timeout how long the hook waits for clean closes
     * @param after run after the server stopped (release hardware, say)
     */
    static void serveUntilStopped(WebSocketServer server, Duration timeout, Runnable after)
            throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            StopReport report = server.stop(timeout);
            System.err.println("stopped: " + report.closedCleanly() + " connections closed with 1001, "
                    + report.forced() + " forced");
            after.run();
        }, "wirefly-shutdown"));
        new CountDownLatch(1).await();
    }
}
