package io.wirefly.examples.conformance;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.WebSocketClient;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The echo client that the Autobahn|Testsuite's fuzzingserver tests. It asks the suite how many cases there are
 * ({@code /getCaseCount}), runs each one ({@code /runCase?case=N&agent=wirefly}) by echoing every message until the
 * suite closes the connection, then asks it to write its reports ({@code /updateReports?agent=wirefly}).
 * permessage-deflate is offered, so sections 12 and 13 negotiate it. Exit status 0 when every case was run,
 * 1 when the suite could not be reached or a case could not be opened. {@code ws-examples/conformance/run.sh}
 * starts it.
 *
 * <pre>{@code
 * java -cp ws-core/target/classes:ws-server-nio/target/classes:ws-examples/target/classes \
 *     io.wirefly.examples.conformance.ConformanceClient ws://127.0.0.1:9001
 * }</pre>
 */
public final class ConformanceClient {
    private static final String AGENT = "wirefly";
    /** The longest a case may run; the suite ends every case well within it. */
    private static final long CASE_TIMEOUT_SECONDS = 300;
    /** The suite closes the report connection once written, or never when its report writer fails. */
    private static final long REPORT_TIMEOUT_SECONDS = 60;

    private ConformanceClient() {
    }

    /**
     * Runs every case of the fuzzingserver, then asks it for its reports.
     *
     * @param args optionally the suite's base URI (default {@code ws://127.0.0.1:9001})
     * @throws Exception when the suite does not answer the case count in time
     */
    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "ws://127.0.0.1:9001";
        WebSocketConfig config = WebSocketConfig.builder()
                .maxFrameSize(ConformanceServer.LIMIT)
                .maxMessageSize(ConformanceServer.LIMIT)
                .deflate(true)
                .build();
        int failures = 0;
        try (WebSocketClient client = WebSocketClient.builder().config(config).build()) {
            Session count = Session.open(client, URI.create(base + "/getCaseCount"), false);
            String outcome = count.closed.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            String text = count.firstText.getNow(null);
            if (text == null) {
                System.out.println("no case count from " + base + " (" + outcome + ")");
                System.exit(1);
            }
            int cases = Integer.parseInt(text.trim());
            System.out.println("cases: " + cases);
            for (int n = 1; n <= cases; n++) {
                URI uri = URI.create(base + "/runCase?case=" + n + "&agent=" + AGENT);
                String result = Session.run(client, uri, true, CASE_TIMEOUT_SECONDS);
                failures += result.startsWith("closed") ? 0 : 1;
                System.out.println("case " + n + "/" + cases + ": " + result);
            }
            URI reports = URI.create(base + "/updateReports?agent=" + AGENT);
            System.out.println("updateReports: " + Session.run(client, reports, false, REPORT_TIMEOUT_SECONDS));
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    /** One connection: optionally echoes, records the first text message and completes when closed. */
    private static final class Session implements WebSocketHandler {
        final CompletableFuture<String> firstText = new CompletableFuture<>();
        final CompletableFuture<String> closed = new CompletableFuture<>();
        private final boolean echo;

        private Session(boolean echo) {
            this.echo = echo;
        }

        static Session open(WebSocketClient client, URI uri, boolean echo) {
            Session session = new Session(echo);
            client.connect(uri, session).whenComplete((ws, error) -> {
                if (error != null) {
                    session.closed.complete("not opened: " + error);
                }
            });
            return session;
        }

        /** Returns "closed CODE" when the connection ended, or why it did not. */
        static String run(WebSocketClient client, URI uri, boolean echo, long timeoutSeconds)
                throws InterruptedException {
            try {
                return open(client, uri, echo).closed.get(timeoutSeconds, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                return "still open after " + timeoutSeconds + " s";
            } catch (ExecutionException e) {
                return "failed: " + e.getCause();
            }
        }

        @Override
        public void onText(WebSocket ws, String text) {
            firstText.complete(text);
            if (echo) {
                ws.sendText(text);
            }
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            if (echo) {
                ws.sendBinary(data);
            }
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            closed.complete("closed " + code);
        }
    }
}
