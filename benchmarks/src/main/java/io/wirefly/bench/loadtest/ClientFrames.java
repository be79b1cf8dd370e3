package io.wirefly.bench.loadtest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The load generator's own wire format code (it depends on no library under test): the opening handshake
 * request and client frames, masked as RFC 6455 §5.3 requires.
 *
 * <pre>{@code
 * ByteBuffer frame = ClientFrames.masked(ClientFrames.BINARY, payload, 0x1234_5678);
 * }</pre>
 */
final class ClientFrames {
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    private ClientFrames() {
    }

    /**
     * @param host the Host header value
     * @param path the request target
     * @return the GET upgrade request, ready to write (read-only; write a duplicate per connection)
     */
    static ByteBuffer upgradeRequest(String host, String path) {
        return upgradeRequest(host, path, null);
    }

    /**
     * @param extensions the Sec-WebSocket-Extensions offer, or null for none
     * @return the GET upgrade request, as {@link #upgradeRequest(String, String)}
     */
    static ByteBuffer upgradeRequest(String host, String path, String extensions) {
        String head = "GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "Upgrade: websocket\r\n"
                + "Connection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n")
                + "Sec-WebSocket-Version: 13\r\n\r\n";
        return ByteBuffer.wrap(head.getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
    }

    /**
     * A compressed text message as a client sends it (RFC 7692): the UTF-8 text deflated on its own (raw, without
     * the trailing {@code 00 00 FF FF}), in one final frame with RSV1 set, masked. With
     * {@code client_no_context_takeover} the same frame can be sent any number of times.
     *
     * @param text the message
     * @param key the mask key
     * @return the frame, as {@link #masked}
     */
    static ByteBuffer deflatedText(String text, int key) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(java.util.zip.Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
        byte[] out = new byte[text.length() * 2 + 64];
        int n = deflater.deflate(out, 0, out.length, java.util.zip.Deflater.SYNC_FLUSH);
        deflater.end();
        ByteBuffer frame = masked(TEXT, java.util.Arrays.copyOf(out, n - 4), key);
        frame.put(0, (byte) (frame.get(0) | 0x40));
        return frame;
    }

    /**
     * A final frame as a client sends it: FIN, the opcode, MASK, the minimal length encoding, the key and the
     * payload XORed with it.
     *
     * @param opcode the 4-bit opcode
     * @param payload the unmasked payload, positions {@code 0..length}
     * @param key the mask key (as a big-endian int)
     * @return the frame in a direct buffer, position 0, limit = capacity = frame size
     */
    static ByteBuffer masked(int opcode, byte[] payload, int key) {
        int n = payload.length;
        int lengthBytes = n < 126 ? 0 : n <= 0xFFFF ? 2 : 8;
        ByteBuffer frame = ByteBuffer.allocateDirect(2 + lengthBytes + 4 + n);
        frame.put((byte) (0x80 | opcode));
        if (lengthBytes == 0) {
            frame.put((byte) (0x80 | n));
        } else if (lengthBytes == 2) {
            frame.put((byte) (0x80 | 126)).putShort((short) n);
        } else {
            frame.put((byte) (0x80 | 127)).putLong(n);
        }
        frame.putInt(key);
        for (int i = 0; i < n; i++) {
            frame.put((byte) (payload[i] ^ (key >>> (24 - 8 * (i & 3)))));
        }
        return frame.flip();
    }

    /**
     * @param size payload size
     * @param stamp written big-endian into the first 8 bytes when the payload has room (the rest is a fixed
     *     pattern); the reader reports those bytes back as the message's prefix
     * @return the payload
     */
    static byte[] payload(int size, long stamp) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) ('a' + i % 26);
        }
        for (int i = 0; i < Math.min(8, size); i++) {
            bytes[i] = (byte) (stamp >>> (56 - 8 * i));
        }
        return bytes;
    }
}
