package io.wirefly.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.wirefly.core.ProtocolException;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.frame.FrameDecoder;
import io.wirefly.core.internal.frame.FrameSink;
import io.wirefly.core.internal.frame.MaskKeys;
import io.wirefly.core.internal.protocol.Protocol;
import io.wirefly.core.internal.protocol.ProtocolListener;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
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
 * Decoding one complete client-masked binary frame, as a server receives it, through each library's public
 * decoding API:
 * <ul>
 *   <li>{@code wireflyDecoder}: Wirefly's {@code FrameDecoder}, which only tokenises and unmasks in place (the
 *       payload is handed out as a slice of the input, nothing is copied or allocated);</li>
 *   <li>{@code wireflyProtocol}: the whole receive path of Wirefly's {@code Protocol} (decoder, RFC rules, message
 *       assembly into a buffer the listener owns), the work comparable to the peers below;</li>
 *   <li>{@code wireflyProtocolLent}: the same path when the message is lent to the listener (a handler that
 *       overrides {@code onBinaryBorrowed}): a read-only view of the input instead of a copy;</li>
 *   <li>{@code netty}: Netty's {@code WebSocket08FrameDecoder} in an {@code EmbeddedChannel}, producing a
 *       {@code BinaryWebSocketFrame} (released after each call);</li>
 *   <li>{@code javaWebSocket}: Java-WebSocket's {@code Draft_6455.translateFrame}, producing a {@code Framedata}.</li>
 * </ul>
 *
 * <pre>{@code
 * java -cp ... org.openjdk.jmh.Main FrameDecodeBenchmark -p size=125 -prof gc
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FrameDecodeBenchmark {
    /** Payload size in bytes. */
    @Param({"16", "125", "1024", "65536", "1048576"})
    public int size;

    private ByteBuffer wireflyInput;
    private FrameDecoder decoder;
    private CountingSink sink;
    private Protocol protocol;
    private CountingListener listener;
    private ByteBuffer lentInput;
    private Protocol lentProtocol;

    private EmbeddedChannel nettyChannel;
    private ByteBuf nettyInput;

    private Draft_6455 draft;
    private ByteBuffer javaWebSocketInput;

    /** Builds one masked frame per library (each gets its own copy: Wirefly unmasks its input in place). */
    @Setup
    public void setUp() {
        byte[] frame = Payloads.maskedFrame(0x2, Payloads.random(size, 11), Payloads.MASK_KEY);
        wireflyInput = Payloads.buffer(frame, false);
        decoder = new FrameDecoder();
        sink = new CountingSink();
        listener = new CountingListener();
        WebSocketConfig config = WebSocketConfig.builder().maxFrameSize(2 << 20).maxMessageSize(2 << 20).build();
        protocol = new Protocol(Role.SERVER, config, null, MaskKeys.secure(), listener);
        lentInput = Payloads.buffer(frame, false);
        lentProtocol = new Protocol(Role.SERVER, config, null, MaskKeys.secure(), listener);
        lentProtocol.lendBinary(true);

        nettyChannel = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(true).maxFramePayloadLength(2 << 20).build()));
        nettyInput = Unpooled.wrappedBuffer(frame.clone());

        draft = new Draft_6455();
        javaWebSocketInput = Payloads.buffer(frame, false);
    }

    /** Releases Netty's buffers and channel. */
    @TearDown
    public void tearDown() {
        nettyChannel.finishAndReleaseAll();
        nettyInput.release();
    }

    /**
     * @return bytes of payload seen, so the call cannot be eliminated
     */
    @Benchmark
    public long wireflyDecoder() {
        wireflyInput.position(0);
        decoder.decode(wireflyInput, sink);
        return sink.total;
    }

    /**
     * @return bytes of binary messages delivered
     */
    @Benchmark
    public long wireflyProtocol() {
        wireflyInput.position(0);
        protocol.receive(wireflyInput);
        return listener.total;
    }

    /**
     * @return bytes of binary messages lent to the listener (a handler that overrides {@code onBinaryBorrowed})
     */
    @Benchmark
    public long wireflyProtocolLent() {
        lentInput.position(0);
        lentProtocol.receive(lentInput);
        return listener.total;
    }

    /**
     * @return the payload size of the decoded frame
     */
    @Benchmark
    public int netty() {
        nettyChannel.writeInbound(nettyInput.retainedDuplicate());
        WebSocketFrame frame = nettyChannel.readInbound();
        int n = frame.content().readableBytes();
        frame.release();
        return n;
    }

    /**
     * @return the payload size of the decoded frame
     * @throws InvalidDataException never for this well-formed input
     */
    @Benchmark
    public int javaWebSocket() throws InvalidDataException {
        javaWebSocketInput.position(0);
        List<Framedata> frames = draft.translateFrame(javaWebSocketInput);
        return frames.get(0).getPayloadData().remaining();
    }

    /** Touches each payload slice the way a consumer would, without copying it. */
    static final class CountingSink implements FrameSink {
        long total;

        @Override
        public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long payloadLength) {
            total += opcode;
        }

        @Override
        public void onPayload(ByteBuffer chunk) {
            total += chunk.remaining() + chunk.get(chunk.position());
        }

        @Override
        public void onFrameEnd() {
            total++;
        }
    }

    /** Counts delivered bytes; fails loudly if the benchmark input ever breaks a rule. */
    static final class CountingListener implements ProtocolListener {
        long total;

        @Override
        public void onText(String text) {
            total += text.length();
        }

        @Override
        public void onBinary(ByteBuffer data) {
            total += data.remaining();
        }

        @Override
        public void onBinaryLent(ByteBuffer data) {
            total += data.remaining();
        }

        @Override
        public void onPing(ByteBuffer payload) {
        }

        @Override
        public void onPong(ByteBuffer payload) {
        }

        @Override
        public void onProtocolError(ProtocolException e) {
            throw new IllegalStateException("benchmark input broke a rule", e);
        }

        @Override
        public void onClosed(int code, String reason) {
            throw new IllegalStateException("closed " + code + " " + reason);
        }
    }
}
