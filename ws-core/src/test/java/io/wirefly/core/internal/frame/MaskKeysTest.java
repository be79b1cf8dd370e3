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

    @Test
    void secureKeysKeepVaryingAcrossBatchRefills() {
        MaskKeys keys = MaskKeys.secure();
        Set<Integer> seen = new HashSet<>();
        int n = 5 * SecureMaskKeys.BATCH / Integer.BYTES;
        for (int i = 0; i < n; i++) {
            seen.add(keys.nextKey());
        }
        // 320 draws from 2^32 values collide with probability about 1e-5.
        assertTrue(seen.size() >= n - 1, "distinct keys: " + seen.size() + " of " + n);
    }

    @Test
    void threadsDrawDifferentKeysFromOneSource() throws Exception {
        MaskKeys keys = MaskKeys.secure();
        int perThread = 100;
        int[] other = new int[perThread];
        Thread t = new Thread(() -> {
            for (int i = 0; i < perThread; i++) {
                other[i] = keys.nextKey();
            }
        });
        t.start();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < perThread; i++) {
            seen.add(keys.nextKey());
        }
        t.join(10_000);
        for (int k : other) {
            seen.add(k);
        }
        assertTrue(seen.size() >= 2 * perThread - 1, "distinct keys over two threads: " + seen.size());
    }

    /** A source that fills batches from a counter without allocating, and counts its refills. */
    private static final class CountingRandom extends java.security.SecureRandom {
        private static final long serialVersionUID = 1L;
        int refills;
        byte value;

        @Override
        public void nextBytes(byte[] bytes) {
            refills++;
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = value++;
            }
        }
    }

    private static long allocatedFor(MaskKeys keys, int n) {
        int sink = 0;
        for (int i = 0; i < 10_000; i++) {   // warm up: the thread's batch, the JIT
            sink ^= keys.nextKey();
        }
        Allocations.current();
        long before = Allocations.current();
        for (int i = 0; i < n; i++) {
            sink ^= keys.nextKey();
        }
        long allocated = Allocations.current() - before;
        return sink == 42 ? allocated + 0 : allocated;
    }

    @Test
    void keysComeFromTheSourceInBatchesAndCostNoAllocation() {
        CountingRandom random = new CountingRandom();
        SecureMaskKeys keys = new SecureMaskKeys(random);
        assertEquals(0x00010203, keys.nextKey(), "the first four bytes of the batch, big-endian");
        assertEquals(0x04050607, keys.nextKey());
        assertEquals(1, random.refills);
        int n = 64_000;
        long allocated = allocatedFor(keys, n);
        assertEquals(0, allocated, "bytes allocated for " + n + " keys besides the source's own");
        assertEquals(1 + (2 + 10_000 + n - 1) / (SecureMaskKeys.BATCH / Integer.BYTES), random.refills,
                "one refill per " + SecureMaskKeys.BATCH / Integer.BYTES + " keys");
    }

    @Test
    void secureKeysAllocateOnlyWhatTheSecureRandomAllocatesPerBatch() {
        int n = 100_000;
        long allocated = allocatedFor(MaskKeys.secure(), n);
        // SecureRandom.nextInt() allocates about 56 bytes per key on Linux (a 4-byte array and the native
        // PRNG's buffers); a batch refill costs the PRNG about 3 bytes per random byte, 12 per key.
        assertTrue(allocated < 16L * n, "bytes allocated for " + n + " keys: " + allocated);
    }
}
