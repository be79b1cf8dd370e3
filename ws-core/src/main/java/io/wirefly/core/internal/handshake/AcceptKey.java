package io.wirefly.core.internal.handshake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Computes {@code Sec-WebSocket-Accept} from {@code Sec-WebSocket-Key} (RFC 6455 §4.2.2, step 5.4): the base64
 * of the SHA-1 of the key concatenated with the GUID {@code 258EAFA5-E914-47DA-95CA-C5AB0DC85B11}. Thread-safe.
 *
 * <pre>{@code
 * AcceptKey.of("dGhlIHNhbXBsZSBub25jZQ==");   // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
 * }</pre>
 */
public final class AcceptKey {
    /** RFC 6455 §1.3: the globally unique identifier appended to the key. */
    static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private AcceptKey() {
    }

    /**
     * @param secWebSocketKey the key as sent, without surrounding whitespace
     * @return the matching {@code Sec-WebSocket-Accept} value (28 base64 characters)
     */
    public static String of(String secWebSocketKey) {
        return new String(bytes(secWebSocketKey), StandardCharsets.ISO_8859_1);
    }

    /**
     * @param secWebSocketKey the key as sent
     * @return the {@code Sec-WebSocket-Accept} value as 28 ASCII bytes, for a response written as bytes
     */
    public static byte[] bytes(String secWebSocketKey) {
        MessageDigest sha1 = SHA1.get();   // one per thread: looking the algorithm up costs more than hashing
        int n = secWebSocketKey.length();
        for (int i = 0; i < n; i++) {
            sha1.update((byte) secWebSocketKey.charAt(i));   // ISO-8859-1, as the head was read
        }
        sha1.update(GUID_BYTES);
        return Base64.getEncoder().encode(sha1.digest());
    }

    private static final byte[] GUID_BYTES = GUID.getBytes(StandardCharsets.ISO_8859_1);

    private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            // every Java SE implementation must provide SHA-1 (MessageDigest's class documentation)
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    });
}
