package io.wirefly.core.internal.deflate;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The negotiated parameters of permessage-deflate (RFC 7692 §7.1), and the negotiation itself for both roles.
 * The JDK's {@link java.util.zip.Deflater} always uses a 32 KiB window (15 bits), so a server declines any offer that
 * asks it to compress with a smaller window and falls back to the next offer or to no compression; the JDK's
 * {@link java.util.zip.Inflater} decompresses any window size, so a peer's smaller window is always fine.
 *
 * <pre>{@code
 * Optional<DeflateParams> agreed = DeflateParams.negotiate(
 *     List.of("permessage-deflate; server_max_window_bits=10, permessage-deflate"), config);
 * agreed.get().responseHeader();   // "permessage-deflate": the second offer, since 10 bits cannot be honoured
 * }</pre>
 *
 * @param serverNoContextTakeover the server resets its compressor after every message
 * @param clientNoContextTakeover the client resets its compressor after every message
 * @param serverMaxWindowBits the server's window as answered (15), or 0 when the parameter was not used
 * @param clientMaxWindowBits the client's window when the server limits it (8..15), or 0 when not used
 */
public record DeflateParams(boolean serverNoContextTakeover, boolean clientNoContextTakeover, int serverMaxWindowBits,
        int clientMaxWindowBits) {

    /** The extension token. */
    public static final String NAME = "permessage-deflate";
    private static final String SERVER_NO_CONTEXT = "server_no_context_takeover";
    private static final String CLIENT_NO_CONTEXT = "client_no_context_takeover";
    private static final String SERVER_BITS = "server_max_window_bits";
    private static final String CLIENT_BITS = "client_max_window_bits";

    /**
     * Server side: picks the first acceptable permessage-deflate offer. An offer is declined, never failed, when it
     * is malformed (RFC 7692 §7.1: unknown or duplicate parameters, invalid values) or asks for a server window below
     * 15 bits.
     *
     * @param extensionHeaderValues every {@code Sec-WebSocket-Extensions} value of the request
     * @param config whether deflate is enabled, and which no-context-takeover flags the server wants
     * @return the parameters to use, or empty for no compression
     */
    public static Optional<DeflateParams> negotiate(List<String> extensionHeaderValues, WebSocketConfig config) {
        if (!config.deflate()) {
            return Optional.empty();
        }
        for (Extension offer : parse(extensionHeaderValues)) {
            if (!offer.name.equalsIgnoreCase(NAME) || offer.malformed) {
                continue;
            }
            boolean serverReset = false;
            boolean clientReset = false;
            int serverBits = 0;
            boolean acceptable = true;
            for (Map.Entry<String, String> p : offer.params.entrySet()) {
                String value = p.getValue();
                switch (p.getKey()) {
                    case SERVER_NO_CONTEXT -> {
                        serverReset = true;
                        acceptable &= value == null;
                    }
                    case CLIENT_NO_CONTEXT -> {
                        clientReset = true;
                        acceptable &= value == null;
                    }
                    case SERVER_BITS -> {
                        int bits = bits(value);
                        // The JDK Deflater cannot compress with a window below 15 bits: decline this offer.
                        acceptable &= bits == 15;
                        serverBits = 15;
                    }
                    case CLIENT_BITS -> acceptable &= value == null || bits(value) > 0;
                    default -> acceptable = false;   // RFC 7692 §7.1: decline an offer with an unknown parameter
                }
            }
            if (acceptable) {
                return Optional.of(new DeflateParams(serverReset || config.deflateServerNoContextTakeover(),
                        clientReset || config.deflateClientNoContextTakeover(), serverBits, 0));
            }
        }
        return Optional.empty();
    }

    /** @return the server's {@code Sec-WebSocket-Extensions} answer for these parameters */
    public String responseHeader() {
        StringBuilder s = new StringBuilder(NAME);
        if (serverNoContextTakeover) {
            s.append("; ").append(SERVER_NO_CONTEXT);
        }
        if (clientNoContextTakeover) {
            s.append("; ").append(CLIENT_NO_CONTEXT);
        }
        if (serverMaxWindowBits != 0) {
            s.append("; ").append(SERVER_BITS).append('=').append(serverMaxWindowBits);
        }
        if (clientMaxWindowBits != 0) {
            s.append("; ").append(CLIENT_BITS).append('=').append(clientMaxWindowBits);
        }
        return s.toString();
    }

    /**
     * Client side: the offer to send. It never includes {@code client_max_window_bits}, because the JDK Deflater
     * could not honour a smaller window if the server chose one.
     *
     * @param config which no-context-takeover flags to ask for
     * @return the {@code Sec-WebSocket-Extensions} value
     */
    public static String offer(WebSocketConfig config) {
        StringBuilder s = new StringBuilder(NAME);
        if (config.deflateClientNoContextTakeover()) {
            s.append("; ").append(CLIENT_NO_CONTEXT);
        }
        if (config.deflateServerNoContextTakeover()) {
            s.append("; ").append(SERVER_NO_CONTEXT);
        }
        return s.toString();
    }

    /**
     * Client side: validates the server's answer to {@link #offer}.
     *
     * @param responseHeaderValue the response's {@code Sec-WebSocket-Extensions} value
     * @param config the configuration the offer came from
     * @return the parameters to use
     * @throws HandshakeException (status 0) if the answer is not a valid acceptance of our offer
     */
    public static DeflateParams accept(String responseHeaderValue, WebSocketConfig config) {
        List<Extension> answer = parse(List.of(responseHeaderValue));
        if (answer.size() != 1 || !answer.get(0).name.equalsIgnoreCase(NAME) || answer.get(0).malformed) {
            throw new HandshakeException(0, "unexpected Sec-WebSocket-Extensions in the response: "
                    + responseHeaderValue);
        }
        boolean serverReset = false;
        boolean clientReset = config.deflateClientNoContextTakeover();
        int serverBits = 0;
        for (Map.Entry<String, String> p : answer.get(0).params.entrySet()) {
            String value = p.getValue();
            switch (p.getKey()) {
                case SERVER_NO_CONTEXT -> serverReset = requireNoValue(p);
                case CLIENT_NO_CONTEXT -> clientReset = requireNoValue(p);
                case SERVER_BITS -> {
                    serverBits = bits(value);
                    if (serverBits == 0) {
                        throw new HandshakeException(0, "invalid server_max_window_bits in the response: " + value);
                    }
                }
                // RFC 7692 §7.1.2.2: a server must not send client_max_window_bits unless the client offered it.
                case CLIENT_BITS -> throw new HandshakeException(0,
                        "the response limits client_max_window_bits, which was not offered");
                default -> throw new HandshakeException(0, "unknown permessage-deflate parameter " + p.getKey());
            }
        }
        return new DeflateParams(serverReset, clientReset, serverBits, 0);
    }

    private static boolean requireNoValue(Map.Entry<String, String> p) {
        if (p.getValue() != null) {
            throw new HandshakeException(0, p.getKey() + " takes no value");
        }
        return true;
    }

    /** @return 8..15, or 0 if the value is missing or invalid */
    private static int bits(String value) {
        if (value == null || value.length() > 2 || value.isEmpty() || !value.chars().allMatch(Character::isDigit)) {
            return 0;
        }
        int n = Integer.parseInt(value);
        return n >= 8 && n <= 15 ? n : 0;
    }

    /** One extension of a {@code Sec-WebSocket-Extensions} list, with its parameters in order. */
    private record Extension(String name, Map<String, String> params, boolean malformed) {
    }

    /** Parses extension lists: {@code name; p1; p2=v, name2; p="quoted"}, possibly over several header lines. */
    private static List<Extension> parse(List<String> values) {
        List<Extension> out = new ArrayList<>();
        for (String value : values) {
            for (String ext : split(value, ',')) {
                List<String> parts = split(ext, ';');
                String name = parts.get(0).strip();
                if (name.isEmpty()) {
                    continue;
                }
                Map<String, String> params = new LinkedHashMap<>();
                boolean malformed = false;
                for (String part : parts.subList(1, parts.size())) {
                    String p = part.strip();
                    int eq = p.indexOf('=');
                    String key = (eq < 0 ? p : p.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
                    String v = eq < 0 ? null : unquote(p.substring(eq + 1).strip());
                    if (key.isEmpty() || params.containsKey(key)) {
                        malformed = true;   // RFC 7692 §7.1: a parameter must not appear twice
                    }
                    params.put(key, v);
                }
                out.add(new Extension(name, params, malformed));
            }
        }
        return out;
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** Splits on a separator outside double quotes. */
    private static List<String> split(String s, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        parts.add(current.toString());
        return parts;
    }
}
