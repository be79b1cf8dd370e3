package io.wirefly.core.internal.frame;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.SecureRandom;

/**
 * {@link MaskKeys#secure()}: keys drawn from a {@link SecureRandom} in batches, so that a frame costs no
 * allocation and no lock. {@code SecureRandom.nextInt()} allocates a 4-byte array per call and may synchronize;
 * here each thread that asks for keys has its own batch of {@value #BATCH} random bytes (64 keys), refilled from
 * the shared {@code SecureRandom} (thread-safe) when used up. Every key is still four bytes of the
 * {@code SecureRandom}'s output, used once, so keys stay as unpredictable as RFC 6455 §5.3 asks.
 *
 * <pre>{@code
 * MaskKeys keys = MaskKeys.secure();
 * int key = keys.nextKey();
 * }</pre>
 */
final class SecureMaskKeys implements MaskKeys {
    /** Random bytes fetched per refill: 64 keys. */
    static final int BATCH = 256;
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final SecureRandom random;
    private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(Batch::new);

    /** One thread's unused random bytes. */
    private static final class Batch {
        final byte[] bytes = new byte[BATCH];
        int next = BATCH;
    }

    /** @param random the source of every key; shared by all threads (SecureRandom is thread-safe) */
    SecureMaskKeys(SecureRandom random) {
        this.random = random;
    }

    @Override
    public int nextKey() {
        Batch batch = batches.get();
        if (batch.next == BATCH) {
            random.nextBytes(batch.bytes);
            batch.next = 0;
        }
        int key = (int) INTS.get(batch.bytes, batch.next);
        // Overwrite what was handed out, so the batch never keeps a key that is already on the wire.
        INTS.set(batch.bytes, batch.next, 0);
        batch.next += Integer.BYTES;
        return key;
    }
}
