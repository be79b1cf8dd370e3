package io.wirefly.core.internal.handshake;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The server's half of the opening handshake (RFC 6455 §4.2): validates an upgrade request and writes the
 * {@code 101 Switching Protocols} response, or an HTTP error response when the request is refused. Stateless
 * and thread-safe.
 *
 * <pre>{@code
 * try {
 *     ServerHandshake.Result ok = ServerHandshake.accept(parser.request(), List.of("chat.v2", "chat.v1"), config);
 *     write(ok.response());                      // then run the Protocol with ok.deflate()
 * } catch (HandshakeException e) {
 *     write(ServerHandshake.rejection(e));       // then close the connection
 * }
 * }</pre>
 */
public final class ServerHandshake {
    /** The only version this library speaks (RFC 6455 §4.1). */
    static final String VERSION = "13";

    /** Headers that {@link #rejection} writes itself, so the exception's headers cannot duplicate them. */
    private static final Set<String> OWN_REJECTION_HEADERS = Set.of("content-type", "content-length", "connection");

    private ServerHandshake() {
    }

    /**
     * The outcome of a successful handshake.
     *
     * <pre>{@code
     * Protocol p = new Protocol(Role.SERVER, config, result.deflate(), MaskKeys.secure(), listener);
     * }</pre>
     *
     * @param subprotocol the selected subprotocol, {@code ""} if none
     * @param deflate the negotiated permessage-deflate parameters, null if the connection is uncompressed
     * @param response the 101 response head, position 0, ready to write; the caller owns it
     */
    public record Result(String subprotocol, DeflateParams deflate, ByteBuffer response) {
    }

