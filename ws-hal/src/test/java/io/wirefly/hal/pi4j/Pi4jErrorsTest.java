package io.wirefly.hal.pi4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.pi4j.config.exception.ConfigException;
import com.pi4j.exception.InitializeException;
import com.pi4j.io.exception.IOAlreadyExistsException;
import com.pi4j.io.exception.IOException;
import com.pi4j.provider.exception.ProviderNotFoundException;
import io.wirefly.hal.HalException;
import org.junit.jupiter.api.Test;

class Pi4jErrorsTest {

    @Test
    void eachPi4jFailureGetsItsKind() {
        assertEquals(HalException.Kind.BUSY, Pi4jErrors.kind(new IOAlreadyExistsException("led")));
        assertEquals(HalException.Kind.BUSY, Pi4jErrors.kind(new InitializeException("Failed to initialize input",
                new RuntimeException("line request failed: Device or resource busy"))));
        assertEquals(HalException.Kind.UNAVAILABLE, Pi4jErrors.kind(new ProviderNotFoundException("gpiod")));
        assertEquals(HalException.Kind.UNAVAILABLE, Pi4jErrors.kind(new UnsatisfiedLinkError("libgpiod.so")));
        assertEquals(HalException.Kind.CONFIG, Pi4jErrors.kind(new ConfigException("address missing")));
        assertEquals(HalException.Kind.IO, Pi4jErrors.kind(new IOException("write failed")));
        assertEquals(HalException.Kind.IO, Pi4jErrors.kind(new IllegalStateException("?")));
    }

    @Test
    void theMessageNamesPinActionAndCause() {
        IOException cause = new IOException("write failed");
        HalException e = Pi4jErrors.map("led", "setting HIGH", cause);
        assertEquals("pin 'led': setting HIGH failed: IOException: write failed", e.getMessage());
        assertEquals(HalException.Kind.IO, e.kind());
        assertSame(cause, e.getCause());
    }
}
