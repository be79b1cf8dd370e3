package io.wirefly.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HalExceptionTest {

    @Test
    void messageStartsWithThePin() {
        HalException e = new HalException("led", HalException.Kind.BUSY, "line 17 is used by another process");
        assertEquals("pin 'led': line 17 is used by another process", e.getMessage());
        assertEquals("led", e.pin());
        assertEquals(HalException.Kind.BUSY, e.kind());
    }

    @Test
    void withoutPinTheMessageIsTheDetail() {
        IllegalStateException cause = new IllegalStateException("x");
        HalException e = new HalException(null, HalException.Kind.UNAVAILABLE, "no board", cause);
        assertEquals("no board", e.getMessage());
        assertEquals("", e.pin());
        assertSame(cause, e.getCause());
        assertEquals("no board", new HalException("", HalException.Kind.IO, "no board").getMessage());
    }

    @Test
    void kindIsRequired() {
        assertThrows(NullPointerException.class, () -> new HalException("led", null, "x"));
    }
}
