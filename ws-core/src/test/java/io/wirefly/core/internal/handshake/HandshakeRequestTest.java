package io.wirefly.core.internal.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HandshakeRequestTest {

    @Test
    void holdsItsPartsAndRejectsNulls() {
        Headers h = new Headers();
        HandshakeRequest r = new HandshakeRequest("GET", "/a?b", "/a", "b", "HTTP/1.1", h);
        assertEquals("/a", r.path());
        assertEquals("b", r.query());
        assertThrows(NullPointerException.class, () -> new HandshakeRequest("GET", "/", "/", null, "HTTP/1.1", h));
        assertThrows(NullPointerException.class, () -> new HandshakeRequest("GET", "/", "/", "", "HTTP/1.1", null));
    }
}
