package io.wirefly.server.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Reads the first bytes a client sends on a TLS port: are they a TLS handshake record, is that record whole, and
 * which server name (SNI, RFC 6066 §3) does its ClientHello ask for. Never throws on malformed input: a record this
 * cannot read gives no name, and the TLS engine then rejects it with a proper alert.
 *
 * <pre>{@code
 * if (ClientHello.isTls(first) && ClientHello.recordLength(first) <= first.remaining()) {
 *     String name = ClientHello.serverName(first);   // "chat.example.com", or null
 * }
 * }</pre>
 */
final class ClientHello {
    /** The content type of a TLS handshake record: what every TLS connection starts with. */
    static final int HANDSHAKE_RECORD = 0x16;
    /** A record header: type, version (2), length (2). */
    static final int HEADER = 5;
    /** The largest record a client may send: 2^14 bytes of plaintext plus the header. */
    static final int MAX_RECORD = HEADER + (1 << 14);

    private static final int CLIENT_HELLO = 1;
    private static final int SERVER_NAME_EXTENSION = 0;
    private static final int HOST_NAME = 0;

    private ClientHello() {
    }

    /**
     * @param in the first bytes of a connection (position at its first byte; not moved)
     * @return true if they begin a TLS handshake record
     */
    static boolean isTls(ByteBuffer in) {
        return in.remaining() > 0 && (in.get(in.position()) & 0xff) == HANDSHAKE_RECORD;
    }

    /**
     * @param in the first bytes of a TLS connection (not moved)
     * @return the length of the first record with its header, capped at {@link #MAX_RECORD}; or {@link #HEADER} if the
     *     header is not all there yet
     */
    static int recordLength(ByteBuffer in) {
        if (in.remaining() < HEADER) {
            return HEADER;
        }
        int p = in.position();
        int length = (in.get(p + 3) & 0xff) << 8 | in.get(p + 4) & 0xff;
        return Math.min(HEADER + length, MAX_RECORD);
    }

    /**
     * @param in a whole first record (not moved)
     * @return the host name the ClientHello asks for, lower-cased; null if it names none or cannot be read
     */
    static String serverName(ByteBuffer in) {
        ByteBuffer r = in.slice();
        try {
            int recordEnd = Math.min(r.limit(), recordLength(r));
            r.limit(recordEnd);
            r.position(HEADER);
            if (u8(r) != CLIENT_HELLO) {
                return null;
            }
            int helloLength = u24(r);
            int helloEnd = Math.min(r.limit(), r.position() + helloLength);
            r.limit(helloEnd);
            skip(r, 2 + 32);        // legacy_version, random
            skip(r, u8(r));         // legacy_session_id
            skip(r, u16(r));        // cipher_suites
            skip(r, u8(r));         // legacy_compression_methods
            if (r.remaining() < 2) {
                return null;        // no extensions at all
            }
            int extensionsLength = u16(r);
            int extensionsEnd = Math.min(r.limit(), r.position() + extensionsLength);
            while (r.position() + 4 <= extensionsEnd) {
                int type = u16(r);
                int length = u16(r);
                if (type != SERVER_NAME_EXTENSION) {
                    skip(r, length);
                    continue;
                }
                int listLength = u16(r);
                int listEnd = Math.min(extensionsEnd, r.position() + listLength);
                while (r.position() + 3 <= listEnd) {
                    int nameType = u8(r);
                    int nameLength = u16(r);
                    if (nameType == HOST_NAME && nameLength > 0 && r.position() + nameLength <= listEnd) {
                        byte[] name = new byte[nameLength];
                        r.get(name);
                        return new String(name, StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
                    }
                    skip(r, nameLength);
                }
                return null;
            }
            return null;
        } catch (RuntimeException truncated) {
            // BufferUnderflowException, IllegalArgumentException from a position past the limit: not a readable hello
            return null;
        }
    }

    private static int u8(ByteBuffer b) {
        return b.get() & 0xff;
    }

    private static int u16(ByteBuffer b) {
        return (b.get() & 0xff) << 8 | b.get() & 0xff;
    }

    private static int u24(ByteBuffer b) {
        return u8(b) << 16 | u16(b);
    }

    private static void skip(ByteBuffer b, int n) {
        b.position(b.position() + n);
    }
}
