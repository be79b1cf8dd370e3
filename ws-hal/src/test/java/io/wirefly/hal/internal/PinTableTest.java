package io.wirefly.hal.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.wirefly.hal.HalConfig;
import io.wirefly.hal.HalException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PinTableTest {

    private static final HalConfig CONFIG = HalConfig.builder()
            .output("a", 1).input("b", 2).output("c", 3).input("d", 4).build();

    private final OpenState open = new OpenState("test");

    @Test
    void createsEveryPinInDeclarationOrder() {
        List<String> created = new ArrayList<>();
        PinTable<String, String> table = new PinTable<>(CONFIG, open,
                p -> { created.add(p.name()); return "out:" + p.name(); },
                p -> { created.add(p.name()); return "in:" + p.name(); },
                p -> { });
        assertEquals(List.of("a", "b", "c", "d"), created);
        assertEquals("out:c", table.output("c"));
        assertEquals("in:b", table.input("b"));
        assertEquals(List.of("a", "c"), List.copyOf(table.outputs().keySet()));
    }

    @Test
    void aFailingPinReleasesTheOnesBeforeItInReverse() {
        List<String> released = new ArrayList<>();
        HalException busy = new HalException("c", HalException.Kind.BUSY, "taken");
        HalException thrown = assertThrows(HalException.class, () -> new PinTable<String, String>(CONFIG, open,
                p -> {
                    if (p.name().equals("c")) {
                        throw busy;
                    }
                    return p.name();
                },
                p -> p.name(),
                p -> released.add((String) p)));
        assertSame(busy, thrown);
        assertEquals(List.of("b", "a"), released);
    }

    @Test
    void closeAllVisitsEveryPinAndReportsTheFirstFailureWithTheOthersSuppressed() {
        PinTable<String, String> table = new PinTable<>(CONFIG, open, p -> p.name(), p -> p.name(), p -> { });
        List<String> visited = new ArrayList<>();
        HalException e = assertThrows(HalException.class, () -> table.closeAll(
                o -> {
                    visited.add(o);
                    if (o.equals("a")) {
                        throw new HalException("a", HalException.Kind.IO, "stuck");
                    }
                },
                i -> {
                    visited.add(i);
                    if (i.equals("d")) {
                        throw new IllegalStateException("driver bug");
                    }
                }));
        assertEquals(List.of("a", "c", "b", "d"), visited);
        assertEquals("pin 'a': stuck", e.getMessage());
        HalException wrapped = (HalException) e.getSuppressed()[0];
        assertEquals(HalException.Kind.IO, wrapped.kind());
        assertEquals("pin 'd': closing failed: java.lang.IllegalStateException: driver bug", wrapped.getMessage());
    }

    @Test
    void lookupsFailOnceClosed() {
        PinTable<String, String> table = new PinTable<>(CONFIG, open, p -> p.name(), p -> p.name(), p -> { });
        open.close();
        assertEquals(HalException.Kind.UNAVAILABLE, assertThrows(HalException.class, () -> table.output("a")).kind());
        assertEquals(HalException.Kind.UNAVAILABLE, assertThrows(HalException.class, () -> table.input("b")).kind());
    }
}
