package io.wirefly.bench.loadtest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.bench.Payloads;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ClientFramesTest {
    @Test
    void maskedFramesMatchTheIndependentlyBuiltBenchmarkFrames() {
        for (int size : new int[] {0, 1, 125, 126, 127, 65535, 65536, 100_000}) {
            byte[] payload = ClientFrames.payload(size, size);
            ByteBuffer frame = ClientFrames.masked(ClientFrames.BINARY, payload, Payloads.MASK_KEY);
            byte[] bytes = new byte[frame.remaining()];
            frame.duplicate().get(bytes);
            assertArrayEquals(Payloads.maskedFrame(ClientFrames.BINARY, payload, Payloads.MASK_KEY), bytes,
                    "size " + size);
        }
    }

    @Test
    void upgradeRequestIsAGetWithTheWebSocketHeaders() {
        ByteBuffer request = ClientFrames.upgradeRequest("127.0.0.1:9000", "/broadcast");
        String head = StandardCharsets.US_ASCII.decode(request.duplicate()).toString();
        assertTrue(head.startsWith("GET /broadcast HTTP/1.1\r\n"), head);
        assertTrue(head.contains("\r\nUpgrade: websocket\r\n"), head);
        assertTrue(head.contains("\r\nSec-WebSocket-Version: 13\r\n"), head);
        assertTrue(head.endsWith("\r\n\r\n"), head);
    }
}
