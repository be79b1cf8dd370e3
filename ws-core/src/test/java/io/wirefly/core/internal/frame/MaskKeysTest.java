package io.wirefly.core.internal.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaskKeysTest {

    @Test
    void fixedAlwaysReturnsItsKey() {
        MaskKeys keys = MaskKeys.fixed(0x37fa213d);
        for (int i = 0; i < 3; i++) {
            assertEquals(0x37fa213d, keys.nextKey());
        }
    }

    @Test
    void secureKeysDiffer() {
        MaskKeys keys = MaskKeys.secure();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            seen.add(keys.nextKey());
        }
        // 64 draws from 2^32 values collide with probability below 1e-6.
        assertTrue(seen.size() >= 63, "distinct keys: " + seen.size());
        assertTrue(seen.stream().anyMatch(k -> k < 0) && seen.stream().anyMatch(k -> k > 0),
                "all 32 bits vary, the sign bit included: " + seen);
    }
}
