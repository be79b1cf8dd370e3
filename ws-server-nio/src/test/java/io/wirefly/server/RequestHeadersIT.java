package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a handler reads of the request that opened its connection, against what a real client (Python
 * {@code websockets}) says it sent: every header field, in order, with its value exactly as sent, including the
 * fields the server keeps as one byte each (see {@code PackedFields}) and a repeated one; and the cookies parsed from
 * them.
 */
class RequestHeadersIT {

    private static final String PYTHON = String.join("\n",
            "import asyncio, sys, websockets",
            "async def main():",
            "    extra = [('Cookie', 'sid=42; theme=dark'), ('X-Twice', 'one'), ('Pragma', 'no-cache'),",
            "             ('X-Twice', 'two'), ('Cache-Control', 'No-Cache'), ('X-Empty', '')]",
            "    async with websockets.connect(sys.argv[1], extra_headers=extra, origin='http://127.0.0.1',",
            "                                  compression='deflate') as ws:",
            "        got = await asyncio.wait_for(ws.recv(), 10)",
            "        grouped = {}",
            "        for name, value in ws.request_headers.raw_items():",
            "            grouped.setdefault(name.lower(), []).append(value)",
            "        sent = ''.join('%s: %s\\n' % (n, v) for n, vs in grouped.items() for v in vs)",
            "        print('SENT ' + repr(sent))",
            "        print('GOT ' + repr(got))",
            "        print('MATCH' if got == sent else 'DIFFER')",
            "asyncio.run(main())");

    @Test
    void aHandlerReadsEveryFieldThePeerSentAsItSentIt() throws Exception {
        Peers.requirePythonWebsockets();
        CompletableFuture<Map<String, String>> cookies = new CompletableFuture<>();
        WebSocketServer server = WebSocketServer.builder().bind(InetAddress.getLoopbackAddress()).port(0)
                .config(WebSocketConfig.builder().deflate(true).build())
                .route("/", new WebSocketHandler() {
                    @Override
                    public void onOpen(WebSocket ws) {
                        StringBuilder dump = new StringBuilder();
                        ws.request().headers().forEach((name, values) -> values.forEach(
                                value -> dump.append(name).append(": ").append(value).append('\n')));
                        cookies.complete(ws.request().cookies());
                        ws.sendText(dump);
                    }
                }).build().start();
        try {
            String out = Peers.run(Duration.ofSeconds(60), Peers.PYTHON, "-c", PYTHON,
                    "ws://127.0.0.1:" + server.port() + "/");
            assertTrue(out.contains("MATCH"), out);
            // what the comparison covered: fields kept whole as one byte, by name, and written out
            assertTrue(out.contains("upgrade: websocket\\n") && out.contains("sec-websocket-version: 13\\n")
                    && out.contains("sec-websocket-extensions: permessage-deflate; client_max_window_bits\\n")
                    && out.contains("pragma: no-cache\\n") && out.contains("cache-control: No-Cache\\n")
                    && out.contains("x-twice: one\\nx-twice: two\\n") && out.contains("x-empty: \\n"), out);
            assertEquals(Map.of("sid", "42", "theme", "dark"), cookies.get(10, TimeUnit.SECONDS));
        } finally {
            server.stop(Duration.ofSeconds(2));
        }
    }
}
