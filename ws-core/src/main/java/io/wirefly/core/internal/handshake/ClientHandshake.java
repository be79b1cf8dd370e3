package io.wirefly.core.internal.handshake;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * The client's half of the opening handshake (RFC 6455 §4.1): writes the upgrade request for a {@code ws://} or
 * {@code wss://} URI and verifies the server's response. One instance per connection attempt (it holds the
 * random key); not thread-safe.
 *
 * <pre>{@code
 * ClientHandshake hs = new ClientHandshake(URI.create("ws://127.0.0.1:9998/echo"), List.of(), Map.of(),
 *         config, new SecureRandom());
 * write(hs.request());
 * HandshakeParser parser = HandshakeParser.forResponses(config);
 * while (!parser.parse(read())) { }
 * ClientHandshake.Result result = hs.verify(parser.response());   // throws HandshakeException if refused
 * }</pre>
 */
public final class ClientHandshake {
    /** Header fields that the handshake writes itself; extra headers may not set them. */
    private static final Set<String> MANAGED = Set.of("host", "upgrade", "connection", "sec-websocket-key",
            "sec-websocket-version", "sec-websocket-protocol", "sec-websocket-extensions");

    private final List<String> subprotocols;
    private final WebSocketConfig config;
    private final String key;
    private final byte[] request;

    /**
     * The outcome of a verified handshake.
     *
     * <pre>{@code
     * Protocol p = new Protocol(Role.CLIENT, config, result.deflate(), MaskKeys.secure(), listener);
     * }</pre>
     *
     * @param subprotocol the subprotocol the server selected, {@code ""} if none
     * @param deflate the agreed permessage-deflate parameters, null if the connection is uncompressed
     */
    public record Result(String subprotocol, DeflateParams deflate) {
    }

