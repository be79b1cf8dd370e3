package io.wirefly.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import io.wirefly.core.Role;
import io.wirefly.core.internal.frame.FrameEncoder;
import io.wirefly.core.internal.frame.MaskKeys;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.framing.Framedata;
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
 * Encoding one masked binary frame, as a client sends it, each library with its default mask key source:
 * <ul>
 *   <li>{@code wireflyEncode}: {@code FrameEncoder.encode}, a new buffer holding header and masked copy;</li>
 *   <li>{@code wireflyEncodeHeader}: {@code FrameEncoder.encodeHeader}, a reused header and the payload masked in
 *       place (the gathering-write path: no allocation);</li>
 *   <li>{@code netty}: {@code WebSocket08FrameEncoder(maskPayload = true)} in an {@code EmbeddedChannel};</li>
 *   <li>{@code javaWebSocket}: {@code Draft_6455.createFrames} then {@code createBinaryFrame}, client role.</li>
 * </ul>
 *
 * <pre>{@code
 * java -cp ... org.openjdk.jmh.Main FrameEncodeBenchmark -p size=125 -prof gc
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameEncodeBenchmark {
    /** Payload size in bytes. */
    @Param({"16", "125", "1024", "65536", "1048576"})
    public int size;

    private ByteBuffer payload;
    private FrameEncoder encoder;
    private EmbeddedChannel nettyChannel;
    private ByteBuf nettyPayload;
    private Draft_6455 draft;

    /** Creates the payload and one encoder per library. */
    @Setup
    public void setUp() {
        byte[] bytes = Payloads.random(size, 13);
        payload = Payloads.buffer(bytes, false);
        encoder = new FrameEncoder(Role.CLIENT, MaskKeys.secure());
        nettyChannel = new EmbeddedChannel(new WebSocket08FrameEncoder(true));
        nettyPayload = Unpooled.wrappedBuffer(bytes.clone());
        draft = new Draft_6455();
        draft.setParseMode(org.java_websocket.enums.Role.CLIENT);
    }

    /** Releases Netty's buffers and channel. */
    @TearDown
    public void tearDown() {
        nettyChannel.finishAndReleaseAll();
        nettyPayload.release();
    }

    /**
     * @return the frame, whole
     */
    @Benchmark
    public ByteBuffer wireflyEncode() {
        return encoder.encode(0x2, true, 0, payload);
    }

    /**
     * @return the header (the payload was masked in place)
     */
    @Benchmark
    public ByteBuffer wireflyEncodeHeader() {
        return encoder.encodeHeader(0x2, true, 0, payload);
    }

    /**
     * @return bytes written to the channel
     */
    @Benchmark
    public int netty() {
        nettyChannel.writeOutbound(new BinaryWebSocketFrame(nettyPayload.retainedDuplicate()));
        int n = 0;
        for (ByteBuf out; (out = nettyChannel.readOutbound()) != null; ) {
            n += out.readableBytes();
            out.release();
        }
        return n;
    }

    /**
     * @return the frame, whole
     */
    @Benchmark
    public ByteBuffer javaWebSocket() {
        List<Framedata> frames = draft.createFrames(payload.duplicate(), true);
        return draft.createBinaryFrame(frames.get(0));
    }
}
