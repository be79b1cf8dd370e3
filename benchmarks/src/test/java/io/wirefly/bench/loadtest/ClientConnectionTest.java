package io.wirefly.bench.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClientConnectionTest {
    private SocketChannel channel;
    private final List<long[]> messages = new ArrayList<>();

    @BeforeEach
    void open() throws IOException {
        channel = SocketChannel.open(); // never connected: the reader works on buffers only
    }

    @AfterEach
    void close() throws IOException {
        channel.close();
    }

    private ClientConnection openConnection() {
        ClientConnection c = new ClientConnection(0, channel);
        c.state = ClientConnection.State.OPEN;
        return c;
    }

    private void feed(ClientConnection c, byte[] bytes, int chunk) throws IOException {
        for (int i = 0; i < bytes.length; i += chunk) {
            ByteBuffer in = ByteBuffer.wrap(bytes, i, Math.min(chunk, bytes.length - i));
            c.readFrames(in, (conn, opcode, length, prefix) -> messages.add(new long[] {opcode, length, prefix}));
            assertFalse(in.hasRemaining());
        }
    }

    /** A server frame: unmasked, minimal length. */
    private static byte[] serverFrame(int b0, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(b0);
        int n = payload.length;
        if (n < 126) {
            out.write(n);
        } else if (n <= 0xFFFF) {
            out.write(126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) ((long) n >>> (8 * i)));
            }
        }
        out.writeBytes(payload);
        return out.toByteArray();
    }

    @Test
    void readsHandshakeResponseSplitAtEveryByte() throws IOException {
        byte[] head = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] withFrame = new byte[head.length + 3];
        System.arraycopy(head, 0, withFrame, 0, head.length);
        withFrame[head.length] = (byte) 0x82;
        for (int split = 1; split < head.length; split++) {
            ClientConnection c = new ClientConnection(0, channel);
            assertFalse(c.readHandshake(ByteBuffer.wrap(withFrame, 0, split)));
            ByteBuffer rest = ByteBuffer.wrap(withFrame, split, withFrame.length - split);
            assertTrue(c.readHandshake(rest), "split at " + split);
            assertEquals(head.length, rest.position(), "the first frame byte stays in the buffer");
        }
    }

    @Test
    void rejectsAStatusOtherThan101() {
        byte[] head = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        ClientConnection c = new ClientConnection(0, channel);
        IOException e = assertThrows(IOException.class, () -> c.readHandshake(ByteBuffer.wrap(head)));
        assertTrue(e.getMessage().contains("404"), e.getMessage());
    }

    @Test
    void reportsEachLengthEncodingWithItsPrefixAtEverySplit() throws IOException {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int[] sizes = {0, 5, 125, 126, 65535, 65536, 70000};
        for (int i = 0; i < sizes.length; i++) {
            stream.writeBytes(serverFrame(0x82, ClientFrames.payload(sizes[i], 1000 + i)));
        }
        byte[] bytes = stream.toByteArray();
        for (int chunk : new int[] {1, 2, 3, 7, 4096, bytes.length}) {
            messages.clear();
            feed(openConnection(), bytes, chunk);
            assertEquals(sizes.length, messages.size(), "chunk " + chunk);
            for (int i = 0; i < sizes.length; i++) {
                assertEquals(ClientFrames.BINARY, messages.get(i)[0]);
                assertEquals(sizes[i], messages.get(i)[1]);
                long expectedPrefix = 0;
                byte[] payload = ClientFrames.payload(sizes[i], 1000 + i);
                for (int b = 0; b < Math.min(8, payload.length); b++) {
                    expectedPrefix = (expectedPrefix << 8) | (payload[b] & 0xFF);
                }
                assertEquals(expectedPrefix, messages.get(i)[2], "message " + i + ", chunk " + chunk);
            }
        }
    }

    @Test
    void joinsFragmentsAndSkipsUnsolicitedPongs() throws IOException {
        byte[] payload = ClientFrames.payload(300, 42);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(serverFrame(0x02, java.util.Arrays.copyOfRange(payload, 0, 3)));   // BINARY, not final
        stream.writeBytes(serverFrame(0x8A, new byte[] {1, 2}));                             // PONG in between
        stream.writeBytes(serverFrame(0x80, java.util.Arrays.copyOfRange(payload, 3, 300))); // final CONTINUATION
        feed(openConnection(), stream.toByteArray(), 5);
        assertEquals(1, messages.size());
        assertEquals(300, messages.get(0)[1]);
        assertEquals(42, messages.get(0)[2]);
    }

    @Test
    void aCloseFrameEndsReading() throws IOException {
        ClientConnection c = openConnection();
        byte[] close = serverFrame(0x88, new byte[] {0x03, (byte) 0xE8});
        byte[] after = serverFrame(0x82, new byte[] {9});
        byte[] both = new byte[close.length + after.length];
        System.arraycopy(close, 0, both, 0, close.length);
        System.arraycopy(after, 0, both, close.length, after.length);
        feed(c, both, both.length);
        assertEquals("server sent a close frame", c.closeReason);
        assertTrue(messages.isEmpty());
    }

    @Test
    void rejectsAMaskedServerFrame() {
        byte[] masked = {(byte) 0x82, (byte) 0x81, 1, 2, 3, 4, 5};
        ClientConnection c = openConnection();
        assertThrows(IOException.class, () -> feed(c, masked, masked.length));
    }
}
