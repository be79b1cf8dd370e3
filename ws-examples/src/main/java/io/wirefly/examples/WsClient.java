package io.wirefly.examples;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.server.WebSocketClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A wscat-like terminal client: each stdin line goes out as a text message; what arrives is printed after
 * {@code <}. End of input closes with 1000. Exits 1 with a one-line reason if the connection fails or closes
 * abnormally.
 */
public final class WsClient {
    private WsClient() {
    }

    static int run(String[] argv) throws Exception {
        Args args = new Args(argv, Set.of("--subprotocol", "--trust"), Set.of("--binary"));
        if (args.positionals().size() != 1) {
            throw new Args.UsageException("client needs exactly one URL");
        }
        URI uri = URI.create(args.positionals().get(0));
        boolean hex = args.has("--binary");
        List<String> subprotocols = args.has("--subprotocol") ? List.of(args.get("--subprotocol", "")) : List.of();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocketHandler printer = new WebSocketHandler() {
            @Override
            public void onText(WebSocket ws, String text) {
                System.out.println("< " + text);
            }

            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.get(b);
                System.out.println("< " + (hex ? HexFormat.of().formatHex(b) : "[" + b.length + " bytes]"));
            }

            @Override
            public void onClose(WebSocket ws, int code, String reason) {
                closed.complete(code);
                if (code != 1000 && code != 1001) {
                    System.err.println("closed: " + code + (reason.isEmpty() ? "" : " " + reason));
                }
            }
        };
        WebSocketClient.Builder builder = WebSocketClient.builder();
        if (args.has("--trust")) {
            // a self-signed or private-CA server: trust exactly the PEM certificates in this file
            builder.tls(io.wirefly.server.TlsContexts.trusting(java.nio.file.Path.of(args.get("--trust", ""))));
        }
        try (WebSocketClient client = builder.build()) {
            WebSocket ws;
            try {
                ws = client.connect(uri, printer, subprotocols, Map.of()).toCompletableFuture().get(15, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                System.err.println("cannot connect to " + uri + ": " + e.getCause().getMessage());
                return 1;
            }
            Thread stdin = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                    String line;
                    while (!closed.isDone() && (line = in.readLine()) != null) {
                        ws.sendText(line);
                    }
                } catch (java.io.IOException e) {
                    System.err.println("stdin: " + e.getMessage());
                }
                ws.close();   // end of input: close normally
            }, "stdin");
            stdin.setDaemon(true);
            stdin.start();
            int code = closed.get();   // the close timeout bounds this wait
            return code == 1000 || code == 1001 ? 0 : 1;
        }
    }
}
