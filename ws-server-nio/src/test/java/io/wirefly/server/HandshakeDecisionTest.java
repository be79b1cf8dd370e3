package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandshakeDecisionTest {

    @Test
    void headersAccumulateWithoutChangingTheOriginal() {
        HandshakeDecision plain = HandshakeDecision.accept();
        HandshakeDecision twoCookies = plain.header("Set-Cookie", "a=1").header("Set-Cookie", "b=2");
        assertTrue(plain.headers().isEmpty());
        assertEquals(List.of(Map.entry("Set-Cookie", "a=1"), Map.entry("Set-Cookie", "b=2")), twoCookies.headers());
        assertTrue(twoCookies.accepted());
        assertEquals(101, twoCookies.status());
        HandshakeDecision no = HandshakeDecision.reject(429, "slow down\n");
        assertFalse(no.accepted());
        assertEquals("slow down\n", no.body());
    }

    @Test
    void serverHeadersAndInjectionAreRefused() {
        for (String reserved : List.of("Upgrade", "connection", "Sec-WebSocket-Accept", "Content-Length",
                "Transfer-Encoding", "Sec-WebSocket-Protocol", "bad name", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> HandshakeDecision.accept().header(reserved, "x"), reserved);
            assertTrue(e.getMessage().contains("'" + reserved + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
                () -> HandshakeDecision.accept().header("X-A", "1\r\nX-Injected: 2"));
        assertThrows(IllegalArgumentException.class, () -> HandshakeDecision.reject(200, "ok"));
        assertThrows(IllegalArgumentException.class, () -> HandshakeDecision.reject(101, "no"));
    }
}
