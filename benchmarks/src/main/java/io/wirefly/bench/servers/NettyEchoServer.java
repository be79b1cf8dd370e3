package io.wirefly.bench.servers;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.extensions.compression.WebSocketServerCompressionHandler;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * The load test's Netty 4.1 echo server: NIO transport, default event-loop sizes, the stock
 * {@code WebSocketServerProtocolHandler} (which answers pings and closes), echo on {@code /} and a
 * {@code ChannelGroup} broadcast on {@code /broadcast}.
 *
 * <pre>{@code
 * java -cp ... io.wirefly.bench.servers.NettyEchoServer 9001
 * java -cp ... io.wirefly.bench.servers.NettyEchoServer 9443 --tls server.p12      # wss: SslHandler, JDK engine
 * }</pre>
 */
public final class NettyEchoServer {
    private static final AttributeKey<Boolean> SUBSCRIBER = AttributeKey.valueOf("subscriber");

    private NettyEchoServer() {
    }

    /**
     * @param args the port, and {@code --tls KEYSTORE.p12} for wss
     * @throws InterruptedException if interrupted while binding
     * @throws java.io.IOException if the key store cannot be read
     */
    public static void main(String[] args) throws InterruptedException, java.io.IOException {
        int port = ServerControl.port(args);
        javax.net.ssl.SSLContext tls = ServerControl.tls(args);
        EventLoopGroup boss = new NioEventLoopGroup(1);
        EventLoopGroup workers = new NioEventLoopGroup();
        ChannelGroup subscribers = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        WebSocketServerProtocolConfig config = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(ServerControl.ECHO_PATH)
                .checkStartsWith(true)
                .maxFramePayloadLength(ServerControl.MAX_MESSAGE)
                .allowExtensions(true)   // permessage-deflate, when a client offers it (the deflate scenario)
                .build();
        Channel server = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (tls != null) {
                            // Netty's SslHandler over a JDK engine: the same provider and defaults as Wirefly's
                            javax.net.ssl.SSLEngine engine = tls.createSSLEngine();
                            engine.setUseClientMode(false);
                            ch.pipeline().addLast(new SslHandler(engine));
                        }
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                new WebSocketServerCompressionHandler(ServerControl.MAX_MESSAGE),
                                new WebSocketServerProtocolHandler(config), new Echo(subscribers));
                    }
                })
                .bind("127.0.0.1", port).sync().channel();
        ServerControl.serve("netty", port, () -> {
            server.close().sync();
            workers.shutdownGracefully().sync();
            boss.shutdownGracefully().sync();
        });
    }

    /** Echoes each data frame, or sends it to every subscriber on the broadcast path. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        private final ChannelGroup subscribers;

        Echo(ChannelGroup subscribers) {
            this.subscribers = subscribers;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete handshake
                    && handshake.requestUri().startsWith(ServerControl.BROADCAST_PATH)) {
                ctx.channel().attr(SUBSCRIBER).set(Boolean.TRUE);
                subscribers.add(ctx.channel());
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof BinaryWebSocketFrame || msg instanceof TextWebSocketFrame)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (ctx.channel().hasAttr(SUBSCRIBER)) {
                // The group writes a retained duplicate to each channel and releases the message itself.
                subscribers.writeAndFlush(msg);
            } else {
                ctx.writeAndFlush((WebSocketFrame) msg);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
