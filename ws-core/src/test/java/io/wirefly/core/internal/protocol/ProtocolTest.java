package io.wirefly.core.internal.protocol;

import static io.wirefly.core.internal.protocol.RawFrames.fromClient;
import static io.wirefly.core.internal.protocol.RawFrames.fromServer;
import static io.wirefly.core.internal.protocol.RawFrames.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.ClosedException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.frame.Allocations;
import io.wirefly.core.internal.frame.MaskKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolTest {
    private final RecordingListener events = new RecordingListener();

    private Protocol server() {
        return server(WebSocketConfig.defaults());
    }

    private Protocol server(WebSocketConfig config) {
        return events.bind(new Protocol(Role.SERVER, config, null, MaskKeys.fixed(0x11223344), events));
    }

    private Protocol client() {
        return events.bind(new Protocol(Role.CLIENT, WebSocketConfig.defaults(), null, MaskKeys.fixed(0x11223344), events));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Feeds the server bytes; asserts it failed with {@code code} and sent that code in a close frame. */
    private void assertFailsWith(int code, byte[] input) {
        Protocol p = server();
        p.receive(ByteBuffer.wrap(input));
        assertEquals(ReadyState.CLOSED, p.state(), "state after violation");
        assertEquals(code, events.closedCode, "code reported to the listener");
        assertEquals(code, events.lastSentCloseCode(), "code sent on the wire");
        assertEquals(OutboundKind.CLOSE_ABORT, events.kinds().get(events.kinds().size() - 1));
        assertEquals(1, events.closedCalls);
    }

    // RFC 6455 §5.7: a masked "Hello" from a client.
    @Test
    void serverReceivesTheMaskedHelloOfRfc6455Section57() {
        Protocol p = server();
        p.receive(ByteBuffer.wrap(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58")));
        assertEquals(List.of("text:Hello"), events.events);
        assertEquals(ReadyState.OPEN, p.state());
    }

    // RFC 6455 §5.7: an unmasked "Hello" from a server, and the fragmented "Hel" + "lo".
    @Test
    void clientReceivesUnmaskedAndFragmentedHello() {
        Protocol p = client();
        p.receive(ByteBuffer.wrap(hex("81 05 48 65 6c 6c 6f")));
        p.receive(ByteBuffer.wrap(hex("01 03 48 65 6c 80 02 6c 6f")));
        assertEquals(List.of("text:Hello", "text:Hello"), events.events);
    }

    @Test
    void pingInsideAFragmentedMessageIsAnsweredAndTheMessageStillCompletes() {
        Protocol p = server();
        byte[] in = fromClient().frame(false, 0, 1, utf8("frag"))
                .ping("are you there")
                .frame(true, 0, 0, utf8("ment")).bytes();
        p.receive(ByteBuffer.wrap(in));
        assertEquals(List.of("ping:are you there", "text:fragment"), events.events);
        assertEquals(List.of(OutboundKind.CONTROL), events.kinds());
        // RFC 6455 §5.5.3: the pong carries the ping's application data, unmasked from a server.
        ByteBuffer pong = events.frames().get(0);
        assertEquals(0x8A, pong.get(0) & 0xFF);
        assertEquals(13, pong.get(1) & 0xFF);
        assertEquals("are you there", new String(pong.array(), pong.arrayOffset() + 2, 13, StandardCharsets.UTF_8));
    }

    @Test
    void tenPingsInOneReadGetTenPongsInOrder() {
        Protocol p = server();
        RawFrames frames = fromClient();
        for (int i = 0; i < 10; i++) {
            frames.ping("payload-" + i);
        }
        p.receive(frames.buffer());
        List<ByteBuffer> pongs = events.frames();
        assertEquals(10, pongs.size(), "Autobahn 2.10: every ping of a handful is answered");
        for (int i = 0; i < 10; i++) {
            assertEquals("payload-" + i, pongPayload(pongs.get(i)));
        }
    }

    /** RFC 6455 §5.5.3: an endpoint may answer only the most recent of the pings it has not answered yet. */
    @Test
    void aPingFloodInOneReadCostsABoundedNumberOfPongsAndTheLatestIsAnswered() {
        Protocol p = server();
        RawFrames frames = fromClient();
        for (int i = 0; i < 10_000; i++) {
            frames.ping("p" + i);
        }
        p.receive(frames.buffer());
        List<ByteBuffer> pongs = events.frames();
        assertEquals(Protocol.MAX_UNDRAINED_PONGS + 1, pongs.size());
        assertEquals("p0", pongPayload(pongs.get(0)));
        assertEquals("p9999", pongPayload(pongs.get(pongs.size() - 1)), "the latest ping is answered");
        assertEquals(10_000, events.events.size(), "the listener still hears of every ping");

        // Once the transport has drained, the next read gets its own allowance.
        p.receive(fromClient().ping("again").buffer());
        List<ByteBuffer> all = events.frames();
        assertEquals(Protocol.MAX_UNDRAINED_PONGS + 2, all.size());
        assertEquals("again", pongPayload(all.get(all.size() - 1)));
    }

    @Test
    void aPingFloodAllocatesNothingPerPing() {
        int[] pings = {0};
        ProtocolListener quiet = new ProtocolListener() {
            @Override
            public void onText(String text) {
            }

            @Override
            public void onBinary(ByteBuffer data) {
            }

            @Override
            public void onPing(ByteBuffer payload) {
                pings[0] += payload.remaining() == 2 ? 1 : 0;
            }

            @Override
            public void onPong(ByteBuffer payload) {
            }

            @Override
            public void onProtocolError(io.wirefly.core.ProtocolException error) {
            }

            @Override
            public void onClosed(int code, String reason) {
            }
        };
        Protocol p = new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), quiet);
        OutboundSink drop = (frame, kind, tag) -> { };
        RawFrames frames = fromClient();
        for (int i = 0; i < 10_000; i++) {
            frames.ping("pp");
        }
        byte[] wire = frames.bytes();
        ByteBuffer[] reads = new ByteBuffer[4];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = ByteBuffer.wrap(wire.clone());   // unmasked in place: one copy per read
        }
        for (int i = 0; i < 3; i++) {
            p.receive(reads[i]);
            p.drainOutbound(drop);
        }
        Allocations.current();
        long before = Allocations.current();
        p.receive(reads[3]);
        p.drainOutbound(drop);
        long allocated = Allocations.current() - before;
        assertEquals(40_000, pings[0]);
        // 17 pongs (16 and the latest) are all that is allocated: about 100 bytes each.
        assertTrue(allocated < 5_000, allocated + " bytes allocated for 10,000 pings");
    }

    @Test
    void aDeferredPongIsNotSentAfterACloseInTheSameRead() {
        Protocol p = server();
        RawFrames frames = fromClient();
        for (int i = 0; i < 100; i++) {
            frames.ping("p" + i);
        }
        p.receive(frames.close(1000, "bye").buffer());
        List<OutboundKind> kinds = events.kinds();
        assertEquals(Protocol.MAX_UNDRAINED_PONGS + 1, kinds.size(), "16 pongs and the close, no pong after it");
        assertEquals(OutboundKind.CLOSE, kinds.get(kinds.size() - 1));
    }

    private static String pongPayload(ByteBuffer pong) {
        assertEquals(0x8A, pong.get(pong.position()) & 0xFF);
        int n = pong.get(pong.position() + 1) & 0x7F;
        byte[] b = new byte[n];
        pong.duplicate().position(pong.position() + 2).get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    void binaryMessagesOfEverySizeClassArriveWhole() {
        Protocol p = server(WebSocketConfig.builder().maxMessageSize(1 << 17).maxFrameSize(1 << 17).build());
        int[] sizes = {0, 1, 125, 126, 127, 65535, 65536, 65537};
        RawFrames frames = fromClient();
        for (int n : sizes) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) {
                b[i] = (byte) (i * 31 + n);
            }
            frames.binary(b);
        }
        p.receive(frames.buffer());
        assertEquals(sizes.length, events.binaries.size());
        for (int i = 0; i < sizes.length; i++) {
            byte[] got = events.binaries.get(i);
            assertEquals(sizes[i], got.length);
            for (int j = 0; j < got.length; j++) {
                assertEquals((byte) (j * 31 + sizes[i]), got[j]);
            }
        }
    }

    @Test
    void everySplitPointAndOneByteAtATimeGiveTheSameEvents() {
        byte[] stream = fromClient().text("héllo wörld")
                .frame(false, 0, 2, new byte[300])
                .ping("p")
                .frame(false, 0, 0, new byte[70000])
                .frame(true, 0, 0, new byte[3])
                .frame(false, 0, 1, utf8("€"), true)
                .frame(true, 0, 0, utf8("uro"))
                .close(1000, "done").bytes();
        RecordingListener whole = new RecordingListener();
        whole.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), whole))
                .receive(ByteBuffer.wrap(stream.clone()));
        assertEquals(List.of("text:héllo wörld", "ping:p", "binary:70303", "text:€uro", "closed:1000"), whole.events);

        for (int split = 0; split <= stream.length; split += split < 400 ? 1 : 97) {
            RecordingListener l = new RecordingListener();
            Protocol p = l.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), l));
            byte[] copy = stream.clone();
            p.receive(ByteBuffer.wrap(copy, 0, split));
            p.receive(ByteBuffer.wrap(copy, split, copy.length - split));
            assertEquals(whole.events, l.events, "split at " + split);
        }
        RecordingListener l = new RecordingListener();
        Protocol p = l.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), l));
        byte[] copy = stream.clone();
        ByteBuffer direct = ByteBuffer.allocateDirect(1);
        for (byte b : copy) {
            direct.clear();
            direct.put(b).flip();
            p.receive(direct);
            assertEquals(0, direct.remaining());
        }
        assertEquals(whole.events, l.events, "one byte at a time, direct buffer");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7})
    void aFrameBudgetStopsAtAFrameBoundaryAndTheRestGivesTheSameEvents(int maxFrames) {
        byte[] stream = fromClient().text("one").ping("p").frame(false, 0, 2, new byte[300])
                .frame(true, 0, 0, new byte[3]).text("two").text("three").close(1000, "done").bytes();
        RecordingListener whole = new RecordingListener();
        whole.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), whole))
                .receive(ByteBuffer.wrap(stream.clone()));

        RecordingListener l = new RecordingListener();
        Protocol p = l.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), l));
        ByteBuffer in = ByteBuffer.wrap(stream.clone());
        int calls = 0;
        while (in.hasRemaining()) {
            int before = l.events.size();
            p.receive(in, maxFrames, Integer.MAX_VALUE);
            calls++;
            assertTrue(l.events.size() - before <= maxFrames, "at most " + maxFrames + " events in one call");
            assertTrue(calls <= 7, "every call makes progress");
        }
        assertEquals(whole.events, l.events);
        assertEquals((7 + maxFrames - 1) / maxFrames, calls, "7 frames in calls of " + maxFrames);
        assertThrows(IllegalArgumentException.class, () -> p.receive(ByteBuffer.allocate(1), 0, 1));
    }

    // ---- RFC 6455 §5.2: reserved bits and opcodes --------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(ints = {0b001, 0b010, 0b011, 0b100, 0b111})
    void reservedBitsWithoutAnExtensionAre1002(int rsv) {
        assertFailsWith(1002, fromClient().frame(true, rsv, 1, utf8("x")).bytes());
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
    void reservedOpcodesAre1002(int opcode) {
        assertFailsWith(1002, fromClient().frame(true, 0, opcode, new byte[0]).bytes());
    }

    // RFC 6455 §5.1: masking by role.
    @Test
    void anUnmaskedFrameFromAClientIs1002() {
        assertFailsWith(1002, fromServer().text("Hello").bytes());
    }

    @Test
    void aMaskedFrameFromAServerIs1002() {
        Protocol p = client();
        p.receive(fromClient().text("Hello").buffer());
        assertEquals(1002, events.closedCode);
        assertEquals(1002, events.lastSentCloseCode());
        // A client masks even its close frame.
        assertEquals(0x80, events.frames().get(0).get(1) & 0x80);
    }

    // RFC 6455 §5.5: control frames.
    @Test
    void aControlFrameLongerThan125BytesIs1002() {
        assertFailsWith(1002, fromClient().frame(true, 0, 9, new byte[126]).bytes());
    }

    @Test
    void aFragmentedControlFrameIs1002() {
        assertFailsWith(1002, fromClient().frame(false, 0, 9, utf8("x")).bytes());
    }

    // RFC 6455 §5.4: fragmentation.
    @Test
    void aContinuationWithoutAMessageIs1002() {
        assertFailsWith(1002, fromClient().frame(true, 0, 0, utf8("x")).bytes());
    }

    @Test
    void aNewMessageInsideAFragmentedOneIs1002() {
        assertFailsWith(1002, fromClient().frame(false, 0, 1, utf8("a")).frame(true, 0, 1, utf8("b")).bytes());
    }

    @Test
    void aNonMinimalLengthIs1002() {
        assertFailsWith(1002, fromClient().nonMinimal16(1, utf8("short")).bytes());
    }

    // RFC 6455 §8.1: text must be UTF-8.
    @Test
    void invalidUtf8InTextIs1007() {
        assertFailsWith(1007, fromClient().frame(true, 0, 1, hex("ce ba e1 bd b9 cf 83 ed a0 80 65 64")).bytes());
    }

    @Test
    void invalidUtf8FailsAtOnceWithoutWaitingForTheMessageToEnd() {
        Protocol p = server();
        // The first fragment holds an impossible byte; the message never ends, and no more frames are needed.
        p.receive(fromClient().frame(false, 0, 1, hex("48 65 f8")).buffer());
        assertEquals(1007, events.closedCode);
    }

    @Test
    void aCodePointSplitAcrossFramesIsValid() {
        Protocol p = server();
        byte[] euro = utf8("€");
        p.receive(fromClient().frame(false, 0, 1, new byte[] {euro[0]})
                .frame(false, 0, 0, new byte[] {euro[1]})
                .frame(true, 0, 0, new byte[] {euro[2]}).buffer());
        assertEquals(List.of("text:€"), events.events);
    }

    @Test
    void aTextMessageEndingInsideACodePointIs1007() {
        assertFailsWith(1007, fromClient().frame(true, 0, 1, hex("e2 82")).bytes());
    }

    // Limits.
    @Test
    void aFrameOverMaxFrameSizeIs1009BeforeItsPayloadArrives() {
        Protocol p = server(WebSocketConfig.builder().maxFrameSize(1000).build());
        byte[] frame = fromClient().binary(new byte[1001]).bytes();
        p.receive(ByteBuffer.wrap(frame, 0, 8));   // the header only
        assertEquals(1009, events.closedCode);
        assertEquals(1009, events.lastSentCloseCode());
    }

    @Test
    void aFragmentedMessageOverMaxMessageSizeIs1009() {
        Protocol p = server(WebSocketConfig.builder().maxMessageSize(1000).build());
        p.receive(fromClient().frame(false, 0, 2, new byte[600]).frame(true, 0, 0, new byte[600]).buffer());
        assertEquals(1009, events.closedCode);
        assertTrue(events.binaries.isEmpty());
    }

    @Test
    void aMessageExactlyAtTheLimitIsDelivered() {
        Protocol p = server(WebSocketConfig.builder().maxMessageSize(1200).build());
        p.receive(fromClient().frame(false, 0, 2, new byte[600]).frame(true, 0, 0, new byte[600]).buffer());
        assertEquals(List.of("binary:1200"), events.events);
    }

    // ---- Close handshake (RFC 6455 §5.5.1, §7.4) ------------------------------------------------------------------

    @Test
    void aPeerCloseIsEchoedAndReported() {
        Protocol p = server();
        p.receive(fromClient().close(1001, "bye").buffer());
        assertEquals(ReadyState.CLOSED, p.state());
        assertEquals(List.of("closed:1001"), events.events);
        assertEquals("bye", events.closedReason);
        assertEquals(1001, events.lastSentCloseCode());
        assertEquals(OutboundKind.CLOSE, events.kinds().get(0));
    }

    @Test
    void anEmptyCloseIsReportedAs1005AndAnsweredWithAnEmptyClose() {
        Protocol p = server();
        p.receive(fromClient().frame(true, 0, 8, new byte[0]).buffer());
        assertEquals(1005, events.closedCode);
        assertEquals(2, events.frames().get(0).remaining(), "empty close frame from a server");
        assertEquals(ReadyState.CLOSED, p.state());
    }

    @Test
    void aOneByteClosePayloadIs1002() {
        assertFailsWith(1002, fromClient().frame(true, 0, 8, new byte[] {3}).bytes());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    void closeCodesThatMayNotBeSentAre1002(int code) {
        assertFailsWith(1002, fromClient().close(code, "").bytes());
    }

    @ParameterizedTest
    @ValueSource(ints = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    void closeCodesThatMayBeSentAreEchoed(int code) {
        Protocol p = server();
        p.receive(fromClient().close(code, "ok").buffer());
        assertEquals(code, events.closedCode);
        assertEquals(code, events.lastSentCloseCode());
        assertNull(events.error);
    }

    @Test
    void aCloseReasonThatIsNotUtf8Is1007() {
        assertFailsWith(1007, fromClient().frame(true, 0, 8, hex("03 e8 ce ba ed a0 80")).bytes());
    }

    @Test
    void weInitiateTheCloseAndThePeerAnswers() {
        Protocol p = server();
        p.close(4000, "app says bye");
        assertEquals(ReadyState.CLOSING, p.state());
        assertTrue(p.closeExpected());
        assertEquals(4000, events.lastSentCloseCode());
        assertThrows(ClosedException.class, () -> p.sendText("too late"));
        // Messages still arriving before the peer's close are delivered.
        p.receive(fromClient().text("in flight").close(4000, "").buffer());
        assertEquals(ReadyState.CLOSED, p.state());
        assertFalse(p.closeExpected());
        assertEquals(List.of("text:in flight", "closed:4000"), events.events);
        assertEquals(1, events.frames().size(), "no second close frame");
    }

    @Test
    void closeValidatesItsArguments() {
        Protocol p = server();
        assertThrows(IllegalArgumentException.class, () -> p.close(1005, ""));
        assertThrows(IllegalArgumentException.class, () -> p.close(1006, ""));
        assertThrows(IllegalArgumentException.class, () -> p.close(999, ""));
        assertThrows(IllegalArgumentException.class, () -> p.close(1000, "x".repeat(124)));
        p.close(1000, "é".repeat(61));   // 122 bytes: allowed
        assertEquals(ReadyState.CLOSING, p.state());
    }

    @Test
    void endOfInputWithoutACloseIs1006() {
        Protocol p = server();
        p.receive(fromClient().frame(false, 0, 1, utf8("half")).buffer());
        p.receiveEof();
        assertEquals(List.of("closed:1006"), events.events);
        assertEquals(ReadyState.CLOSED, p.state());
        p.receiveEof();
        assertEquals(1, events.closedCalls, "onClosed is called once");
    }

    // ---- After a violation ---------------------------------------------------------------------------------------

    @Test
    void validMessagesBeforeAViolationAreDeliveredAndInputAfterItIsDiscarded() {
        Protocol p = server();
        byte[] in = fromClient().text("first").frame(true, 0b010, 1, utf8("bad")).text("never").bytes();
        p.receive(ByteBuffer.wrap(in));
        assertEquals(List.of("text:first", "error:1002", "closed:1002"), events.events);
        p.receive(fromClient().text("still never").buffer());
        assertEquals(3, events.events.size());
        assertEquals(1, events.frames().size());
    }

    @Test
    void anUnexpectedExceptionIs1011WithNoDetailOnTheWire() {
        RecordingListener throwing = new RecordingListener() {
            @Override
            public void onText(String text) {
                throw new IllegalStateException("secret internal detail");
            }
        };
        Protocol p = throwing.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), throwing));
        p.receive(fromClient().text("boom").buffer());
        assertEquals(1011, throwing.closedCode);
        assertEquals("", throwing.closedReason);
        ByteBuffer close = throwing.frames().get(0);
        assertEquals(4, close.remaining(), "code only, no reason");
    }

    // ---- Sending --------------------------------------------------------------------------------------------------

    @Test
    void aServerSendsUnmaskedFramesAndAClientMaskedOnes() {
        Protocol s = server();
        s.sendText("Hello");
        assertArrayEquals(hex("81 05 48 65 6c 6c 6f"), bytes(events.frames().get(0)));

        RecordingListener l = new RecordingListener();
        Protocol c = l.bind(new Protocol(Role.CLIENT, WebSocketConfig.defaults(), null, MaskKeys.fixed(0x37fa213d), l));
        c.sendText("Hello");
        // RFC 6455 §5.7: the masked "Hello".
        assertArrayEquals(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), bytes(l.frames().get(0)));
    }

    @Test
    void sendingDoesNotModifyTheCallersBuffer() {
        RecordingListener l = new RecordingListener();
        Protocol c = l.bind(new Protocol(Role.CLIENT, WebSocketConfig.defaults(), null, MaskKeys.fixed(0x37fa213d), l));
        ByteBuffer data = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5});
        c.sendBinary(data);
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, data.array());
        assertEquals(0, data.position());
    }

    @Test
    void aServersLargeMessageGoesOutAsItsHeaderAndTheSendersBytesUncopied() {
        RecordingListener l = new RecordingListener();
        Protocol s = l.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.secure(), l));
        byte[] bytes = new byte[Protocol.UNCOPIED_PAYLOAD + 10];
        bytes[0] = 7;
        ByteBuffer data = ByteBuffer.wrap(bytes, 5, bytes.length - 5);
        s.sendBinary(data);
        List<ByteBuffer[]> pieces = new java.util.ArrayList<>();
        s.drainOutbound(new OutboundSink() {
            @Override
            public void accept(ByteBuffer frame, OutboundKind kind, Object tag) {
                throw new AssertionError("a large server frame comes in two pieces");
            }

            @Override
            public void accept(ByteBuffer header, ByteBuffer payload, OutboundKind kind, Object tag) {
                pieces.add(new ByteBuffer[] {header, payload});
            }
        });
        assertEquals(1, pieces.size());
        ByteBuffer header = pieces.get(0)[0];
        ByteBuffer payload = pieces.get(0)[1];
        assertArrayEquals(hex("82 7e 20 05"), bytes(header), "FIN, binary, 16-bit length 8197");
        assertTrue(payload.hasArray() && payload.array() == bytes, "the sender's bytes, not a copy");
        assertEquals(bytes.length - 5, payload.remaining());
        assertEquals(5, data.position(), "the sender's buffer is not moved");

        // below the threshold, and on a client (which masks), a frame is one buffer
        s.sendBinary(ByteBuffer.wrap(new byte[Protocol.UNCOPIED_PAYLOAD - 1]));
        Protocol c = l.bind(new Protocol(Role.CLIENT, WebSocketConfig.defaults(), null, MaskKeys.secure(), l));
        c.sendBinary(ByteBuffer.wrap(new byte[Protocol.UNCOPIED_PAYLOAD * 2]));
        for (Protocol p : List.of(s, c)) {
            p.drainOutbound(new OutboundSink() {
                @Override
                public void accept(ByteBuffer frame, OutboundKind kind, Object tag) {
                    assertTrue(frame.remaining() > Protocol.UNCOPIED_PAYLOAD - 1);
                }

                @Override
                public void accept(ByteBuffer h, ByteBuffer payload, OutboundKind kind, Object tag) {
                    throw new AssertionError("only a server's large frames come in two pieces");
                }
            });
        }
    }

    @Test
    void pingPayloadIsLimitedTo125Bytes() {
        Protocol p = server();
        assertThrows(IllegalArgumentException.class, () -> p.sendPing(ByteBuffer.allocate(126)));
        p.sendPing(ByteBuffer.allocate(125));
        assertEquals(OutboundKind.CONTROL, events.kinds().get(0));
    }

    @Test
    void aLocalFailureSendsItsCodeAndDropsQueuedData() {
        Protocol p = server();
        p.fail(io.wirefly.core.CloseCode.POLICY_VIOLATION, "write queue exceeded 16777216 bytes");
        assertEquals(ReadyState.CLOSED, p.state());
        assertEquals(1008, events.lastSentCloseCode());
        assertEquals(OutboundKind.CLOSE_ABORT, events.kinds().get(0));
        assertEquals(List.of("closed:1008"), events.events, "a local failure is not a protocol error");
    }

    // ---- Client and server talking to each other -----------------------------------------------------------------

    @Test
    void aClientAndAServerExchangeMessagesAndClose() {
        RecordingListener serverEvents = new RecordingListener();
        RecordingListener clientEvents = new RecordingListener();
        Protocol s = serverEvents.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.secure(), serverEvents));
        Protocol c = clientEvents.bind(new Protocol(Role.CLIENT, WebSocketConfig.defaults(), null, MaskKeys.secure(), clientEvents));
        c.sendText("hi");
        c.sendBinary(ByteBuffer.wrap(new byte[100_000]));
        c.sendPing(ByteBuffer.wrap(utf8("p")));
        pump(clientEvents, s);
        assertEquals(List.of("text:hi", "binary:100000", "ping:p"), serverEvents.events);
        pump(serverEvents, c);
        assertEquals(List.of("pong:p"), clientEvents.events);
        c.close(1000, "done");
        pump(clientEvents, s);
        pump(serverEvents, c);
        assertEquals(ReadyState.CLOSED, s.state());
        assertEquals(ReadyState.CLOSED, c.state());
        assertEquals(1000, serverEvents.closedCode);
        assertEquals(1000, clientEvents.closedCode);
    }

    @Test
    void partsGoOutAsBinaryThenContinuationsWithFinOnTheLastAndComeInAsParts() {
        RecordingListener clientEvents = new RecordingListener();
        Protocol c = clientEvents.bind(new Protocol(Role.CLIENT, WebSocketConfig.defaults(), null,
                MaskKeys.fixed(0x11223344), clientEvents));
        // a 10-byte limit: streaming ignores it, whole messages keep it
        Protocol s = server(WebSocketConfig.builder().maxMessageSize(10).maxFrameSize(10).build());
        s.streamBinary(true);
        c.sendBinaryPart(ByteBuffer.wrap(new byte[30]), false, null);
        assertTrue(c.partialOut());
        c.sendBinaryPart(ByteBuffer.wrap(new byte[20]), false, null);
        c.sendBinaryPart(ByteBuffer.wrap(new byte[0]), true, null);
        assertFalse(c.partialOut());
        List<ByteBuffer> frames = clientEvents.frames();
        assertEquals(0x02, frames.get(0).get(0) & 0xFF, "binary, no FIN");
        assertEquals(0x00, frames.get(1).get(0) & 0xFF, "continuation, no FIN");
        assertEquals(0x80, frames.get(2).get(0) & 0xFF, "continuation with FIN");
        pump(clientEvents, s);
        assertEquals(List.of("part:30", "part:20", "part:0:last"), events.events);
        assertEquals(ReadyState.OPEN, s.state());

        c.sendText("x".repeat(11));   // text is not streamed: the limit holds
        pump(clientEvents, s);
        assertEquals(1009, events.closedCode);
    }

    @Test
    void textPartsAreWholeCharactersEvenWhenAReadCutsOneAndBadUtf8FailsAtOnce() {
        RecordingListener clientEvents = new RecordingListener();
        Protocol c = clientEvents.bind(new Protocol(Role.CLIENT, WebSocketConfig.defaults(), null,
                MaskKeys.fixed(0x11223344), clientEvents));
        Protocol s = server(WebSocketConfig.builder().maxMessageSize(10).maxFrameSize(10).build());
        s.streamText(true);
        c.sendTextPart("caf\u00e9 ", false, null);
        assertThrows(IllegalStateException.class, () -> c.sendBinaryPart(ByteBuffer.allocate(1), true, null),
                "no binary part in the middle of a text message");
        c.sendTextPart("\ud83d\ude00 done", true, null);
        List<ByteBuffer> frames = clientEvents.frames();
        assertEquals(0x01, frames.get(0).get(0) & 0xFF, "text, no FIN");
        assertEquals(0x80, frames.get(1).get(0) & 0xFF, "continuation with FIN");
        // Feed the first frame in two reads cut inside the two bytes of the e-acute: the part waits for it.
        ByteBuffer first = frames.get(0).duplicate();
        int cut = first.limit() - 2;   // header, "caf", first byte of the e-acute | second byte, space
        s.receive(ByteBuffer.wrap(bytes(first), 0, cut));
        s.receive(ByteBuffer.wrap(bytes(first), cut, first.limit() - cut));
        s.receive(frames.get(1).duplicate());
        assertEquals(List.of("textpart:caf", "textpart:\u00e9 ", "textpart:\ud83d\ude00 done",
                "textpart::last"), events.events);
        assertEquals(ReadyState.OPEN, s.state(), "no limit for a streamed text message");

        // A byte that can never be UTF-8 fails at once with 1007.
        Protocol bad = server();
        bad.streamText(true);
        bad.receive(ByteBuffer.wrap(hex("01 82 00 00 00 00 c3 ff")));
        assertEquals(1007, events.closedCode);
    }

    static void pump(RecordingListener from, Protocol to) {
        for (ByteBuffer f : from.frames()) {
            to.receive(f.duplicate());
        }
        from.frames().clear();
        from.kinds().clear();
    }

    static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Hello", "h\u00e9llo \u20ac \ud83d\ude00", "unpaired \ud800 surrogate"})
    void sendTextPutsTheUtf8OfTheTextInOneFrame(String text) {
        byte[] payload = utf8(text);
        server().sendText(text);
        ByteBuffer frame = events.frames().get(0);
        assertEquals(0x81, frame.get(0) & 0xFF);
        assertEquals(payload.length, frame.get(1));
        byte[] actual = new byte[frame.remaining() - 2];
        frame.duplicate().position(2).get(actual);
        assertArrayEquals(payload, actual);

        client().sendText(text);
        ByteBuffer masked = events.frames().get(1);
        assertEquals(0x80 | payload.length, masked.get(1) & 0xFF);
        byte[] key = {0x11, 0x22, 0x33, 0x44};
        for (int i = 0; i < payload.length; i++) {
            assertEquals(payload[i] ^ key[i & 3], masked.get(6 + i), "masked byte " + i);
        }
    }

    @Test
    void sendTextCopiesTheTextOnce() {
        Protocol p = new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(0), new RecordingListener());
        long[] frameBytes = {0};
        OutboundSink sink = (frame, kind, tag) -> frameBytes[0] += frame.remaining();
        String text = "x".repeat(4000) + "\u00e9";
        for (int i = 0; i < 1000; i++) {   // warm up
            p.sendText(text);
            p.drainOutbound(sink);
        }
        Allocations.current();
        int n = 100;
        long before = Allocations.current();
        for (int i = 0; i < n; i++) {
            p.sendText(text);
            p.drainOutbound(sink);
        }
        long perMessage = (Allocations.current() - before) / n;
        // The frame (4 + 4002 bytes of array, plus its buffer object) is the only allocation; encoding into a
        // byte array first and copying it into the frame would cost another 4,018 bytes.
        assertTrue(perMessage < 4006 + 200, "bytes allocated per 4,002-byte text message: " + perMessage);
        assertEquals(1100L * 4006, frameBytes[0]);
    }

    @Test
    void theEngineQueuesFramesUntilTheTransportDrainsThemWithTheirTags() {
        Protocol p = server();
        Object first = new Object();
        Object second = new Object();
        p.sendText("a", first);
        p.sendBinary(ByteBuffer.wrap(new byte[3]), second);
        p.receive(fromClient().ping("p").buffer());
        assertTrue(p.hasOutbound());
        assertEquals(3 + 5 + 3, p.outboundBytes());
        List<Object> tags = new java.util.ArrayList<>();
        List<OutboundKind> kinds = new java.util.ArrayList<>();
        assertEquals(3, p.drainOutbound((frame, kind, tag) -> {
            tags.add(tag);
            kinds.add(kind);
        }));
        assertEquals(java.util.Arrays.asList(first, second, null), tags);
        assertEquals(List.of(OutboundKind.DATA, OutboundKind.DATA, OutboundKind.CONTROL), kinds);
        assertFalse(p.hasOutbound());
        assertEquals(0, p.outboundBytes());
    }

    @Test
    void closeIsClosingBeforeItsFrameIsQueuedAndAListenerMaySendFromAnEvent() {
        Protocol[] self = new Protocol[1];
        RecordingListener replying = new RecordingListener() {
            @Override
            public void onText(String text) {
                super.onText(text);
                if (self[0].state() != ReadyState.OPEN) {
                    return;   // a message that arrives after our close frame is still delivered
                }
                self[0].sendText("echo " + text);   // only queues: nothing re-enters the transport
                self[0].close(1000, "bye");
                assertEquals(ReadyState.CLOSING, self[0].state());
                self[0].close(1000, "again");       // no second close frame
            }
        };
        self[0] = replying.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1),
                replying));
        self[0].receive(fromClient().text("hi").text("ignored?").buffer());
        assertEquals(List.of(OutboundKind.DATA, OutboundKind.CLOSE), replying.kinds());
        assertEquals(List.of("text:hi", "text:ignored?"), replying.events);
        assertTrue(self[0].closeExpected());
        // The peer's answer completes the handshake: onClosed exactly once.
        self[0].receive(fromClient().close(1000, "").buffer());
        assertEquals(ReadyState.CLOSED, self[0].state());
        assertEquals(1, replying.closedCalls);
        self[0].receiveEof();
        assertEquals(1, replying.closedCalls, "EOF after the closing handshake reports nothing more");
    }

    @Test
    void failCalledAgainFromOnClosedSendsOneCloseAndReportsOnce() {
        Protocol[] self = new Protocol[1];
        RecordingListener listener = new RecordingListener() {
            @Override
            public void onClosed(int code, String reason) {
                super.onClosed(code, reason);
                self[0].fail(io.wirefly.core.CloseCode.POLICY_VIOLATION, "still over the limit");
                self[0].receiveEof();
            }
        };
        self[0] = listener.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.secure(),
                listener));
        self[0].fail(io.wirefly.core.CloseCode.POLICY_VIOLATION, "over the limit");
        assertEquals(List.of(OutboundKind.CLOSE_ABORT), listener.kinds());
        assertEquals(1, listener.closedCalls);
        assertEquals(1008, listener.closedCode);
        assertEquals(ReadyState.CLOSED, self[0].state());
    }

    @Test
    void aPeerThatAnnouncesAHugeFrameAndSendsOneByteCostsNoMoreThanThatByte() {
        WebSocketConfig config = WebSocketConfig.builder().maxFrameSize(1 << 20).maxMessageSize(1 << 20).build();
        Protocol p = server(config);
        byte[] frame = fromClient().frame(true, 0, 2, new byte[1 << 20]).bytes();
        // header (2 + 8 length + 4 mask) and one payload byte of a 1 MiB binary frame
        p.receive(ByteBuffer.wrap(frame, 0, 15));
        assertEquals(ReadyState.OPEN, p.state());
        assertTrue(p.assemblyBytes() <= 256, "held for 1 byte received: " + p.assemblyBytes());
        p.receive(ByteBuffer.wrap(frame, 15, frame.length - 15));
        assertEquals(List.of("binary:1048576"), events.events);
        assertEquals(0, p.assemblyBytes(), "released once delivered");
    }

    @Test
    void aSharedBudgetBoundsWhatAllConnectionsHoldAndRefusalIs1013Or1009ForAMessageBiggerThanTheBudget() {
        InboundBudget budget = InboundBudget.bounded(64 << 10);
        WebSocketConfig config = WebSocketConfig.builder().maxFrameSize(1 << 20).maxMessageSize(1 << 20).build();
        RecordingListener a = new RecordingListener();
        RecordingListener b = new RecordingListener();
        Protocol pa = a.bind(new Protocol(Role.SERVER, config, null, MaskKeys.fixed(1), a, budget));
        Protocol pb = b.bind(new Protocol(Role.SERVER, config, null, MaskKeys.fixed(1), b, budget));
        byte[] big = fromClient().frame(true, 0, 2, new byte[100_000]).bytes();   // 14 header bytes
        byte[] fits = fromClient().frame(true, 0, 2, new byte[60_000]).bytes();   // 8 header bytes
        pa.receive(ByteBuffer.wrap(big, 0, 14 + 40_000));
        assertEquals(ReadyState.OPEN, pa.state());
        pb.receive(ByteBuffer.wrap(fits, 0, 8 + 40_000));
        assertEquals(ReadyState.CLOSED, pb.state(), "the second 64 KiB growth does not fit the budget");
        assertEquals(1013, b.closedCode, "the first holds the room: the same message may fit later");
        assertEquals(1013, b.lastSentCloseCode());
        pa.receive(ByteBuffer.wrap(big, 14 + 40_000, big.length - 14 - 40_000));
        assertEquals(ReadyState.CLOSED, pa.state(), "100,000 bytes do not fit a 64 KiB budget either");
        assertEquals(1009, a.closedCode, "and never will: too big for this server");
        assertEquals(1009, a.lastSentCloseCode());
        assertTrue(budget.reserve(64 << 10), "everything was released");
    }
    /** Records what it is lent while the call lasts: whether the view was read-only, and its bytes. */
    private static final class LendingListener extends RecordingListener {
        final List<Boolean> readOnly = new java.util.ArrayList<>();
        final List<ByteBuffer> views = new java.util.ArrayList<>();

        @Override
        public void onBinaryLent(ByteBuffer data) {
            readOnly.add(data.isReadOnly());
            views.add(data);
            onBinary(data.duplicate());
        }
    }

    @Test
    void aMessageOfOneReadIsLentAsAReadOnlyViewAndAssembledOnesAreGivenWithTheRightBytes() {
        LendingListener lent = new LendingListener();
        Protocol p = lent.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), lent));
        p.lendBinary(true);
        byte[] small = new byte[125];
        byte[] big = new byte[70_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        System.arraycopy(big, 0, small, 0, small.length);
        byte[] whole = fromClient().binary(small).bytes();
        ByteBuffer input = ByteBuffer.wrap(whole.clone());
        p.receive(input);
        // fragmented, with a text message and a ping between, and the big one cut across three reads
        byte[] wire = fromClient().frame(false, 0, 2, java.util.Arrays.copyOfRange(big, 0, 40_000))
                .ping("x")
                .frame(true, 0, 0, java.util.Arrays.copyOfRange(big, 40_000, big.length))
                .text("between")
                .binary(new byte[0]).bytes();
        p.receive(ByteBuffer.wrap(wire, 0, 1000));
        p.receive(ByteBuffer.wrap(wire, 1000, 30_000));
        p.receive(ByteBuffer.wrap(wire, 31_000, wire.length - 31_000));

        assertEquals(List.of("binary:125", "ping:x", "binary:70000", "text:between", "binary:0"), lent.events);
        assertArrayEquals(small, lent.binaries.get(0));
        assertArrayEquals(big, lent.binaries.get(1));
        // only the message that arrived whole in one read was lent; the assembled ones are the listener's own
        assertEquals(List.of(true), lent.readOnly);
        // the first was lent from the caller's buffer itself, unmasked in place there (2-byte header, 4-byte mask)
        assertTrue(java.util.Arrays.equals(input.array(), 6, 131, small, 0, 125));
        assertFalse(lent.views.get(0).hasArray(), "read-only: no way to the array");
        assertEquals(ReadyState.OPEN, p.state());
    }

    @Test
    void lendingAllocatesNothingPerMessageAndAProtocolThatDoesNotLendGivesCopies() {
        long[] seen = new long[1];
        ProtocolListener counting = new ProtocolListener() {
            @Override
            public void onText(String text) {
            }

            @Override
            public void onBinary(ByteBuffer data) {
                throw new AssertionError("a lending protocol copied a message");
            }

            @Override
            public void onBinaryLent(ByteBuffer data) {
                seen[0] += data.get(data.position()) + data.remaining();
            }

            @Override
            public void onPing(ByteBuffer payload) {
            }

            @Override
            public void onPong(ByteBuffer payload) {
            }

            @Override
            public void onProtocolError(io.wirefly.core.ProtocolException error) {
                throw new AssertionError(error);
            }

            @Override
            public void onClosed(int code, String reason) {
            }
        };
        Protocol p = new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), counting);
        p.lendBinary(true);
        byte[] payload = new byte[125];
        payload[0] = 7;
        RawFrames frames = fromClient();
        for (int i = 0; i < 100; i++) {
            frames.binary(payload);
        }
        byte[] wire = frames.bytes();
        ByteBuffer[] reads = new ByteBuffer[12];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = ByteBuffer.wrap(wire.clone());   // unmasked in place: one copy per read
        }
        for (int i = 0; i < 2; i++) {
            p.receive(reads[i]);   // warm-up: the per-thread view is made on the first message
        }
        Allocations.current();
        long before = Allocations.current();
        for (int i = 2; i < reads.length; i++) {
            p.receive(reads[i]);
        }
        long allocated = Allocations.current() - before;
        assertEquals(12 * 100 * (7 + 125), seen[0]);
        assertTrue(allocated < 1_000, allocated + " bytes allocated for 1,000 lent messages");

        // The default onBinaryLent hands onBinary a copy of its own.
        Protocol copying = server();
        copying.lendBinary(true);
        copying.receive(ByteBuffer.wrap(fromClient().binary(payload).bytes()));
        assertEquals(List.of("binary:125"), events.events);
        assertArrayEquals(payload, events.binaries.get(0));
    }

    @Test
    void streamingWinsOverLending() {
        LendingListener lent = new LendingListener();
        Protocol p = lent.bind(new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.fixed(1), lent));
        p.lendBinary(true);
        p.streamBinary(true);
        p.receive(ByteBuffer.wrap(fromClient().binary(new byte[10]).bytes()));
        assertEquals(List.of("part:10", "part:0:last"), lent.events);
        assertTrue(lent.views.isEmpty());
    }
}