    /**
     * Prepares the request; nothing is written until {@link #request()} is called.
     *
     * @param uri a {@code ws://} or {@code wss://} URI with a host and no fragment (RFC 6455 §3); its path and
     *     query become the request target ({@code /} when the path is empty)
     * @param subprotocols subprotocols to offer, most preferred first; each must be a token; may be empty
     * @param extraHeaders further header fields, such as {@code Origin} or {@code Authorization}, written in
     *     iteration order; they may not set a header the handshake manages ({@code Host}, {@code Upgrade},
     *     {@code Connection}, {@code Sec-WebSocket-*})
     * @param config {@code deflate()} adds a permessage-deflate offer
     * @param random supplies the 16 bytes of {@code Sec-WebSocket-Key} (RFC 6455 §4.1 asks for a nonce
     *     "randomly selected"; pass a {@link java.security.SecureRandom} outside tests)
     * @throws IllegalArgumentException for another scheme, a missing host, a fragment, a subprotocol that is not
     *     a token, an extra header name that is not a token or is managed, or a value with CR, LF or another
     *     control character
     */
    public ClientHandshake(URI uri, List<String> subprotocols, Map<String, String> extraHeaders,
                           WebSocketConfig config, Random random) {
        Objects.requireNonNull(uri, "uri");
        this.subprotocols = List.copyOf(subprotocols);
        this.config = Objects.requireNonNull(config, "config");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("URI scheme must be ws or wss, was " + uri);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("URI has no host: " + uri);
        }
        // RFC 6455 §3: "Fragment identifiers are meaningless in the context of WebSocket URIs and MUST NOT be used"
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("URI must not have a fragment: " + uri);
        }
        for (String p : this.subprotocols) {
            if (!HttpTokens.isToken(p)) {
                throw new IllegalArgumentException("subprotocol is not a token: " + p);
            }
        }
        Map<String, String> extra = new LinkedHashMap<>(extraHeaders);
        for (Map.Entry<String, String> h : extra.entrySet()) {
            checkExtraHeader(h.getKey(), h.getValue());
        }
        byte[] nonce = new byte[16];
        random.nextBytes(nonce);
        this.key = Base64.getEncoder().encodeToString(nonce);

        int defaultPort = scheme.equals("ws") ? 80 : 443;
        String host = uri.getHost();
        if (uri.getPort() != -1 && uri.getPort() != defaultPort) {
            host = host + ":" + uri.getPort();
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();

        StringBuilder sb = new StringBuilder(256);
        sb.append("GET ").append(target).append(" HTTP/1.1\r\n");
        sb.append("Host: ").append(host).append("\r\n");
        sb.append("Upgrade: websocket\r\n");
        sb.append("Connection: Upgrade\r\n");
        sb.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
        sb.append("Sec-WebSocket-Version: ").append(ServerHandshake.VERSION).append("\r\n");
        if (!this.subprotocols.isEmpty()) {
            sb.append("Sec-WebSocket-Protocol: ").append(String.join(", ", this.subprotocols)).append("\r\n");
        }
        if (config.deflate()) {
            sb.append("Sec-WebSocket-Extensions: ").append(DeflateParams.offer(config)).append("\r\n");
        }
        for (Map.Entry<String, String> h : extra.entrySet()) {
            sb.append(h.getKey()).append(": ").append(h.getValue().strip()).append("\r\n");
        }
        sb.append("\r\n");
        this.request = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void checkExtraHeader(String name, String value) {
        Objects.requireNonNull(name, "header name");
        Objects.requireNonNull(value, "header value");
        if (!HttpTokens.isToken(name)) {
            throw new IllegalArgumentException("header name is not a token: " + name.replace("\r", "\\r")
                    .replace("\n", "\\n"));
        }
        if (!ServerHandshake.isFieldValue(value)) {
            throw new IllegalArgumentException("value of header " + name
                    + " contains CR, LF or another control character");
        }
        if (MANAGED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header " + name + " is set by the handshake itself");
        }
    }

    /** @return the request head, a new buffer at position 0 on every call, ready to write; the caller owns it */
    public ByteBuffer request() {
        return ByteBuffer.wrap(request.clone());
    }

    /** @return the {@code Sec-WebSocket-Key} sent in the request */
    String key() {
        return key;
    }

    /**
     * Verifies the server's response (RFC 6455 §4.1, the client's checks of the server's handshake).
     *
     * @param response the parsed response head
     * @return the selected subprotocol and the agreed deflate parameters
     * @throws HandshakeException with the server's status when it is not 101 (for example 403 or 404); with
     *     status 0 when a 101 response is unacceptable: no {@code Upgrade: websocket}, no {@code Connection:
     *     Upgrade}, a wrong or repeated {@code Sec-WebSocket-Accept}, a subprotocol we did not offer, or an
     *     extension we did not offer or with invalid parameters
     */
    public Result verify(HandshakeResponse response) {
        if (response.status() != 101) {
            throw new HandshakeException(response.status(), "server answered " + response.status()
                    + (response.reason().isEmpty() ? "" : " " + response.reason()) + " instead of 101");
        }
        Headers h = response.headers();
        // RFC 6455 §4.1: the client MUST fail the connection if Upgrade lacks "websocket" or Connection "Upgrade"
        if (!h.containsToken("Upgrade", "websocket")) {
            throw new HandshakeException(0, "response Upgrade header must contain websocket");
        }
        if (!h.containsToken("Connection", "Upgrade")) {
            throw new HandshakeException(0, "response Connection header must contain Upgrade");
        }
        List<String> accepts = h.all("Sec-WebSocket-Accept");
        if (accepts.size() != 1 || !accepts.get(0).equals(AcceptKey.of(key))) {
            throw new HandshakeException(0, accepts.isEmpty() ? "Sec-WebSocket-Accept header is missing"
                    : "Sec-WebSocket-Accept does not match the key we sent");
        }
        return new Result(verifySubprotocol(h.all("Sec-WebSocket-Protocol")),
                verifyExtensions(h.all("Sec-WebSocket-Extensions")));
    }

    /** RFC 6455 §4.1: a subprotocol "that was not present in the client's handshake" fails the connection. */
    private String verifySubprotocol(List<String> values) {
        if (values.isEmpty()) {
            return "";
        }
        if (values.size() != 1 || !subprotocols.contains(values.get(0))) {
            throw new HandshakeException(0, subprotocols.isEmpty()
                    ? "server selected a subprotocol but none was offered"
                    : "server selected a subprotocol that was not offered");
        }
        return values.get(0);
    }

    /** RFC 6455 §4.1: an extension "not present in the client's handshake" fails the connection. */
    private DeflateParams verifyExtensions(List<String> values) {
        if (values.isEmpty()) {
            return null;
        }
        if (!config.deflate()) {
            throw new HandshakeException(0, "server selected an extension but none was offered");
        }
        return DeflateParams.accept(String.join(", ", values), config);
    }
}
