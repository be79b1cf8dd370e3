package io.wirefly.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.handshake.HandshakeParser;
import io.wirefly.core.internal.handshake.ServerHandshake;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.HandshakeState;
import org.java_websocket.exceptions.InvalidHandshakeException;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.handshake.HandshakeImpl1Server;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The server side of the opening handshake for a browser-like upgrade request (about 560 bytes, 13 headers):
 * <ul>
 *   <li>{@code wireflyParse}: a new {@code HandshakeParser} per request (one per connection), parse only;</li>
 *   <li>{@code wireflyParseAndAccept}: parse, validate and build the 101 response ({@code ServerHandshake.accept});</li>
 *   <li>{@code javaWebSocketParse}: {@code Draft.translateHandshake};</li>
 *   <li>{@code javaWebSocketParseAndAccept}: a per-connection draft copy, parse, {@code acceptHandshakeAsServer},
 *       the response headers and their bytes ({@code createHandshake});</li>
 *   <li>{@code nettyParse}: {@code HttpRequestDecoder} + {@code HttpObjectAggregator} in an
 *       {@code EmbeddedChannel}, then {@code WebSocketServerHandshakerFactory.newHandshaker} (Netty builds the response
 *       only inside {@code handshake(channel, ...)}, which rewires a live pipeline, so it is not comparable here).</li>
 * </ul>
 *
 * <pre>{@code
 * java -cp ... org.openjdk.jmh.Main HandshakeBenchmark -prof gc
 * }</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HandshakeBenchmark {
    /** What Chrome sends, give or take the user agent. */
    static final String REQUEST = "GET /chat?room=42 HTTP/1.1\r\n"
            + "Host: 127.0.0.1:9998\r\n"
            + "Connection: Upgrade\r\n"
            + "Pragma: no-cache\r\n"
            + "Cache-Control: no-cache\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0"
            + " Safari/537.36\r\n"
            + "Upgrade: websocket\r\n"
            + "Origin: http://127.0.0.1:9998\r\n"
            + "Sec-WebSocket-Version: 13\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Accept-Language: en-US,en;q=0.9\r\n"
            + "Cookie: session=4f2a9c1e7b3d\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            + "\r\n";

    private ByteBuffer request;
    private WebSocketConfig config;
    private Draft_6455 draft;
    private EmbeddedChannel nettyChannel;
    private ByteBuf nettyRequest;
    private WebSocketServerHandshakerFactory nettyHandshakers;

    /** Prepares the request bytes and each library's reusable parts. */
    @Setup
    public void setUp() {
        byte[] bytes = REQUEST.getBytes(StandardCharsets.US_ASCII);
        request = ByteBuffer.wrap(bytes).asReadOnlyBuffer();
        config = WebSocketConfig.builder().build();
        draft = new Draft_6455();
        nettyChannel = new EmbeddedChannel(new HttpRequestDecoder(), new HttpObjectAggregator(16384));
        nettyRequest = Unpooled.wrappedBuffer(bytes);
        nettyHandshakers = new WebSocketServerHandshakerFactory("ws://127.0.0.1:9998/chat", null, false);
    }

    /** Releases Netty's buffers and channel. */
    @TearDown
    public void tearDown() {
        nettyChannel.finishAndReleaseAll();
        nettyRequest.release();
    }

    /**
     * @return the parsed request's path
     */
    @Benchmark
    public String wireflyParse() {
        HandshakeParser parser = HandshakeParser.forRequests(config);
        if (!parser.parse(request.duplicate())) {
            throw new IllegalStateException("incomplete request");
        }
        return parser.request().path();
    }

    /**
     * @return the 101 response, ready to write
     */
    @Benchmark
    public ByteBuffer wireflyParseAndAccept() {
        HandshakeParser parser = HandshakeParser.forRequests(config);
        if (!parser.parse(request.duplicate())) {
            throw new IllegalStateException("incomplete request");
        }
        return ServerHandshake.accept(parser.request(), List.of(), config).response();
    }

    /**
     * @return the parsed request
     * @throws InvalidHandshakeException never for this request
     */
    @Benchmark
    public ClientHandshake javaWebSocketParse() throws InvalidHandshakeException {
        return (ClientHandshake) draft.translateHandshake(request.duplicate());
    }

    /**
     * @return the 101 response's bytes
     * @throws InvalidHandshakeException never for this request
     */
    @Benchmark
    public List<ByteBuffer> javaWebSocketParseAndAccept() throws InvalidHandshakeException {
        Draft connectionDraft = draft.copyInstance();
        ClientHandshake handshake = (ClientHandshake) connectionDraft.translateHandshake(request.duplicate());
        if (connectionDraft.acceptHandshakeAsServer(handshake) != HandshakeState.MATCHED) {
            throw new IllegalStateException("Java-WebSocket refused the request");
        }
        return connectionDraft.createHandshake(
                connectionDraft.postProcessHandshakeResponseAsServer(handshake, new HandshakeImpl1Server()));
    }

    /**
     * @return the handshaker Netty chose for the request
     */
    @Benchmark
    public WebSocketServerHandshaker nettyParse() {
        nettyChannel.writeInbound(nettyRequest.retainedDuplicate());
        FullHttpRequest parsed = nettyChannel.readInbound();
        try {
            return nettyHandshakers.newHandshaker(parsed);
        } finally {
            parsed.release();
        }
    }
}
