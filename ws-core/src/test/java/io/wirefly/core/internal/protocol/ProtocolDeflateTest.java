package io.wirefly.core.internal.protocol;

import static io.wirefly.core.internal.protocol.RawFrames.fromClient;
import static io.wirefly.core.internal.protocol.RawFrames.fromServer;
import static io.wirefly.core.internal.protocol.RawFrames.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.Role;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import io.wirefly.core.internal.frame.MaskKeys;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** permessage-deflate (RFC 7692) as the state machine applies it. */
class ProtocolDeflateTest {
    private static final DeflateParams TAKEOVER = new DeflateParams(false, false, 15, 15);
    private static final WebSocketConfig DEFLATE = WebSocketConfig.builder().deflate(true).deflateThreshold(0).build();

    private final RecordingListener events = new RecordingListener();

    // RFC 7692 §7.2.3.1 and §7.2.3.2: "Hello" compressed, once and then again with the context taken over.
    @Test
    void theRfcExamplesInflateToHello() {
        Protocol c = events.bind(new Protocol(Role.CLIENT, DEFLATE, TAKEOVER, MaskKeys.fixed(1), events));
        c.receive(ByteBuffer.wrap(hex("c1 07 f2 48 cd c9 c9 07 00")));
        c.receive(ByteBuffer.wrap(hex("c1 05 f2 00 11 00 00")));
        // §7.2.3.3: a compressed message split into two fragments; RSV1 on the first frame only.
        c.receive(ByteBuffer.wrap(hex("41 03 f2 48 cd 80 04 c9 c9 07 00")));
        assertEquals(List.of("text:Hello", "text:Hello", "text:Hello"), events.events);
    }

    @ParameterizedTest
    @CsvSource({"false,false", "true,false", "false,true", "true,true"})
    void clientAndServerRoundTripWithEveryContextTakeoverCombination(boolean serverReset, boolean clientReset) {
        DeflateParams params = new DeflateParams(serverReset, clientReset, 15, 15);
        RecordingListener serverEvents = new RecordingListener();
        RecordingListener clientEvents = new RecordingListener();
        Protocol s = serverEvents.bind(new Protocol(Role.SERVER, DEFLATE, params, MaskKeys.secure(), serverEvents));
        Protocol c = clientEvents.bind(new Protocol(Role.CLIENT, DEFLATE, params, MaskKeys.secure(), clientEvents));
        Random random = new Random(42);
        for (int i = 0; i < 20; i++) {
            String text = "message " + i + " " + "abc".repeat(random.nextInt(2000));
            c.sendText(text);
            s.sendText(text);
            byte[] bin = new byte[random.nextInt(5000)];
            random.nextBytes(bin);
            c.sendBinary(ByteBuffer.wrap(bin));
            s.sendBinary(ByteBuffer.wrap(bin));
            assertTrue((clientEvents.frames().get(0).get(0) & 0x40) != 0, "RSV1 set on a compressed message");
            ProtocolTest.pump(clientEvents, s);
            ProtocolTest.pump(serverEvents, c);
            assertEquals(text, serverEvents.texts.get(i));
            assertEquals(text, clientEvents.texts.get(i));
            assertEquals(bin.length, serverEvents.binaries.get(i).length);
        }
        assertEquals(20, serverEvents.texts.size());
    }

    @Test
    void messagesBelowTheThresholdGoUncompressed() {
        WebSocketConfig config = WebSocketConfig.builder().deflate(true).deflateThreshold(100).build();
        Protocol s = events.bind(new Protocol(Role.SERVER, config, TAKEOVER, MaskKeys.fixed(1), events));
        s.sendText("short");
        s.sendText("long".repeat(50));
        assertEquals(0x81, events.frames().get(0).get(0) & 0xFF, "uncompressed, RSV1 clear");
        assertEquals(0xC1, events.frames().get(1).get(0) & 0xFF, "compressed, RSV1 set");
    }

    @Test
    void rsv1OnAContinuationFrameIs1002() {
        Protocol s = events.bind(new Protocol(Role.SERVER, DEFLATE, TAKEOVER, MaskKeys.fixed(1), events));
        s.receive(fromClient().frame(false, 0b100, 1, hex("f2 48")).frame(true, 0b100, 0, hex("cd c9")).buffer());
        assertEquals(1002, events.closedCode);
    }

    @Test
    void rsv1OnAControlFrameIs1002() {
        Protocol s = events.bind(new Protocol(Role.SERVER, DEFLATE, TAKEOVER, MaskKeys.fixed(1), events));
        s.receive(fromClient().frame(true, 0b100, 9, new byte[0]).buffer());
        assertEquals(1002, events.closedCode);
    }

