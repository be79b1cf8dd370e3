package io.wirefly.core.internal.deflate;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The negotiated parameters of permessage-deflate (RFC 7692 §7.1), as both endpoints must apply them. Window
 * sizes are the effective ones: 15 (a 32 KiB LZ77 window) when the parameter was absent.
 *
 * <p>The JDK's {@link java.util.zip.Deflater} always uses a 15-bit window. When the peer limits our window below
 * 15 bits (a server is offered {@code server_max_window_bits=N}, a client is answered
 * {@code client_max_window_bits=N}), this side agrees and compresses that connection with
 * {@link java.util.zip.Deflater#HUFFMAN_ONLY}: the output then has no back-references at all, so it is valid for
 * any window, at the price of a lower compression ratio (see {@link MessageDeflater}). Decompression copes with
 * any window of 8..15 bits. Immutable.
 *
 * <pre>{@code
 * // server
 * Optional<DeflateParams> p = DeflateParams.negotiate(request.headers().all("Sec-WebSocket-Extensions"), config);
 * p.ifPresent(params -> response.add("Sec-WebSocket-Extensions", params.responseHeader()));
 * // client
 * request.add("Sec-WebSocket-Extensions", DeflateParams.offer(config));
 * DeflateParams agreed = DeflateParams.accept(response.headers().get("Sec-WebSocket-Extensions"), config);
 * }</pre>
 *
 * @param serverNoContextTakeover the server resets its compressor after every message, so the client resets
 *     its decompressor after every message it receives
 * @param clientNoContextTakeover the client resets its compressor after every message, so the server resets
 *     its decompressor after every message it receives
 * @param serverMaxWindowBits the LZ77 window of the server's compressor, 8..15
 * @param clientMaxWindowBits the LZ77 window of the client's compressor, 8..15
 */
public record DeflateParams(boolean serverNoContextTakeover, boolean clientNoContextTakeover,
                            int serverMaxWindowBits, int clientMaxWindowBits) {

    /** The extension token (RFC 7692 §6). */
    static final String EXTENSION_NAME = "permessage-deflate";

    private static final String SERVER_NO_CONTEXT_TAKEOVER = "server_no_context_takeover";
    private static final String CLIENT_NO_CONTEXT_TAKEOVER = "client_no_context_takeover";
    private static final String SERVER_MAX_WINDOW_BITS = "server_max_window_bits";
    private static final String CLIENT_MAX_WINDOW_BITS = "client_max_window_bits";
    /** The window the JDK's Deflater compresses with; also the default when a parameter is absent. */
    static final int JDK_WINDOW_BITS = 15;

    /**
     * @param serverNoContextTakeover whether the server resets its compressor after every message
     * @param clientNoContextTakeover whether the client resets its compressor after every message
     * @param serverMaxWindowBits the server's LZ77 window, 8..15
     * @param clientMaxWindowBits the client's LZ77 window, 8..15
     * @throws IllegalArgumentException if a window size is outside 8..15
     */
    public DeflateParams {
        checkBits(SERVER_MAX_WINDOW_BITS, serverMaxWindowBits);
        checkBits(CLIENT_MAX_WINDOW_BITS, clientMaxWindowBits);
    }

    private static void checkBits(String name, int bits) {
        if (bits < 8 || bits > 15) {
            throw new IllegalArgumentException(name + " must be 8..15, was " + bits);
        }
    }

    /**
     * Server side: picks the first acceptable permessage-deflate offer, in the client's order of preference
     * (RFC 7692 §5.1). An offer is declined, and the next one tried, when it is malformed (unknown or repeated
     * parameter, a value where none is allowed, a missing or out-of-range window size). Declining never fails the
     * handshake: with no acceptable offer the connection simply goes uncompressed. An offer of
     * {@code server_max_window_bits=N} below 15 is accepted with N; that connection compresses Huffman-only.
     *
     * <p>The result adds {@code server_no_context_takeover} and {@code client_no_context_takeover} when the
     * offer or {@code config} asks for them.
     *
     * @param extensionHeaderValues every {@code Sec-WebSocket-Extensions} value of the request, in order
     * @param config supplies {@code deflateServerNoContextTakeover} and {@code deflateClientNoContextTakeover}
     * @return the agreed parameters, or empty when no offer is acceptable
     */
    public static Optional<DeflateParams> negotiate(List<String> extensionHeaderValues, WebSocketConfig config) {
        for (String headerValue : extensionHeaderValues) {
            for (String element : ExtensionHeader.split(headerValue)) {
                Optional<DeflateParams> accepted = acceptOffer(element, config);
                if (accepted.isPresent()) {
                    return accepted;
                }
            }
        }
        return Optional.empty();
    }

    /** One offer: empty when it is another extension or malformed. */
    private static Optional<DeflateParams> acceptOffer(String element, WebSocketConfig config) {
        ExtensionHeader.Extension offer;
        try {
            offer = ExtensionHeader.parse(element);
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
        if (!offer.name().equals(EXTENSION_NAME)) {
            return Optional.empty();
        }
        boolean serverNoContext = config.deflateServerNoContextTakeover();
        boolean clientNoContext = config.deflateClientNoContextTakeover();
        int clientBits = JDK_WINDOW_BITS;
        int serverBits = JDK_WINDOW_BITS;
        Set<String> seen = new HashSet<>();
        for (ExtensionHeader.Param p : offer.params()) {
            // RFC 7692 §7.1: an offer with a repeated parameter is declined
            if (!seen.add(p.name())) {
                return Optional.empty();
            }
            switch (p.name()) {
                case SERVER_NO_CONTEXT_TAKEOVER -> {
                    if (p.value() != null) {
                        return Optional.empty();
                    }
                    serverNoContext = true;
                }
                case CLIENT_NO_CONTEXT_TAKEOVER -> {
                    if (p.value() != null) {
                        return Optional.empty();
                    }
                    clientNoContext = true;
                }
                case SERVER_MAX_WINDOW_BITS -> {
                    // RFC 7692 §7.1.2.1: a value 8..15 is required; we honour any of them (Huffman-only output
                    // below 15 has no back-references) and answer with the same value
                    serverBits = windowBits(p.value());
                    if (serverBits < 0) {
                        return Optional.empty();
                    }
                }
                case CLIENT_MAX_WINDOW_BITS -> {
                    // RFC 7692 §7.1.2.2: no value, or 8..15 as a hint; the Inflater copes with any window
                    if (p.value() != null) {
                        int bits = windowBits(p.value());
                        if (bits < 0) {
                            return Optional.empty();
                        }
                        clientBits = bits;
                    }
                }
                default -> {
                    // RFC 7692 §7.1: an offer with an unknown parameter is declined
                    return Optional.empty();
                }
            }
        }
        return Optional.of(new DeflateParams(serverNoContext, clientNoContext, serverBits, clientBits));
    }

    /** @return 8..15, or -1 when the value is absent or not one of "8".."15" (RFC 7692 §7.1.2: 1*DIGIT, no
     *      leading zero) */
    private static int windowBits(String value) {
        if (value == null || value.isEmpty() || value.length() > 2 || value.charAt(0) == '0') {
            return -1;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return -1;
            }
        }
        int bits = Integer.parseInt(value);
        return bits >= 8 && bits <= 15 ? bits : -1;
    }

    /**
     * The server's answer to the offer it accepted. It always states {@code server_max_window_bits}: RFC 7692
     * §7.1.2.1 requires it when the offer named the parameter and allows it otherwise, and it tells the client
     * which window to expect. {@code client_max_window_bits} is echoed only when the client's offer hinted a
     * smaller window (RFC 7692 §7.1.2.2 forbids it when the offer did not name it).
     *
     * @return the {@code Sec-WebSocket-Extensions} value, for example
     *     {@code permessage-deflate; server_no_context_takeover; server_max_window_bits=15}
     */
    public String responseHeader() {
        StringBuilder sb = new StringBuilder(EXTENSION_NAME);
        if (serverNoContextTakeover) {
            sb.append("; ").append(SERVER_NO_CONTEXT_TAKEOVER);
        }
        if (clientNoContextTakeover) {
            sb.append("; ").append(CLIENT_NO_CONTEXT_TAKEOVER);
        }
        sb.append("; ").append(SERVER_MAX_WINDOW_BITS).append('=').append(serverMaxWindowBits);
        if (clientMaxWindowBits < JDK_WINDOW_BITS) {
            sb.append("; ").append(CLIENT_MAX_WINDOW_BITS).append('=').append(clientMaxWindowBits);
        }
        return sb.toString();
    }

    /**
     * The client's offer: {@code permessage-deflate} with the context-takeover parameters the config asks for, and
     * {@code client_max_window_bits} without a value (RFC 7692 §7.1.2.2): the server may limit our compressor's
     * window, which we then honour with Huffman-only compression. When the config asks the server not to take context
     * over, a second offer without that parameter follows (RFC 7692 §5: offers in order of preference): a server that
     * keeps its context declines the first (Netty's default handshaker does; Node's {@code ws} so configured refuses
     * the whole handshake if no offer is acceptable) and takes the second, and compression still happens.
     *
     * @param config supplies {@code deflateServerNoContextTakeover} and {@code deflateClientNoContextTakeover}
     * @return the {@code Sec-WebSocket-Extensions} value to send
     */
    public static String offer(WebSocketConfig config) {
        String rest = (config.deflateClientNoContextTakeover() ? "; " + CLIENT_NO_CONTEXT_TAKEOVER : "") + "; "
                + CLIENT_MAX_WINDOW_BITS;
        if (!config.deflateServerNoContextTakeover()) {
            return EXTENSION_NAME + rest;
        }
        return EXTENSION_NAME + "; " + SERVER_NO_CONTEXT_TAKEOVER + rest + ", " + EXTENSION_NAME + rest;
    }

    /**
     * Client side: validates the server's answer against our {@link #offer}. The answer must name exactly one
     * extension, permessage-deflate, with each parameter at most once: {@code server_no_context_takeover} and
     * {@code client_no_context_takeover} without a value, {@code server_max_window_bits} 8..15 (our Inflater
     * copes with any window), {@code client_max_window_bits} 8..15 (we offered it; below 15 our compressor goes
     * Huffman-only).
     *
     * @param responseHeaderValue the server's {@code Sec-WebSocket-Extensions} value (several header lines
     *     joined with ", ")
     * @param config our configuration; {@code deflateClientNoContextTakeover} makes us reset our compressor
     *     even if the server did not ask for it
     * @return the agreed parameters
     * @throws HandshakeException with status 0, saying what is wrong with the answer
     */
    public static DeflateParams accept(String responseHeaderValue, WebSocketConfig config) {
        List<String> elements = ExtensionHeader.split(responseHeaderValue);
        if (elements.size() != 1) {
            throw new HandshakeException(0, "Sec-WebSocket-Extensions must name exactly one extension, was: "
                    + responseHeaderValue);
        }
        ExtensionHeader.Extension answer;
        try {
            answer = ExtensionHeader.parse(elements.get(0));
        } catch (IllegalArgumentException malformed) {
            throw new HandshakeException(0, "malformed Sec-WebSocket-Extensions: " + malformed.getMessage());
        }
        // RFC 6455 §4.1: the server must not answer with an extension the client did not offer
        if (!answer.name().equals(EXTENSION_NAME)) {
            throw new HandshakeException(0, "server selected an extension that was not offered: " + answer.name());
        }
        boolean serverNoContext = false;
        boolean clientNoContext = config.deflateClientNoContextTakeover();
        int serverBits = JDK_WINDOW_BITS;
        int clientBits = JDK_WINDOW_BITS;
        Set<String> seen = new HashSet<>();
        for (ExtensionHeader.Param p : answer.params()) {
            if (!seen.add(p.name())) {
                throw invalid("repeated parameter " + p.name());
            }
            switch (p.name()) {
                case SERVER_NO_CONTEXT_TAKEOVER -> {
                    requireNoValue(p);
                    serverNoContext = true;
                }
                case CLIENT_NO_CONTEXT_TAKEOVER -> {
                    requireNoValue(p);
                    clientNoContext = true;
                }
                case SERVER_MAX_WINDOW_BITS -> {
                    serverBits = windowBits(p.value());
                    if (serverBits < 0) {
                        throw invalid("server_max_window_bits must be 8..15, was " + p.value());
                    }
                }
                case CLIENT_MAX_WINDOW_BITS -> {
                    // RFC 7692 §7.1.2.2: in a response the parameter must have a value 8..15
                    clientBits = windowBits(p.value());
                    if (clientBits < 0) {
                        throw invalid("client_max_window_bits must be 8..15, was " + p.value());
                    }
                }
                default -> throw invalid("unknown parameter " + p.name());
            }
        }
        return new DeflateParams(serverNoContext, clientNoContext, serverBits, clientBits);
    }

    private static void requireNoValue(ExtensionHeader.Param p) {
        if (p.value() != null) {
            throw invalid(p.name() + " must not have a value, was " + p.value());
        }
    }

    private static HandshakeException invalid(String what) {
        return new HandshakeException(0, "invalid permessage-deflate answer: " + what);
    }
}
