package io.wirefly.core.internal.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The {@code Sec-WebSocket-Accept} value (RFC 6455 §4.2.2): base64 of the SHA-1 of the key and a fixed GUID.
 *
 * <pre>{@code
 * AcceptKey.of("dGhlIHNhbXBsZSBub25jZQ==");   // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * }</pre>
 */
public final class AcceptKey {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private AcceptKey() {
    }

    /**
     * @param secWebSocketKey the client's key, as sent
     * @return the accept value
     */
    public static String of(String secWebSocketKey) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] digest = sha1.digest((secWebSocketKey + GUID).getBytes(StandardCharsets.ISO_8859_1));
            return Base64.getEncoder().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-1", e);
        }
    }
}