    @Test
    void corruptCompressedDataIs1007() {
        Protocol c = events.bind(new Protocol(Role.CLIENT, DEFLATE, TAKEOVER, MaskKeys.fixed(1), events));
        c.receive(fromServer().frame(true, 0b100, 2, hex("ff ff ff ff ff")).buffer());
        assertEquals(1007, events.closedCode);
        assertEquals(1007, events.lastSentCloseCode());
    }

    @Test
    void compressedTextThatIsNotUtf8Is1007() {
        byte[] compressed = deflate(hex("48 65 ed a0 80"));
        Protocol c = events.bind(new Protocol(Role.CLIENT, DEFLATE, TAKEOVER, MaskKeys.fixed(1), events));
        c.receive(fromServer().frame(true, 0b100, 1, compressed).buffer());
        assertEquals(1007, events.closedCode);
    }

    @Test
    void aDecompressionBombEndsIn1009() {
        WebSocketConfig config = WebSocketConfig.builder().deflate(true).maxMessageSize(1 << 20).build();
        byte[] bomb = deflate(new byte[64 << 20]);   // 64 MiB of zeros in about 64 KiB
        assertTrue(bomb.length < config.maxFrameSize());
        Protocol c = events.bind(new Protocol(Role.CLIENT, config, TAKEOVER, MaskKeys.fixed(1), events));
        c.receive(fromServer().frame(true, 0b100, 2, bomb).buffer());
        assertEquals(1009, events.closedCode);
        assertTrue(events.binaries.isEmpty());
    }

    @Test
    void aBoundOnInflatedBytesPerCallSpreadsABombOverCallsAndStillEndsIn1009() {
        WebSocketConfig config = WebSocketConfig.builder().deflate(true).maxMessageSize(1 << 20).build();
        byte[] bomb = deflate(new byte[64 << 20]);
        Protocol s = events.bind(new Protocol(Role.SERVER, config, TAKEOVER, MaskKeys.fixed(1), events));
        ByteBuffer in = fromClient().frame(true, 0b100, 2, bomb).buffer();
        int calls = 0;
        while (in.hasRemaining() && calls < 100) {
            s.receive(in, 64, 64 * 1024);
            calls++;
        }
        assertEquals(1009, events.closedCode);
        assertTrue(calls >= 16, calls + " calls: 1 MiB in shares of about 64 KiB");
        assertTrue(events.binaries.isEmpty());
    }

    @Test
    void compressedMessagesCutByTheInflateBoundGiveTheSameEventsAsWhole() {
        Random random = new Random(5);
        RawFrames frames = fromClient();
        List<String> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String text = i + ":" + "wörd ".repeat(random.nextInt(40_000));
            sent.add(text);
            byte[] compressed = deflate(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (i % 2 == 0) {
                frames.frame(true, 0b100, 1, compressed);
            } else {   // fragmented: RSV1 on the first frame only
                int half = compressed.length / 2;
                frames.frame(false, 0b100, 1, java.util.Arrays.copyOfRange(compressed, 0, half))
                        .frame(true, 0, 0, java.util.Arrays.copyOfRange(compressed, half, compressed.length));
            }
        }
        Protocol s = events.bind(new Protocol(Role.SERVER, DEFLATE, TAKEOVER, MaskKeys.fixed(1), events));
        ByteBuffer in = frames.buffer();
        int calls = 0;
        while (in.hasRemaining() && calls < 10_000) {
            s.receive(in, 64, 10_000);
            calls++;
        }
        assertEquals(sent.size(), events.texts.size(), "messages");
        for (int i = 0; i < sent.size(); i++) {
            assertTrue(sent.get(i).equals(events.texts.get(i)), "message " + i + " arrives whole and unchanged");
        }
        assertTrue(calls > 6, calls + " calls");
    }

    /** Raw deflate with a sync flush and the trailing 00 00 ff ff removed, as RFC 7692 §7.2.1 sends it. */
    static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
        d.setInput(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        int n;
        while ((n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(buf, 0, n);
            if (n < buf.length && d.needsInput()) {
                break;
            }
        }
        d.end();
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - 4);
    }

