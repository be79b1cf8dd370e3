package io.wirefly.core.internal.handshake;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The server's half of the opening handshake (RFC 6455 §4.2): validates an upgrade request and builds the 101
 * response, or says with which status to refuse it.
 *
 * <pre>{@code
 * try {
 *     ServerHandshake.Result ok = ServerHandshake.accept(request, List.of("chat"), config);
 *     write(ok.response());
 * } catch (HandshakeException e) {
 *     write(ServerHandshake.rejection(e));   // 400, 405, 426 ...
 * }
 * }</pre>
 */
public final class ServerHandshake {

    /**
     * An accepted upgrade.
     *
     * @param subprotocol the chosen subprotocol, or the empty string
     * @param deflate the negotiated permessage-deflate parameters, or null
     * @param response the 101 response head, ready to write
     */
    public record Result(String subprotocol, DeflateParams deflate, ByteBuffer response) {
    }

    private ServerHandshake() {
    }

    /**
     * Validates an upgrade request and builds the answer.
     *
     * @param request the parsed request head
     * @param subprotocols the server's subprotocols, most preferred first
     * @param config whether to negotiate permessage-deflate
     * @return the accepted upgrade
     * @throws HandshakeException 405 for a method other than GET, 426 (with {@code Sec-WebSocket-Version: 13}) for
     *     another WebSocket version, 400 naming the header for any other violation
     */
    public static Result accept(HandshakeRequest request, List<String> subprotocols, WebSocketConfig config) {
        Headers h = request.headers();
        // RFC 6455 §4.2.1: the method of the request MUST be GET, and the HTTP version MUST be at least 1.1.
        if (!"GET".equals(request.method())) {
            throw new HandshakeException(405, "a WebSocket handshake must be a GET", Map.of("Allow", "GET"));
        }
        if (request.version().compareTo("HTTP/1.1") < 0) {
            throw new HandshakeException(400, "a WebSocket handshake needs HTTP/1.1 or later");
        }
        if (h.all("Host").size() != 1) {
            throw new HandshakeException(400, "the request must have exactly one Host header");
        }
        if (!h.containsToken("Upgrade", "websocket")) {
            throw new HandshakeException(400, "the Upgrade header must contain 'websocket'");
        }
        if (!h.containsToken("Connection", "upgrade")) {
            throw new HandshakeException(400, "the Connection header must contain 'Upgrade'");
        }
        // RFC 6455 §4.4: a server that does not speak the requested version answers 426 with the versions it does.
        List<String> versions = h.all("Sec-WebSocket-Version");
        if (versions.size() != 1 || !versions.get(0).equals("13")) {
            throw new HandshakeException(426, "Sec-WebSocket-Version must be 13",
                    Map.of("Sec-WebSocket-Version", "13"));
        }
        List<String> keys = h.all("Sec-WebSocket-Key");
        if (keys.size() != 1 || !isValidKey(keys.get(0))) {
            throw new HandshakeException(400, "Sec-WebSocket-Key must be the base64 of 16 bytes");
        }
        String subprotocol = chooseSubprotocol(h, subprotocols);
        DeflateParams deflate = DeflateParams.negotiate(h.all("Sec-WebSocket-Extensions"), config).orElse(null);

        StringBuilder head = new StringBuilder(256)
                .append("HTTP/1.1 101 Switching Protocols\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Accept: ").append(AcceptKey.of(keys.get(0))).append("\r\n");
        if (!subprotocol.isEmpty()) {
            head.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
        }
        if (deflate != null) {
            head.append("Sec-WebSocket-Extensions: ").append(deflate.responseHeader()).append("\r\n");
        }
        head.append("\r\n");
        return new Result(subprotocol, deflate, ByteBuffer.wrap(head.toString().getBytes(StandardCharsets.ISO_8859_1)));
    }

    /**
     * An HTTP error response for a refused handshake; the connection is to be closed after it.
     *
     * @param e the failure; its status (400 if none), headers and message
     * @return the response, ready to write
     */
    public static ByteBuffer rejection(HandshakeException e) {
        int status = e.httpStatus() == 0 ? 400 : e.httpStatus();
        String message = String.valueOf(e.getMessage()).replaceAll("[\\r\\n]", " ");
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(256).append("HTTP/1.1 ").append(status).append(' ')
                .append(reason(status)).append("\r\n");
        e.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("Content-Type: text/plain; charset=utf-8\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Connection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(h.length + body.length).put(h).put(body).flip();
    }

    private static boolean isValidKey(String key) {
        if (key.length() != 24) {
            return false;
        }
        try {
            return Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String chooseSubprotocol(Headers h, List<String> supported) {
        List<String> offered = h.all("Sec-WebSocket-Protocol");
        for (String ours : supported) {
            for (String line : offered) {
                for (String theirs : line.split(",")) {
                    if (theirs.strip().equals(ours)) {
                        return ours;
                    }
                }
            }
        }
        return "";
    }

    static String reason(int status) {
        return switch (status) {
            case 101 -> "Switching Protocols";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 414 -> "URI Too Long";
            case 426 -> "Upgrade Required";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> status < 500 ? "Client Error" : "Server Error";
        };
    }
}
