package io.wirefly.server;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * A server for {@code StreamingIT}'s child JVM (run with a small heap): binary and text messages are echoed part by
 * part as they arrive, so no message is ever held whole. Prints {@code PORT n} when listening and runs
 * until killed.
 */
public final class StreamingEchoServer {
    private StreamingEchoServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .config(WebSocketConfig.builder().maxMessageSize(1 << 20).maxFrameSize(1 << 20).build())
                .route("/", new WebSocketHandler() {
                    @Override
                    public void onBinaryPart(WebSocket ws, ByteBuffer part, boolean last) {
                        ws.sendBinaryPart(part, last);
                    }

                    @Override
                    public void onTextPart(WebSocket ws, String part, boolean last) {
                        ws.sendTextPart(part, last);
                    }
                }).build().start();
        System.out.println("PORT " + server.port());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
