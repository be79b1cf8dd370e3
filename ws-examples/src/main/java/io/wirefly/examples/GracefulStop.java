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
 * GracefulStop.install(server, Duration.ofSeconds(5), () -> { });
 * System.out.println("listening");   // only now: a SIGTERM from here on closes cleanly
 * GracefulStop.awaitSignal();
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
     * Installs the shutdown hook. Call it before announcing the server: a SIGTERM that arrives between the two
     * would otherwise cut the connections without a close.
     *
     * @param server the running server
     * @param timeout how long the hook waits for clean closes
     * @param after run after the server stopped (release hardware, say)
     */
    static void install(WebSocketServer server, Duration timeout, Runnable after) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            StopReport report = server.stop(timeout);
            System.err.println("stopped: " + report.closedCleanly() + " connections closed with 1001, "
                    + report.forced() + " forced");
            after.run();
        }, "wirefly-shutdown"));
    }

    /** Blocks the calling thread until the process is stopped (the hook does the stopping). */
    static void awaitSignal() throws InterruptedException {
        new CountDownLatch(1).await();
    }
}
