package io.wirefly.bench;

import io.wirefly.core.internal.protocol.Utf8Validator;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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
 * Validating a text message's bytes as strict UTF-8 (RFC 6455 §8.1): Wirefly's incremental {@code Utf8Validator}
 * against the JDK's {@code CharsetDecoder} with {@code REPORT} on malformed input (reused decoder and output
 * buffer, its best case), which is how a validator is usually built on the JDK.
 *
 * <pre>{@code
 * java -cp ... org.openjdk.jmh.Main Utf8ValidationBenchmark -p shape=mixed
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Utf8ValidationBenchmark {
    /** Text size in bytes. */
    @Param({"125", "65536"})
    public int size;

    /** {@code ascii} or {@code mixed} (see {@link Payloads#text}). */
    @Param({"ascii", "mixed"})
    public String shape;

    private byte[] bytes;
    private ByteBuffer input;
    private final Utf8Validator validator = new Utf8Validator();
    private CharsetDecoder decoder;
    private CharBuffer output;

    /** Builds the text and a decoder sized for it. */
    @Setup
    public void setUp() {
        bytes = Payloads.text(size, shape);
        input = ByteBuffer.wrap(bytes);
        decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        output = CharBuffer.allocate(size);
    }

    /**
     * @return true: the text is valid
     */
    @Benchmark
    public boolean wirefly() {
        validator.reset();
        return validator.feed(bytes, 0, bytes.length) < 0 && validator.isComplete();
    }

    /**
     * @return true: the text is valid
     * @throws CharacterCodingException never for this input
     */
    @Benchmark
    public boolean jdkCharsetDecoder() throws CharacterCodingException {
        decoder.reset();
        input.clear();
        output.clear();
        CoderResult result = decoder.decode(input, output, true);
        if (result.isError()) {
            result.throwException();
        }
        return !decoder.flush(output).isError();
    }
}