    @Test
    void aDecompressorInUseIsReservedFromTheInboundBudgetAndReleasedWhenTheMessageEnds() {
        // Room for two decompressors (and a little assembly), not three.
        InboundBudget budget = InboundBudget.bounded(2L * Incoming.DECOMPRESSOR_BYTES + 4096);
        DeflateParams shared = new DeflateParams(true, true, 15, 15);
        // RFC 7692 §7.2.3.3's "Hello" in two frames: the first leaves each connection mid-message. (A receive
        // unmasks in place: each gets a copy.)
        byte[] start = fromClient().frame(false, 0b100, 1, hex("f2 48 cd")).bytes();
        byte[] end = fromClient().frame(true, 0, 0, hex("c9 c9 07 00")).bytes();
        RecordingListener[] listeners = new RecordingListener[4];
        Protocol[] conns = new Protocol[4];
        for (int i = 0; i < 4; i++) {
            listeners[i] = new RecordingListener();
            conns[i] = listeners[i].bind(new Protocol(Role.SERVER, DEFLATE, shared, MaskKeys.secure(), listeners[i],
                    budget));
        }
        conns[0].receive(ByteBuffer.wrap(start.clone()));
        conns[1].receive(ByteBuffer.wrap(start.clone()));
        conns[2].receive(ByteBuffer.wrap(start.clone()));
        assertEquals(List.of(), listeners[0].events);
        assertEquals(List.of(), listeners[1].events);
        assertEquals(List.of("error:1013", "closed:1013"), listeners[2].events,
                "no room for a third while the others hold theirs: try again later");

        conns[0].receive(ByteBuffer.wrap(end.clone()));
        assertEquals(List.of("text:Hello"), listeners[0].events);
        // The first message ended and gave its decompressor back: a fourth connection now gets one.
        conns[3].receive(ByteBuffer.wrap(start.clone()));
        conns[3].receive(ByteBuffer.wrap(end.clone()));
        assertEquals(List.of("text:Hello"), listeners[3].events);
        // A connection that ends mid-message releases its reservation too.
        conns[1].receiveEof();
        conns[0].receive(ByteBuffer.wrap(start.clone()));
        conns[2] = new Protocol(Role.SERVER, DEFLATE, shared, MaskKeys.secure(), listeners[2], budget);
        conns[2].receive(ByteBuffer.wrap(start.clone()));
        conns[2].receive(ByteBuffer.wrap(end.clone()));
        assertEquals("text:Hello", listeners[2].events.get(listeners[2].events.size() - 1));
    }

    @Test
    void withContextTakeoverTheDecompressorStaysReservedUntilTheConnectionCloses() {
        InboundBudget budget = InboundBudget.bounded(Incoming.DECOMPRESSOR_BYTES + 4096);
        RecordingListener other = new RecordingListener();
        Protocol owner = events.bind(new Protocol(Role.SERVER, DEFLATE, TAKEOVER, MaskKeys.secure(), events, budget));
        Protocol waiting = other.bind(new Protocol(Role.SERVER, DEFLATE, TAKEOVER, MaskKeys.secure(), other, budget));
        owner.receive(fromClient().frame(true, 0b100, 1, hex("f2 48 cd c9 c9 07 00")).buffer());
        assertEquals(List.of("text:Hello"), events.events);
        waiting.receive(fromClient().frame(true, 0b100, 1, hex("f2 48 cd c9 c9 07 00")).buffer());
        assertEquals(List.of("error:1013", "closed:1013"), other.events, "the first still holds its window");
        owner.receiveEof();
        RecordingListener later = new RecordingListener();
        Protocol next = later.bind(new Protocol(Role.SERVER, DEFLATE, TAKEOVER, MaskKeys.secure(), later, budget));
        next.receive(fromClient().frame(true, 0b100, 1, hex("f2 48 cd c9 c9 07 00")).buffer());
        assertEquals(List.of("text:Hello"), later.events);
    }

    @Test
    void withContextTakeoverACompressorNeedsRoomInTheBudgetAndWithoutItTheMessageGoesUncompressed() {
        // Room for one compressor of a connection's own, not two.
        InboundBudget budget = InboundBudget.bounded(Protocol.COMPRESSOR_BYTES + 4096);
        RecordingListener firstOut = new RecordingListener();
        RecordingListener secondOut = new RecordingListener();
        RecordingListener client = new RecordingListener();
        Protocol first = firstOut.bind(new Protocol(Role.SERVER, DEFLATE, TAKEOVER, MaskKeys.secure(), firstOut,
                budget));
        Protocol second = secondOut.bind(new Protocol(Role.SERVER, DEFLATE, TAKEOVER, MaskKeys.secure(), secondOut,
                budget));
        Protocol reader = client.bind(new Protocol(Role.CLIENT, DEFLATE, TAKEOVER, MaskKeys.secure(), client));
        String text = "a reading of 21.5 degrees; ".repeat(20);

        first.sendText(text);
        assertEquals(0xC1, firstOut.frames().get(0).get(0) & 0xFF, "compressed, RSV1 set");
        second.sendText(text);
        assertEquals(0x81, secondOut.frames().get(0).get(0) & 0xFF, "no room for a compressor: RSV1 clear");
        ProtocolTest.pump(secondOut, reader);
        assertEquals(List.of(text), client.texts, "the uncompressed message is the same message");

        first.receiveEof();   // the first connection ends: its compressor's reservation goes back
        second.sendText(text);
        second.sendText(text);
        List<ByteBuffer> frames = secondOut.frames();
        assertEquals(0xC1, frames.get(0).get(0) & 0xFF, "now compressed");
        assertTrue(frames.get(1).remaining() < frames.get(0).remaining(), "with its context taken over");
        ProtocolTest.pump(secondOut, reader);
        assertEquals(List.of(text, text, text), client.texts);
    }
}
