package io.wirefly.bench;

import io.wirefly.core.internal.frame.Masking;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * XOR-masking a payload in place (RFC 6455 §5.3): Wirefly's word-at-a-time {@code Masking.apply} against the
 * plain byte loop most implementations start from, on heap and direct buffers. Throughput in GB/s is
 * {@code size / score}; the harness computes it.
 *
 * <pre>{@code
 * java -cp ... org.openjdk.jmh.Main MaskingBenchmark -p size=65536
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MaskingBenchmark {
    /** Payload size in bytes. */
    @Param({"16", "125", "1024", "65536", "1048576"})
    public int size;

    /** {@code heap} or {@code direct}. */
    @Param({"heap", "direct"})
    public String memory;

    private ByteBuffer buffer;
    private byte[] array;
    private final byte[] key = {0x37, (byte) 0xFA, 0x21, 0x3D};

    /** Allocates and fills the payload. */
    @Setup
    public void setUp() {
        buffer = Payloads.buffer(Payloads.random(size, 7), "direct".equals(memory));
        array = buffer.hasArray() ? buffer.array() : null;
    }

    /**
     * @return the next key offset, so the call cannot be eliminated
     */
    @Benchmark
    public int wirefly() {
        return Masking.apply(buffer, 0, size, Payloads.MASK_KEY, 0);
    }

    /**
     * The baseline: one byte at a time, {@code b[i] ^= key[i & 3]}, on the array for heap buffers and through
     * absolute get/put for direct ones.
     *
     * @return a byte of the result, so the loop cannot be eliminated
     */
    @Benchmark
    public byte byteLoop() {
        byte[] k = key;
        int n = size;
        if (array != null) {
            byte[] b = array;
            for (int i = 0; i < n; i++) {
                b[i] ^= k[i & 3];
            }
            return b[0];
        }
        ByteBuffer b = buffer;
        for (int i = 0; i < n; i++) {
            b.put(i, (byte) (b.get(i) ^ k[i & 3]));
        }
        return b.get(0);
    }
}
