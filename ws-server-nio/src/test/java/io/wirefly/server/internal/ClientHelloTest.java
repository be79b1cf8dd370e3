package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The SNI reader against ClientHellos made by the JDK's own TLS client, whole, cut short and corrupted. */
class ClientHelloTest {

    /** @return the first record a JDK client sends, asking for {@code serverName} (none if null) */
    private static ByteBuffer clientHello(String protocol, String serverName) throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine();
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setProtocols(new String[] {protocol});
        params.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        params.setApplicationProtocols(new String[] {"http/1.1"});
        engine.setSSLParameters(params);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        return out.flip();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
    void readsTheServerNameOfARealClientHello(String protocol) throws Exception {
        ByteBuffer hello = clientHello(protocol, "Chat.Example.com");
        assertTrue(ClientHello.isTls(hello));
        assertEquals(hello.remaining(), ClientHello.recordLength(hello), "one whole record");
        assertEquals("chat.example.com", ClientHello.serverName(hello));
        assertEquals(0, hello.position(), "the buffer is not moved");
        assertNull(ClientHello.serverName(clientHello(protocol, null)));
    }

    @Test
    void aCutOrCorruptedHelloGivesNoNameAndNeverThrows() throws Exception {
        ByteBuffer hello = clientHello("TLSv1.3", "chat.example.com");
        int whole = hello.remaining();
        for (int cut = 0; cut < whole; cut++) {
            ByteBuffer part = hello.duplicate().limit(cut);
            String name = ClientHello.serverName(part);
            assertTrue(name == null || name.equals("chat.example.com"), cut + " bytes: " + name);
        }
        Random random = new Random(7);
        for (int i = 0; i < 5_000; i++) {
            ByteBuffer corrupt = ByteBuffer.allocate(whole).put(hello.duplicate()).flip();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                corrupt.put(random.nextInt(whole), (byte) random.nextInt(256));
            }
            ClientHello.serverName(corrupt);   // any answer, but no exception
        }
        byte[] garbage = new byte[600];
        for (int i = 0; i < 2_000; i++) {
            random.nextBytes(garbage);
            garbage[0] = 0x16;
            ClientHello.serverName(ByteBuffer.wrap(garbage));
        }
    }

    @Test
    void onlyAHandshakeRecordIsTls() {
        assertFalse(ClientHello.isTls(ByteBuffer.wrap("GET / HTTP/1.1".getBytes(StandardCharsets.US_ASCII))));
        assertFalse(ClientHello.isTls(ByteBuffer.allocate(0)));
        assertTrue(ClientHello.isTls(ByteBuffer.wrap(new byte[] {0x16})));
        assertEquals(ClientHello.HEADER, ClientHello.recordLength(ByteBuffer.wrap(new byte[] {0x16, 3, 1})));
        assertEquals(ClientHello.HEADER + 0x0203,
                ClientHello.recordLength(ByteBuffer.wrap(new byte[] {0x16, 3, 1, 2, 3})));
        assertEquals(ClientHello.MAX_RECORD,
                ClientHello.recordLength(ByteBuffer.wrap(new byte[] {0x16, 3, 1, (byte) 0xff, (byte) 0xff})));
    }
}
