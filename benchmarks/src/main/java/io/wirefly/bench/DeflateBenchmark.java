package io.wirefly.bench;

import io.wirefly.core.internal.deflate.MessageDeflater;
import io.wirefly.core.internal.deflate.MessageInflater;
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
import org.openjdk.jmh.annotations.TearDown;

/**
 * A permessage-deflate round trip (RFC 7692): compress one JSON-like text message with Wirefly's
 * {@code MessageDeflater}, then inflate it with {@code MessageInflater}. Both sides run without context
 * takeover, so every call does the same work (with context takeover, repeating one message would compress to
 * almost nothing and measure a best case).
 *
 * <pre>{@code
 * java -cp ... org.openjdk.jmh.Main DeflateBenchmark -p size=1024
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DeflateBenchmark {
    /** Message size in bytes. */
    @Param({"125", "1024", "65536"})
    public int size;

    private ByteBuffer message;
    private MessageDeflater deflater;
    private MessageInflater inflater;
    private long inflated;
    private final MessageInflater.Sink sink = (bytes, offset, length) -> inflated += length + bytes[offset];

    /** Creates the message and the codec pair. */
    @Setup
    public void setUp() {
        message = ByteBuffer.wrap(Payloads.text(size, "ascii"));
        deflater = new MessageDeflater(6, true);
        inflater = new MessageInflater(true, 1 << 20);
    }

    /** Frees the native zlib state. */
    @TearDown
    public void tearDown() {
        deflater.close();
        inflater.close();
    }

    /**
     * @return a running count of inflated bytes, so the work cannot be eliminated
     */
    @Benchmark
    public long roundTrip() {
        ByteBuffer compressed = deflater.compress(message);
        inflater.inflate(compressed, sink);
        inflater.finish(sink);
        return inflated;
    }
}
