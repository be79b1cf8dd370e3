package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.protocol.InboundBudget;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Settings is a plain value: what goes in comes out, and two equal sets of settings are equal. */
class SettingsTest {

    @Test
    void carriesEveryValueAsGiven() {
        WebSocketConfig config = WebSocketConfig.builder().maxMessageSize(4096).build();
        Executor executor = Runnable::run;
        MetricsCollector metrics = new MetricsCollector(null);
        Settings s = new Settings(config, executor, 1, 2, 3, 4, 300, 100, 900, InboundBudget.UNLIMITED, OutboundTotal.UNLIMITED, metrics);
        assertSame(config, s.config());
        assertSame(executor, s.executor());
        assertEquals(1, s.handshakeTimeoutNanos());
        assertEquals(2, s.idleTimeoutNanos());
        assertEquals(3, s.pongTimeoutNanos());
        assertEquals(4, s.closeTimeoutNanos());
        assertEquals(300, s.highWaterMark());
        assertEquals(100, s.lowWaterMark());
        assertEquals(900, s.maxWriteBuffer());
        assertSame(metrics, s.metrics());
    }

    @Test
    void aNullExecutorMeansHandlersRunOnTheLoop() {
        Settings s = new Settings(WebSocketConfig.defaults(), null, 1, 0, 1, 1, 2, 1, 2, InboundBudget.UNLIMITED, OutboundTotal.UNLIMITED, new MetricsCollector(null));
        assertNull(s.executor());
        assertTrue(new Dispatcher(s.executor(), null).isInline());
    }

    @Test
    void equalityIsByValue() {
        MetricsCollector metrics = new MetricsCollector(null);
        Settings a = new Settings(WebSocketConfig.defaults(), null, 1, 0, 1, 1, 2, 1, 2, InboundBudget.UNLIMITED, OutboundTotal.UNLIMITED, metrics);
        Settings b = new Settings(WebSocketConfig.defaults(), null, 1, 0, 1, 1, 2, 1, 2, InboundBudget.UNLIMITED, OutboundTotal.UNLIMITED, metrics);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new Settings(WebSocketConfig.defaults(), null, 1, 5, 1, 1, 2, 1, 2, InboundBudget.UNLIMITED, OutboundTotal.UNLIMITED, metrics));
    }
}
