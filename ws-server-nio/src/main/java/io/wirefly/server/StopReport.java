package io.wirefly.server;

/**
 * What {@link WebSocketServer#stop(java.time.Duration)} did.
 *
 * <pre>{@code
 * StopReport report = server.stop(Duration.ofSeconds(5));
 * System.out.println(report.closedCleanly() + " closed cleanly, " + report.forced() + " forced");
 * }</pre>
 *
 * @param closedCleanly connections that finished the closing handshake before the deadline
 * @param forced connections closed at the deadline without it
 */
public record StopReport(int closedCleanly, int forced) {
}
