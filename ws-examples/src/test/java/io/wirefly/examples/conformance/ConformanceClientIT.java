package io.wirefly.examples.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.wirefly.core.UpgradeRequest;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.WebSocketServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The conformance client against a stand-in for the suite's fuzzingserver: it must fetch the case count, run every
 * case with the agent name and echo what each case sends, then request the reports.
 */
class ConformanceClientIT {
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> echoed = new CopyOnWriteArrayList<>();

    @Test
    void runsEveryCaseAsAnEchoClientThenRequestsReports() throws Exception {
        WebSocketServer suite = WebSocketServer.builder()
                .port(0)
                .handshakeFilter(this::record)
                .route("/getCaseCount", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        ws.sendText("2");
                        ws.close(1000, "");
                    }
                })
                .route("/runCase", new EchoCase())
                .route("/updateReports", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        ws.close(1000, "");
                    }
                })
                .build()
                .start();
        try {
            assertEquals(0, ConformanceClient.run("ws://127.0.0.1:" + suite.port()));
        } finally {
            suite.stop(Duration.ofSeconds(2));
        }
        assertEquals(List.of("/getCaseCount?", "/runCase?case=1&agent=wirefly", "/runCase?case=2&agent=wirefly",
                "/updateReports?agent=wirefly"), requests);
        assertEquals(List.of("text:caf\u00e9", "binary:3", "text:caf\u00e9", "binary:3"), echoed);
    }

    private void record(UpgradeRequest request) {
        requests.add(request.path() + "?" + request.query());
    }

    /** Sends a text and a binary message, records their echoes, and ends the case once both came back. */
    private final class EchoCase implements WebSocketHandler {
        @Override
        public void onOpen(WebSocket ws) {
            ws.sendText("caf\u00e9");
            ws.sendBinary(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)));
        }

        @Override
        public void onText(WebSocket ws, String text) {
            echoed.add("text:" + text);
        }

        @Override
        public void onBinary(WebSocket ws, ByteBuffer data) {
            echoed.add("binary:" + data.remaining());
            ws.close(1000, "");
        }
    }
}
