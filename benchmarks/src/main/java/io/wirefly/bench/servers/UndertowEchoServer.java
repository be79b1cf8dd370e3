package io.wirefly.bench.servers;

import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.websockets.core.AbstractReceiveListener;
import io.undertow.websockets.core.BufferedBinaryMessage;
import io.undertow.websockets.core.BufferedTextMessage;
import io.undertow.websockets.core.WebSocketCallback;
import io.undertow.websockets.core.WebSocketChannel;
import io.undertow.websockets.core.WebSockets;
import io.undertow.websockets.extensions.PerMessageDeflateHandshake;
import java.nio.ByteBuffer;

/**
 * The load test's Undertow 2.3 echo server: the core (non-servlet) WebSocket handler, default I/O and worker
 * threads, echo on {@code /} and a loop over {@code getPeerConnections()} on {@code /broadcast}.
 *
 * <pre>{@code
 * java -cp ... io.wirefly.bench.servers.UndertowEchoServer 9004
 * }</pre>
 */
public final class UndertowEchoServer {
    private UndertowEchoServer() {
    }

    /**
     * @param args the port
     */
    public static void main(String[] args) {
        int port = ServerControl.port(args);
        Undertow server = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                .setHandler(Handlers.path()
                        .addExactPath(ServerControl.ECHO_PATH, Handlers.websocket((exchange, channel) -> {
                            channel.getReceiveSetter().set(new Listener(false));
                            channel.resumeReceives();
                        }).addExtension(new PerMessageDeflateHandshake()))
                        .addExactPath(ServerControl.BROADCAST_PATH, Handlers.websocket((exchange, channel) -> {
                            channel.getReceiveSetter().set(new Listener(true));
                            channel.resumeReceives();
                        })))
                .build();
        server.start();
        ServerControl.serve("undertow", port, server::stop);
    }

    /** Echoes a whole message, or sends it to every peer on the same path. */
    private static final class Listener extends AbstractReceiveListener {
        private final boolean broadcast;

        Listener(boolean broadcast) {
            this.broadcast = broadcast;
        }

        @Override
        protected long getMaxBinaryBufferSize() {
            return ServerControl.MAX_MESSAGE;
        }

        @Override
        protected long getMaxTextBufferSize() {
            return ServerControl.MAX_MESSAGE;
        }

        @Override
        protected void onFullTextMessage(WebSocketChannel channel, BufferedTextMessage message) {
            String text = message.getData();
            if (broadcast) {
                for (WebSocketChannel peer : channel.getPeerConnections()) {
                    WebSockets.sendText(text, peer, null);
                }
            } else {
                WebSockets.sendText(text, channel, null);
            }
        }

        // Undertow 2.3 hands a whole binary message over only as org.xnio.Pooled, which XNIO deprecates; it is
        // still the documented way to receive a buffered message and free its pooled buffers.
        @SuppressWarnings("deprecation")
        @Override
        protected void onFullBinaryMessage(WebSocketChannel channel, BufferedBinaryMessage message) {
            org.xnio.Pooled<ByteBuffer[]> data = message.getData();
            if (broadcast) {
                ByteBuffer copy = copy(data.getResource());
                data.free();
                for (WebSocketChannel peer : channel.getPeerConnections()) {
                    WebSockets.sendBinary(copy.slice(), peer, null);
                }
                return;
            }
            WebSockets.sendBinary(data.getResource(), channel, new WebSocketCallback<Void>() {
                @Override
                public void complete(WebSocketChannel ch, Void context) {
                    data.free();
                }

                @Override
                public void onError(WebSocketChannel ch, Void context, Throwable throwable) {
                    data.free();
                }
            });
        }

        private static ByteBuffer copy(ByteBuffer[] buffers) {
            int size = 0;
            for (ByteBuffer b : buffers) {
                size += b.remaining();
            }
            ByteBuffer copy = ByteBuffer.allocate(size);
            for (ByteBuffer b : buffers) {
                copy.put(b);
            }
            return copy.flip();
        }
    }
}