    /**
     * Validates an upgrade request (RFC 6455 §4.2.1) and builds the 101 response (§4.2.2).
     *
     * <p>The subprotocol is the first of {@code subprotocols} (the server's order of preference) that the client
     * listed in any of its {@code Sec-WebSocket-Protocol} fields, compared exactly; none if there is no match.
     * permessage-deflate is negotiated only when {@code config.deflate()}; an unacceptable offer means no
     * compression, never a failed handshake.
     *
     * @param request the parsed request head
     * @param subprotocols the subprotocols this endpoint supports, most preferred first; may be empty
     * @param config supplies {@code deflate} and its parameters
     * @return the selected subprotocol, deflate parameters and the response to write
     * @throws HandshakeException 405 (with {@code Allow: GET}) for another method; 400 naming the header or the
     *     version that is wrong; 426 (with {@code Sec-WebSocket-Version: 13}) for another WebSocket version
     */
    public static Result accept(HandshakeRequest request, List<String> subprotocols, WebSocketConfig config) {
        Objects.requireNonNull(subprotocols, "subprotocols");
        Objects.requireNonNull(config, "config");
        Headers h = request.headers();
        // RFC 6455 §4.1: "The method of the request MUST be GET"
        if (!request.method().equals("GET")) {
            throw new HandshakeException(405, "method must be GET, was " + request.method(), Map.of("Allow", "GET"));
        }
        // RFC 6455 §4.1: "the HTTP version MUST be at least 1.1"
        if (!atLeastHttp11(request.version())) {
            throw new HandshakeException(400, "HTTP/1.1 or later is required, was " + request.version());
        }
        // RFC 6455 §4.1 / RFC 9112 §3.2: exactly one Host header field
        // (counted and read without a list: the usual request allocates nothing for its checks)
        int hosts = h.count("Host");
        if (hosts != 1) {
            throw new HandshakeException(400, hosts == 0 ? "Host header is missing" : "more than one Host header");
        }
        // RFC 9110 §7.2: a Host field value is the authority; an empty one names no host a WebSocket could be for
        if (h.get("Host").isBlank()) {
            throw new HandshakeException(400, "Host header is empty");
        }
        // RFC 6455 §4.2.1: the opening handshake is a GET; a body would be read as WebSocket frames (request
        // smuggling), so a request that announces one is malformed
        if (h.count("Transfer-Encoding") > 0) {
            throw new HandshakeException(400, "an upgrade request must not have a body (Transfer-Encoding)");
        }
        for (int i = 0, n = h.size(); i < n; i++) {
            if (h.name(i).equalsIgnoreCase("Content-Length") && !h.value(i).trim().equals("0")) {
                throw new HandshakeException(400, "an upgrade request must not have a body (Content-Length: "
                        + h.value(i) + ")");
            }
        }
        // RFC 6455 §4.2.1: "An |Upgrade| header field containing the value "websocket", treated as an ASCII
        // case-insensitive value"
        if (!h.containsToken("Upgrade", "websocket")) {
            throw new HandshakeException(400, "Upgrade header must contain websocket");
        }
        // RFC 6455 §4.2.1: "A |Connection| header field that includes the token "Upgrade""
        if (!h.containsToken("Connection", "Upgrade")) {
            throw new HandshakeException(400, "Connection header must contain Upgrade");
        }
        // RFC 6455 §4.2.2: for a version it does not understand the server answers 426 with the versions it has
        if (h.count("Sec-WebSocket-Version") != 1 || !h.get("Sec-WebSocket-Version").equals(VERSION)) {
            List<String> versions = h.all("Sec-WebSocket-Version");
            throw new HandshakeException(426, "Sec-WebSocket-Version must be 13, was "
                    + (versions.isEmpty() ? "missing" : String.join(", ", versions)),
                    Map.of("Sec-WebSocket-Version", VERSION));
        }
        String key = validKey(h.count("Sec-WebSocket-Key"), h.get("Sec-WebSocket-Key"));
        String subprotocol = h.count("Sec-WebSocket-Protocol") == 0 ? ""
                : selectSubprotocol(h.all("Sec-WebSocket-Protocol"), subprotocols);
        DeflateParams deflate = config.deflate() && h.count("Sec-WebSocket-Extensions") > 0
                ? DeflateParams.negotiate(h.all("Sec-WebSocket-Extensions"), config).orElse(null)
                : null;

        // written as bytes: the fixed part is a constant, the accept value comes as bytes, the rest is rare
        byte[] accept = AcceptKey.bytes(key);
        String extra = subprotocol.isEmpty() && deflate == null ? ""
                : (subprotocol.isEmpty() ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n")
                        + (deflate == null ? "" : "Sec-WebSocket-Extensions: " + deflate.responseHeader() + "\r\n");
        ByteBuffer response = ByteBuffer.allocate(RESPONSE_START.length + accept.length + 2 + extra.length() + 2);
        response.put(RESPONSE_START).put(accept).put(CRLF);
        if (!extra.isEmpty()) {
            response.put(extra.getBytes(StandardCharsets.ISO_8859_1));
        }
        return new Result(subprotocol, deflate, response.put(CRLF).flip());
    }

    private static final byte[] RESPONSE_START = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Accept: ").getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CRLF = {'\r', '\n'};

    /** RFC 6455 §4.1: the key is "a base64-encoded value that, when decoded, is 16 bytes in length". */
    private static String validKey(int count, String key) {
        if (count != 1) {
            throw new HandshakeException(400, count == 0 ? "Sec-WebSocket-Key header is missing"
                    : "more than one Sec-WebSocket-Key header");
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            throw new HandshakeException(400, "Sec-WebSocket-Key is not base64");
        }
        // strict: canonical padded base64 of exactly 16 bytes: 24 characters ending in "==", and the last data
        // character carries no bits beyond the 16 bytes (its low four bits are zero: A, Q, g or w)
        if (decoded.length != 16 || key.length() != 24 || key.charAt(22) != '=' || key.charAt(23) != '='
                || "AQgw".indexOf(key.charAt(21)) < 0) {
            throw new HandshakeException(400, "Sec-WebSocket-Key must be the base64 of 16 bytes");
        }
        return key;
    }

    private static String selectSubprotocol(List<String> offeredValues, List<String> supported) {
        if (offeredValues.isEmpty() || supported.isEmpty()) {
            return "";
        }
        List<String> offered = new ArrayList<>();
        for (String value : offeredValues) {
            for (String element : value.split(",", -1)) {
                offered.add(element.strip());
            }
        }
        for (String candidate : supported) {
            if (!candidate.isEmpty() && offered.contains(candidate)) {
                return candidate;
            }
        }
        return "";
    }

    private static boolean atLeastHttp11(String version) {
        // the parser guarantees HTTP/d.d
        int major = version.charAt(5) - '0';
        int minor = version.charAt(7) - '0';
        return major > 1 || (major == 1 && minor >= 1);
    }

    /**
     * An HTTP/1.1 error response for a refused handshake: the status line, {@code Content-Type: text/plain},
     * {@code Content-Length}, {@code Connection: close}, then the exception's headers (sorted by name; any with
     * a name that is not a token, a value with control characters, or a name this method writes itself are
     * left out), and a one-line body with the status and reason phrase. The exception's message is not sent:
     * it is for the server's log. A status of 0 is answered as 400.
     *
     * @param e the reason for the refusal
     * @return the complete response, position 0, ready to write; the caller owns it and should close the
     *     connection after writing it
     */
    public static ByteBuffer rejection(HandshakeException e) {
        int status = e.httpStatus() == 0 ? 400 : e.httpStatus();
        String reason = reasonPhrase(status);
        byte[] body = e.responseBody().orElse(status + " " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
        sb.append("Content-Type: text/plain; charset=utf-8\r\n");
        sb.append("Content-Length: ").append(body.length).append("\r\n");
        sb.append("Connection: close\r\n");
        Map<String, String> sorted = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        sorted.putAll(e.headers());
        for (Map.Entry<String, String> header : sorted.entrySet()) {
            String name = header.getKey();
            String value = header.getValue();
            if (HttpTokens.isToken(name) && isFieldValue(value)
                    && !OWN_REJECTION_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                sb.append(name).append(": ").append(value).append("\r\n");
            }
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        return ByteBuffer.allocate(head.length + body.length).put(head).put(body).flip();
    }

    /** RFC 9110 §5.5: VCHAR, SP, HTAB and obs-text; notably no CR or LF. */
    static boolean isFieldValue(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param status an HTTP status code
     * @return its reason phrase (RFC 9110 §15), or a generic one for codes without a standard phrase
     */
    static String reasonPhrase(int status) {
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
            case 501 -> "Not Implemented";
            case 503 -> "Service Unavailable";
            default -> status < 300 ? "OK"
                    : status < 400 ? "Redirection"
                    : status < 500 ? "Client Error"
                    : "Server Error";
        };
    }
}
