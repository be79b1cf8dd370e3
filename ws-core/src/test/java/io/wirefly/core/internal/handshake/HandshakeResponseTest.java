package io.wirefly.core.internal.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HandshakeResponseTest {

    @Test
    void statusMustBeAnHttpStatus() {
        assertEquals(101, new HandshakeResponse("HTTP/1.1", 101, "", new Headers()).status());
        assertThrows(IllegalArgumentException.class, () -> new HandshakeResponse("HTTP/1.1", 99, "", new Headers()));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeResponse("HTTP/1.1", 600, "", new Headers()));
        assertThrows(NullPointerException.class, () -> new HandshakeResponse("HTTP/1.1", 200, null, new Headers()));
    }
}
