package io.wirefly.server.cluster;

import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * The byte format of a topic message between nodes: {@code 'W' 'F'} (magic), a version byte (1), a kind byte (1 for
 * text, 2 for binary), the publishing node's id (16 bytes: a UUID, most significant half first), then the payload
 * (UTF-8 for text). 20 bytes of overhead; anything shorter, with another magic or version, another kind, or text that
 * is not UTF-8, is malformed.
 *
 * <pre>{@code
 * byte[] wire = Envelope.encode(nodeId, true, "hello".getBytes(UTF_8));
 * Envelope e = Envelope.decode(wire);   // e.node(), e.text(), e.payload()
 * }</pre>
 *
 * @param node the publishing node
 * @param text whether the payload is a text message
 * @param payload the message
 */
public record Envelope(UUID node, boolean text, byte[] payload) {
    static final int HEADER = 20;

    /**
     * @param node the publishing node
     * @param text whether the payload is a text message (UTF-8)
     * @param payload the message
     * @return the envelope's bytes
     */
    public static byte[] encode(UUID node, boolean text, byte[] payload) {
        return ByteBuffer.allocate(HEADER + payload.length).put((byte) 'W').put((byte) 'F').put((byte) 1)
                .put((byte) (text ? 1 : 2)).putLong(node.getMostSignificantBits())
                .putLong(node.getLeastSignificantBits()).put(payload).array();
    }

    /**
     * @param wire an envelope's bytes
     * @return the envelope
     * @throws IllegalArgumentException if the bytes are not an envelope of this version
     */
    public static Envelope decode(byte[] wire) {
        if (wire == null || wire.length < HEADER || wire[0] != 'W' || wire[1] != 'F' || wire[2] != 1
                || wire[3] != 1 && wire[3] != 2) {
            throw new IllegalArgumentException("not a Wirefly topic envelope (version 1)");
        }
        ByteBuffer b = ByteBuffer.wrap(wire, 4, 16);
        UUID node = new UUID(b.getLong(), b.getLong());
        byte[] payload = java.util.Arrays.copyOfRange(wire, HEADER, wire.length);
        boolean text = wire[3] == 1;
        if (text) {
            try {
                java.nio.charset.StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(payload));
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new IllegalArgumentException("a text envelope whose payload is not UTF-8");
            }
        }
        return new Envelope(node, text, payload);
    }
}
