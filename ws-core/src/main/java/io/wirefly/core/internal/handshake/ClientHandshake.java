package io.wirefly.core.internal.handshake;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The client's half of the opening handshake (RFC 6455 §4.1): builds the upgrade request with a random key and
 * checks the server's answer.
 *
 * <pre>{@code
 * ClientHandshake handshake = new ClientHandshake(uri, List.of(), Map.of(), config, new SecureRandom());
 * write(handshake.request());
 * ClientHandshake.Result ok = handshake.verify(parser.response());   // HandshakeException if not acceptable
 * }</pre>
 */
public final class ClientHandshake {

    /**
     * An accepted handshake.
     *
     * @param subprotocol the server's chosen subprotocol, or the empty string
     * @param deflate the negotiated permessage-deflate parameters, or null
     */
    public record Result(String subprotocol, DeflateParams deflate) {
    }

    private final String key;
    private final List<String> subprotocols;
    private final WebSocketConfig config;
    private final ByteBuffer request;

    /**
     * @param uri the {@code ws://} or {@code wss://} URI
     * @param subprotocols subprotocols to offer, most preferred first
     * @param extraHeaders extra request headers
     * @param config whether to offer permessage-deflate
     * @param random the source of the 16-byte key (a SecureRandom in production)
     * @throws IllegalArgumentException for a header name or value with CR or LF, or a URI without a host
     */
    public ClientHandshake(URI uri, List<String> subprotocols, Map<String, String> extraHeaders,
            WebSocketConfig config, Random random) {
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the URI has no host: " + uri);
        }
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        this.key = Base64.getEncoder().encodeToString(nonce);
        this.subprotocols = List.copyOf(subprotocols);
        this.config = config;
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
        int port = uri.getPort();
        String host = uri.getHost().contains(":") && !uri.getHost().startsWith("[") ? "[" + uri.getHost() + "]"
                : uri.getHost();
        String hostHeader = port == -1 || port == (secure ? 443 : 80) ? host : host + ":" + port;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();

        StringBuilder head = new StringBuilder(256)
                .append("GET ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(key).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        if (!this.subprotocols.isEmpty()) {
            head.append("Sec-WebSocket-Protocol: ").append(String.join(", ", this.subprotocols)).append("\r\n");
        }
        if (config.deflate()) {
            head.append("Sec-WebSocket-Extensions: ").append(DeflateParams.offer(config)).append("\r\n");
        }
        extraHeaders.forEach((name, value) -> {
            if ((name + value).indexOf('\r') >= 0 || (name + value).indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " contains CR or LF");
            }
            head.append(name).append(": ").append(value).append("\r\n");
        });
        head.append("\r\n");
        this.request = ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1)).asReadOnlyBuffer();
    }

    /** @return the request head, ready to write (a fresh view each call) */
    public ByteBuffer request() {
        return request.duplicate();
    }

    /**
     * Checks the server's response (RFC 6455 §4.1, the client's validation steps).
     *
     * @param response the parsed response head
     * @return the agreed subprotocol and extensions
     * @throws HandshakeException with the server's status if it is not 101, or status 0 if the 101 is invalid
     */
    public Result verify(HandshakeResponse response) {
        if (response.status() != 101) {
            throw new HandshakeException(response.status() >= 100 && response.status() <= 599 ? response.status() : 0,
                    "the server answered " + response.status() + " " + response.reason() + " instead of 101");
        }
        Headers h = response.headers();
        if (!h.containsToken("Upgrade", "websocket")) {
            throw new HandshakeException(0, "the response's Upgrade header is not 'websocket'");
        }
        if (!h.containsToken("Connection", "upgrade")) {
            throw new HandshakeException(0, "the response's Connection header does not contain 'Upgrade'");
        }
        if (!AcceptKey.of(key).equals(h.get("Sec-WebSocket-Accept"))) {
            throw new HandshakeException(0, "Sec-WebSocket-Accept does not match the key");
        }
        List<String> protocols = h.all("Sec-WebSocket-Protocol");
        String subprotocol = protocols.isEmpty() ? "" : protocols.get(0).strip();
        if (protocols.size() > 1 || (!subprotocol.isEmpty() && !subprotocols.contains(subprotocol))) {
            throw new HandshakeException(0, "the server chose a subprotocol that was not offered: " + protocols);
        }
        List<String> extensions = h.all("Sec-WebSocket-Extensions");
        DeflateParams deflate = null;
        if (!extensions.isEmpty()) {
            if (!config.deflate()) {
                throw new HandshakeException(0, "the server answered with extensions that were not offered: "
                        + extensions);
            }
            deflate = DeflateParams.accept(String.join(", ", extensions), config);
        }
        return new Result(subprotocol, deflate);
    }
}
