package io.wirefly.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.wirefly.core.ClosedException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocket;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.WebSocketHandler;
import io.wirefly.core.internal.protocol.InboundBudget;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Session} driven by hand: a manual clock ({@link ManualLoop}) and an in-memory socket ({@link MemoryWire}).
 * Every timeout, phase change and exit is reached here without a thread or a real socket; the ITs do the same
 * against the kernel.
 */
class SessionTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    // ---- The fakes -----------------------------------------------------------------------------------------------

    /** A loop with a clock that moves only when told, and tasks that run only when told. */
    static final class ManualLoop implements Scheduler {
        private record Timer(long deadline, long seq, Runnable task, boolean[] cancelled) {
        }

        private final List<Timer> timers = new ArrayList<>();
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
        private final ArrayDeque<Runnable> nextTurn = new ArrayDeque<>();
        private final ByteBuffer readBuffer = ByteBuffer.allocate(64 * 1024);
        final ScratchPool scratch = new ScratchPool();
        /** The broadcast backlog of the loop's group: unbounded unless a test sets one. */
        FanOutBacklog fanOut = FanOutBacklog.NONE;
        private long now = 1_000_000_000L;
        private long seq;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public Cancellable schedule(long delayNanos, Runnable task) {
            boolean[] cancelled = {false};
            Timer t = new Timer(now + delayNanos, seq++, task, cancelled);
            timers.add(t);
            return () -> {
                cancelled[0] = true;
                timers.remove(t);
            };
        }

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        @Override
        public void executeNextTurn(Runnable task) {
            nextTurn.add(task);
        }

        /** @return how many pieces of work the turn ran (what they queue again waits for the next call) */
        int runNextTurn() {
            int n = nextTurn.size();
            for (int i = 0; i < n; i++) {
                nextTurn.poll().run();
            }
            return n;
        }

        @Override
        public boolean inLoop() {
            return true;
        }

        @Override
        public ByteBuffer readBuffer() {
            return readBuffer;
        }

        @Override
        public ScratchPool scratch() {
            return scratch;   // kept, as a real loop's is
        }

        @Override
        public FanOutBacklog fanOut() {
            return fanOut;
        }

        /** Moves the clock, running every timer that falls due on the way, in deadline order. */
        void advance(long nanos) {
            long end = now + nanos;
            while (true) {
                Timer next = timers.stream().filter(t -> t.deadline <= end)
                        .min(Comparator.comparingLong(Timer::deadline).thenComparingLong(Timer::seq)).orElse(null);
                if (next == null) {
                    break;
                }
                timers.remove(next);
                now = Math.max(now, next.deadline);
                next.task.run();
            }
            now = end;
        }

        void runTasks() {
            for (int i = 0; i < 10_000 && !tasks.isEmpty(); i++) {
                tasks.poll().run();
            }
        }

        int pendingTimers() {
            return timers.size();
        }
    }

    /** A socket in memory: the test feeds its input and reads what the session wrote. */
    static final class MemoryWire implements Wire {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private final ArrayDeque<Byte> input = new ArrayDeque<>();
        /** Bytes the "kernel" takes per write call; Integer.MAX_VALUE for a peer that reads everything. */
        int writeBudget = Integer.MAX_VALUE;
        boolean eof;
        IOException readError;
        boolean outputShut;
        int closes;
        boolean wantRead = true;
        boolean wantWrite;

        void feed(byte[] bytes) {
            for (byte b : bytes) {
                input.add(b);
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (readError != null) {
                throw readError;
            }
            if (input.isEmpty()) {
                return eof ? -1 : 0;
            }
            int n = 0;
            while (dst.hasRemaining() && !input.isEmpty()) {
                dst.put(input.poll());
                n++;
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(writeBudget, src.remaining());
            for (int i = 0; i < n; i++) {
                written.write(src.get());
            }
            if (writeBudget != Integer.MAX_VALUE) {
                writeBudget -= n;
            }
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += write(srcs[i]);
            }
            return total;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public void shutdownOutput() {
            outputShut = true;
        }

        @Override
        public void interest(boolean read, boolean write) {
            wantRead = read;
            wantWrite = write;
        }

        @Override
        public boolean isOpen() {
            return closes == 0;
        }

        @Override
        public void close() {
            closes++;
        }
    }

    /** Records what the handler saw, in order. */
    static final class Events implements WebSocketHandler {
        final List<String> seen = new ArrayList<>();
        final List<Throwable> errors = new ArrayList<>();
        WebSocket ws;

        @Override
        public void onOpen(WebSocket ws) {
            this.ws = ws;
            seen.add("open");
        }

        @Override
        public void onText(WebSocket ws, String text) {
            seen.add("text:" + text);
        }

        @Override
        public void onPong(WebSocket ws, ByteBuffer payload) {
            seen.add("pong");
        }

        @Override
        public void onClose(WebSocket ws, int code, String reason) {
            seen.add("close:" + code);
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            errors.add(error);
            seen.add("error");
        }

        long count(String prefix) {
            return seen.stream().filter(s -> s.startsWith(prefix)).count();
        }
    }

    /** One session under test with its fakes. */
    private static final class Rig {
        final ManualLoop loop = new ManualLoop();
        final MemoryWire wire = new MemoryWire();
        final Events events = new Events();
        final MetricsCollector metrics = new MetricsCollector(null);
        final Session session;
        int released;
        private int readOffset = -1;

        Rig(Settings settings) {
            this(settings, null);
        }

        /** @param handler the route's handler, or null for {@link #events} */
        Rig(Settings settings, WebSocketHandler handler) {
            ServerUpgrader upgrader = new ServerUpgrader(
                    ServerUpgraderTest.routes(Map.of("/", handler == null ? events : handler)), List.of(), Set.of(),
                    null, null, null, 100, () -> 0, settings.config());
            session = new Session(loop, wire, settings, Role.SERVER,
                    new SessionHandle.Info(new InetSocketAddress("127.0.0.1", 40000),
                            new InetSocketAddress("127.0.0.1", 9998)),
                    upgrader.newHandshake());
            session.start(true, h -> released++);
        }

        Rig() {
            this(settings(b -> { }));
        }

        /** Delivers bytes and a read-readiness event. */
        void receive(byte[] bytes) {
            wire.feed(bytes);
            session.onReady(false, false, true);
        }

        Rig open() {
            receive(REQUEST.getBytes(StandardCharsets.US_ASCII));
            assertEquals(Session.Phase.OPEN, session.phase());
            return this;
        }

        /** @return the frames the server wrote since the last call, after the 101 head, as "opcode:payload-length" */
        List<int[]> frames() {
            byte[] all = wire.written.toByteArray();
            if (readOffset < 0) {
                String text = new String(all, StandardCharsets.ISO_8859_1);
                int end = text.indexOf("\r\n\r\n");
                readOffset = end < 0 ? all.length : end + 4;
            }
            List<int[]> frames = new ArrayList<>();
            int i = readOffset;
            while (i + 2 <= all.length) {
                int opcode = all[i] & 0x0F;
                int len = all[i + 1] & 0x7F;
                int header = 2;
                if (len == 126) {
                    len = ((all[i + 2] & 0xFF) << 8) | (all[i + 3] & 0xFF);
                    header = 4;
                } else if (len == 127) {
                    len = (int) ByteBuffer.wrap(all, i + 2, 8).getLong();
                    header = 10;
                }
                if (i + header + len > all.length) {
                    break;
                }
                int code = opcode == 8 && len >= 2 ? ((all[i + header] & 0xFF) << 8) | (all[i + header + 1] & 0xFF) : -1;
                frames.add(new int[] {opcode, len, code});
                i += header + len;
            }
            readOffset = i;
            return frames;
        }
    }

    private interface Tweak {
        void apply(SettingsBuilder b);
    }

    /** Mutable knobs for one test's {@link Settings}. */
    private static final class SettingsBuilder {
        long handshake = 5_000 * MS;
        long idle = 0;
        long pong = 1_000 * MS;
        long close = 3_000 * MS;
        long high = 256 * 1024;
        long low = 64 * 1024;
        long max = 1024 * 1024;
        Executor executor;
        OutboundTotal total = OutboundTotal.UNLIMITED;
        InboundBudget inbound = InboundBudget.UNLIMITED;
    }

    private static Settings settings(Tweak tweak) {
        SettingsBuilder b = new SettingsBuilder();
        tweak.apply(b);
        return new Settings(WebSocketConfig.defaults(), b.executor, b.handshake, b.idle, b.pong, b.close, b.high, b.low,
                b.max, b.inbound, b.total, new MetricsCollector(null));
    }

    /** A client frame, masked as RFC 6455 §5.3 requires. */
    static byte[] clientFrame(int opcode, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(payload.length + 14);
        b.put((byte) (0x80 | opcode));
        if (payload.length < 126) {
            b.put((byte) (0x80 | payload.length));
        } else if (payload.length < 65536) {
            b.put((byte) (0x80 | 126)).putShort((short) payload.length);
        } else {
            b.put((byte) (0x80 | 127)).putLong(payload.length);
        }
        byte[] key = {0x11, 0x22, 0x33, 0x44};
        b.put(key);
        for (int i = 0; i < payload.length; i++) {
            b.put((byte) (payload[i] ^ key[i & 3]));
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    static byte[] text(String s) {
        return clientFrame(0x1, s.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] close(int code) {
        return clientFrame(0x8, new byte[] {(byte) (code >> 8), (byte) code});
    }

    // ---- The handshake phase -------------------------------------------------------------------------------------

    @Test
    void aHandshakeThatDoesNotCompleteInTimeEndsTheSessionAndLeavesNothingBehind() {
        Rig rig = new Rig();
        rig.receive("GET / HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII));   // and then nothing
        assertEquals(Session.Phase.HANDSHAKE, rig.session.phase());
        assertEquals(1, rig.loop.pendingTimers(), "the handshake deadline");

        rig.loop.advance(4_999 * MS);
        assertEquals(Session.Phase.HANDSHAKE, rig.session.phase(), "not yet");
        rig.loop.advance(1 * MS);

        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(1, rig.wire.closes);
        assertEquals(1, rig.released);
        assertEquals(0, rig.loop.pendingTimers());
        assertTrue(rig.events.seen.isEmpty(), "no handler ever heard of it: " + rig.events.seen);
    }

    @Test
    void aRefusalThatTheSocketTakesInPiecesIsWrittenWholeBeforeTheClose() {
        Rig rig = new Rig();
        rig.wire.writeBudget = 10;   // a peer with a tiny receive window
        rig.receive("GET /nowhere HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(Session.Phase.CLOSING, rig.session.phase(), "answering, not closed");
        assertTrue(rig.wire.wantWrite, "waits to write the rest");
        for (int i = 0; i < 100 && rig.session.phase() == Session.Phase.CLOSING; i++) {
            rig.wire.writeBudget = 10;
            rig.session.onReady(false, true, false);
        }
        String answer = rig.wire.written.toString(StandardCharsets.ISO_8859_1);
        assertTrue(answer.startsWith("HTTP/1.1 404 "), answer);
        int head = answer.indexOf("\r\n\r\n");
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(answer);
        assertTrue(head > 0 && length.find(), answer);
        assertEquals(head + 4 + Integer.parseInt(length.group(1)), answer.length(), "the whole refusal: " + answer);
        assertTrue(rig.wire.outputShut, "then the half-close");
        assertEquals(Session.Phase.LINGERING, rig.session.phase());
        assertTrue(rig.events.seen.isEmpty());
    }

    @Test
    void aPeerThatResetsDuringTheHandshakeIsReleasedOnceWithoutHandlerCalls() {
        Rig rig = new Rig();
        rig.wire.feed("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        rig.wire.readError = new IOException("Connection reset by peer");
        rig.session.onReady(false, false, true);

        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(1, rig.released);
        assertEquals(0, rig.loop.pendingTimers());
        rig.session.terminate(new IOException("again"));
        rig.loop.advance(60_000 * MS);
        assertEquals(1, rig.released, "released exactly once");
        assertEquals(1, rig.wire.closes);
        assertTrue(rig.events.seen.isEmpty());
    }

    @Test
    void aMalformedHandshakeIsAnsweredAndTheSocketClosedAfterTheAnswerIsWritten() {
        Rig rig = new Rig();
        rig.receive("GET / HTTP/1.1\r\nHost: \r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        String answer = rig.wire.written.toString(StandardCharsets.US_ASCII);
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertEquals(Session.Phase.LINGERING, rig.session.phase(), "written, half-closed, waiting for the FIN");
        assertTrue(rig.wire.outputShut);
        rig.wire.eof = true;
        rig.session.onReady(false, false, true);
        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(1, rig.released);
        assertEquals(0, rig.loop.pendingTimers());
    }

    @Test
    void anUpgradeOpensTheSessionAndCancelsTheHandshakeDeadline() {
        Rig rig = new Rig().open();
        assertTrue(rig.wire.written.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101"));
        assertEquals(List.of("open"), rig.events.seen);
        assertEquals(0, rig.loop.pendingTimers(), "no idle timeout configured, and the handshake one is gone");
        assertEquals(ReadyState.OPEN, rig.events.ws.readyState());
        assertTrue(rig.wire.wantRead);
        assertFalse(rig.wire.wantWrite, "nothing is waiting for the socket");
    }

    @Test
    void anOpenConnectionLetsGoOfItsQueueOnceTheUpgradeIsWrittenAndMakesOneAtItsFirstSend() {
        Rig rig = new Rig();
        rig.wire.writeBudget = 10;   // the socket takes only part of the 101 at first
        rig.receive(REQUEST.getBytes(StandardCharsets.US_ASCII));
        assertTrue(rig.session.holdsQueue(), "the rest of the 101 waits in it");
        rig.wire.writeBudget = Integer.MAX_VALUE;
        rig.session.onReady(false, true, false);
        assertTrue(rig.wire.written.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101"));
        assertFalse(rig.session.holdsQueue(), "written: an idle connection holds no queue");
        assertEquals(0, rig.session.bufferedBytes());
        rig.frames();

        rig.events.ws.sendText("one");
        assertTrue(rig.session.holdsQueue());
        rig.events.ws.sendText("two");
        rig.receive(text("x"));
        List<int[]> frames = rig.frames();
        assertEquals(2, frames.size(), "both sends written, in order");
        assertTrue(rig.session.holdsQueue(), "a connection that has sent keeps its queue: no allocation per send");
    }

    @Test
    void theSharedEmptyQueueRefusesFrames() {
        assertThrows(IllegalStateException.class,
                () -> OutboundBuffer.NONE.addData(ByteBuffer.allocate(1), null));
        assertTrue(OutboundBuffer.NONE.isEmpty());
    }

    @Test
    void bytesAfterTheHeadInTheSameReadAreTheFirstFrames() {
        Rig rig = new Rig();
        byte[] head = REQUEST.getBytes(StandardCharsets.US_ASCII);
        byte[] frame = text("early");
        byte[] both = java.util.Arrays.copyOf(head, head.length + frame.length);
        System.arraycopy(frame, 0, both, head.length, frame.length);
        rig.receive(both);
        assertEquals(List.of("open", "text:early"), rig.events.seen);
    }

    // ---- Idle pings and pongs ------------------------------------------------------------------------------------

    @Test
    void silenceBringsAPingAndAMissingPongEndsTheSessionWith1006() {
        Rig rig = new Rig(settings(b -> {
            b.idle = 10_000 * MS;
            b.pong = 2_000 * MS;
        })).open();
        rig.frames();

        rig.loop.advance(9_999 * MS);
        assertTrue(rig.frames().isEmpty(), "no ping before the idle timeout");
        rig.loop.advance(1 * MS);
        List<int[]> frames = rig.frames();
        assertEquals(1, frames.size());
        assertEquals(0x9, frames.get(0)[0], "a ping");
        assertEquals(8, frames.get(0)[1], "with an 8-byte payload");

        rig.loop.advance(2_000 * MS);
        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(List.of("open", "error", "close:1006"), rig.events.seen);
        assertInstanceOf(ClosedException.class, rig.events.errors.get(0));
        assertEquals(1, rig.released);
        assertEquals(0, rig.loop.pendingTimers());
    }

    @Test
    void aPongThatAnswersThePingKeepsTheSessionOpenAndIsMeasured() {
        Rig rig = new Rig(settings(b -> {
            b.idle = 10_000 * MS;
            b.pong = 2_000 * MS;
        })).open();
        rig.frames();
        rig.loop.advance(10_000 * MS);
        byte[] all = rig.wire.written.toByteArray();
        byte[] payload = java.util.Arrays.copyOfRange(all, all.length - 8, all.length);

        rig.loop.advance(30 * MS);
        rig.receive(clientFrame(0xA, payload));
        rig.loop.advance(5_000 * MS);

        assertEquals(Session.Phase.OPEN, rig.session.phase());
        assertEquals(List.of("open", "pong"), rig.events.seen);
        assertTrue(rig.session.settings().metrics().snapshot().lastPingRoundTripNanos() == 30 * MS, "round trip on the manual clock");
    }

    @Test
    void trafficPostponesThePing() {
        Rig rig = new Rig(settings(b -> b.idle = 10_000 * MS)).open();
        rig.frames();
        for (int i = 0; i < 5; i++) {
            rig.loop.advance(6_000 * MS);
            rig.receive(text("still here"));
        }
        assertTrue(rig.frames().stream().noneMatch(f -> f[0] == 0x9), "30 s of traffic every 6 s: no ping");
        rig.loop.advance(10_000 * MS);
        assertEquals(0x9, rig.frames().get(0)[0], "then 10 s of silence: a ping");
    }

    // ---- The closing handshake -----------------------------------------------------------------------------------

    @Test
    void aPeerCloseIsEchoedThenTheServerHalfClosesAndEndsAtThePeersFin() {
        Rig rig = new Rig().open();
        rig.frames();
        rig.receive(close(1000));

        List<int[]> frames = rig.frames();
        assertEquals(1, frames.size());
        assertEquals(0x8, frames.get(0)[0]);
        assertEquals(1000, frames.get(0)[2], "the peer's code echoed");
        assertEquals(Session.Phase.LINGERING, rig.session.phase());
        assertTrue(rig.wire.outputShut, "the server sends its FIN first (RFC 6455 §7.1.1)");
        assertEquals(List.of("open", "close:1000"), rig.events.seen);

        rig.wire.eof = true;
        rig.session.onReady(false, false, true);
        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(List.of("open", "close:1000"), rig.events.seen, "onClose exactly once");
        assertEquals(1, rig.released);
        assertEquals(0, rig.loop.pendingTimers());
    }

    @Test
    void aLingeringPeerThatNeverSendsItsFinIsCutAtTheCloseTimeout() {
        Rig rig = new Rig().open();
        rig.receive(close(1001));
        assertEquals(Session.Phase.LINGERING, rig.session.phase());
        rig.receive(text("ignored after the close"));
        rig.loop.advance(2_999 * MS);
        assertEquals(Session.Phase.LINGERING, rig.session.phase());
        rig.loop.advance(1 * MS);
        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(List.of("open", "close:1001"), rig.events.seen);
        assertEquals(1, rig.released);
    }

    @Test
    void aLingeringPeerThatKeepsSendingIsCutAfterAMegabyteInsteadOfBeingReadUntilTheTimeout() {
        Rig rig = new Rig().open();
        rig.receive(close(1001));
        assertEquals(Session.Phase.LINGERING, rig.session.phase());
        byte[] chunk = new byte[60 * 1024];
        int reads = 0;
        while (rig.session.phase() == Session.Phase.LINGERING && reads < 100) {
            rig.receive(chunk);
            reads++;
        }
        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(Session.LINGER_DISCARD_LIMIT / chunk.length + 1, reads, "cut just past the limit");
        assertEquals(List.of("open", "close:1001"), rig.events.seen, "the close completed before: no 1006");
        assertEquals(1, rig.released);
        assertEquals(0, rig.loop.pendingTimers());
    }

    @Test
    void closeMakesTheHandleClosingAtOnceAndAnUnansweredCloseEndsWith1006AtTheDeadline() {
        Rig rig = new Rig().open();
        rig.frames();
        rig.events.ws.close(1000, "bye");
        assertEquals(ReadyState.CLOSING, rig.events.ws.readyState());
        assertEquals(Session.Phase.CLOSING, rig.session.phase());
        assertEquals(1000, rig.frames().get(0)[2]);

        rig.loop.advance(3_000 * MS);
        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(List.of("open", "close:1006"), rig.events.seen, "no close frame came back");
        assertEquals(ReadyState.CLOSED, rig.events.ws.readyState());
        assertEquals(1, rig.released);
        assertEquals(0, rig.loop.pendingTimers());
    }

    @Test
    void closeAnsweredByThePeerReportsItsCodeOnce() {
        Rig rig = new Rig().open();
        rig.events.ws.close(4000, "done");
        rig.receive(close(4000));
        assertEquals(Session.Phase.LINGERING, rig.session.phase());
        rig.events.ws.close(1000, "twice");   // ignored: already closed
        rig.wire.eof = true;
        rig.session.onReady(false, false, true);
        assertEquals(List.of("open", "close:4000"), rig.events.seen);
    }

    @Test
    void aSendAfterCloseFailsItsFutureAndWritesNothing() {
        Rig rig = new Rig().open();
        rig.events.ws.close(1000, "");
        rig.frames();
        CompletableFuture<Void> f = rig.events.ws.sendText("late").toCompletableFuture();
        assertTrue(f.isCompletedExceptionally());
        assertTrue(rig.frames().isEmpty());
    }

    // ---- Failures ------------------------------------------------------------------------------------------------

    @Test
    void aResetWhileOpenReportsTheErrorAnd1006OnceAndReleasesEverything() {
        Rig rig = new Rig(settings(b -> b.idle = 10_000 * MS)).open();
        CompletableFuture<Void> queued;
        rig.wire.writeBudget = 0;   // the peer stopped reading: the send stays queued
        queued = rig.events.ws.sendText("stuck").toCompletableFuture();
        assertFalse(queued.isDone());
        assertTrue(rig.wire.wantWrite, "waits for the socket to take bytes");

        rig.wire.readError = new IOException("Connection reset by peer");
        rig.session.onReady(false, false, true);

        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(List.of("open", "error", "close:1006"), rig.events.seen);
        assertTrue(queued.isCompletedExceptionally(), "what was queued fails, it does not hang");
        assertEquals(1, rig.released);
        assertEquals(1, rig.wire.closes);
        assertEquals(0, rig.loop.pendingTimers());
        rig.session.onFailure(new IllegalStateException("late"));
        assertEquals(List.of("open", "error", "close:1006"), rig.events.seen, "terminate runs once");
    }

    @Test
    void aProtocolViolationClosesWith1002AndTheSessionEndsAfterTheCloseIsWritten() {
        Rig rig = new Rig().open();
        rig.frames();
        rig.receive(new byte[] {(byte) 0x81, 0x05, 'h', 'e', 'l', 'l', 'o'});   // unmasked from a client
        List<int[]> frames = rig.frames();
        assertEquals(1, frames.size());
        assertEquals(1002, frames.get(0)[2]);
        assertEquals(List.of("open", "error", "close:1002"), rig.events.seen);
        assertEquals(Session.Phase.LINGERING, rig.session.phase());
    }

    // ---- Write limits --------------------------------------------------------------------------------------------

    @Test
    void readsPauseAboveTheHighWaterMarkAndResumeBelowTheLowOne() {
        Rig rig = new Rig(settings(b -> {
            b.high = 4_000;
            b.low = 1_000;
            b.max = 1_000_000;
        })).open();
        rig.wire.writeBudget = 0;
        for (int i = 0; i < 5; i++) {
            rig.events.ws.sendBinary(ByteBuffer.allocate(1_000));
        }
        rig.receive(text("x"));   // any unit of work re-evaluates the limits
        assertFalse(rig.wire.wantRead, "5 KB queued for a peer that does not read: reading pauses");
        assertTrue(rig.wire.wantWrite);

        rig.wire.writeBudget = 4_500;   // the peer reads most of it
        rig.session.onReady(false, true, false);
        assertTrue(rig.session.accountedBytes() < 1_000);
        assertTrue(rig.wire.wantRead, "below the low-water mark: reading resumes");
        assertEquals(1, rig.session.settings().metrics().snapshot().backpressurePauses());
    }

    /**
     * Finding 3 of the transport issue: pongs are 2 bytes of payload, so a limit that counted payload alone let a
     * flood of empty pings grow the queue by tens of MB. Each queued frame now costs its bookkeeping too, so a peer
     * that sends pings and reads no pongs meets the high-water mark after a few hundred, and reading stops.
     */
    @Test
    void aPingFloodToAPeerThatDoesNotReadPausesReadingAfterAFewHundredPongs() {
        Rig rig = new Rig(settings(b -> {
            b.high = 16 * 1024;
            b.low = 4 * 1024;
            b.max = 1024 * 1024;
        })).open();
        rig.wire.writeBudget = 0;
        ByteArrayOutputStream tenPings = new ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) {
            tenPings.writeBytes(clientFrame(0x9, new byte[0]));
        }
        int reads = 0;
        while (rig.wire.wantRead && reads < 10_000) {   // a real selector stops delivering reads once paused
            rig.receive(tenPings.toByteArray());
            reads++;
        }
        assertFalse(rig.wire.wantRead, "reading paused");
        int pongs = reads * 10;
        assertTrue(pongs <= 200, pongs + " pongs queued before the pause: 2 bytes each would have allowed 8,000");
        assertTrue(rig.session.accountedBytes() > 16 * 1024);
        assertEquals(Session.Phase.OPEN, rig.session.phase(), "back-pressure, not a close");

        rig.wire.writeBudget = Integer.MAX_VALUE;   // the peer reads its pongs at last
        rig.session.onReady(false, true, false);
        assertTrue(rig.wire.wantRead, "reading resumes");
        assertEquals(pongs, rig.frames().stream().filter(f -> f[0] == 0xA).count(), "every pong was kept");
    }

    @Test
    void aReadPackedWithTinyMessagesIsDecodedAShareAtATimeWithReadingStoppedUntilItIsDone() {
        Rig rig = new Rig().open();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        int messages = 1000;
        for (int i = 0; i < messages; i++) {
            burst.writeBytes(text(Integer.toString(i)));
        }
        rig.receive(burst.toByteArray());
        assertEquals(Session.FRAMES_PER_TURN, rig.events.count("text:"), "one turn decodes one share");
        assertFalse(rig.wire.wantRead, "no new input is read while older input waits");

        int turns = 1;
        while (rig.loop.runNextTurn() > 0 && turns < 100) {
            turns++;
            assertTrue(rig.events.count("text:") <= (long) turns * Session.FRAMES_PER_TURN);
        }
        assertEquals(messages, rig.events.count("text:"), "every message arrives");
        assertEquals((messages + Session.FRAMES_PER_TURN - 1) / Session.FRAMES_PER_TURN, turns);
        assertEquals("text:0", rig.events.seen.get(1));
        assertEquals("text:" + (messages - 1), rig.events.seen.get(messages), "in order");
        assertTrue(rig.wire.wantRead, "reading resumes once the backlog is decoded");
    }

    /**
     * Input kept for a later turn while reading is paused (its peer reads nothing) counts in the inbound budget, and
     * is given back when it is decoded. Before, 600 peers that flooded tiny messages and read nothing kept 38 MB of a
     * {@code -Xmx64m} server's heap in such input, outside every limit.
     */
    @Test
    void inputKeptWhileReadingIsPausedCountsInTheInboundBudget() {
        InboundBudget budget = InboundBudget.bounded(10_000);
        Rig rig = new Rig(settings(b -> {
            b.high = 4_000;
            b.low = 1_000;
            b.inbound = budget;
        })).open();
        rig.wire.writeBudget = 0;   // the peer reads nothing
        rig.events.ws.sendBinary(ByteBuffer.allocate(5_000));
        rig.receive(tinyTexts(3 * Session.FRAMES_PER_TURN));
        assertFalse(rig.wire.wantRead, "paused: 5 KB wait for a peer that reads nothing");
        long kept = 2 * Session.FRAMES_PER_TURN * text("x").length;
        assertFalse(budget.reserve(10_000 - kept + 1), "the kept input is counted");
        assertTrue(budget.reserve(10_000 - kept));
        budget.release(10_000 - kept);

        rig.wire.writeBudget = Integer.MAX_VALUE;   // the peer reads at last: the kept input is decoded
        rig.session.onReady(false, true, false);
        while (rig.loop.runNextTurn() > 0) {
            assertTrue(rig.events.count("text:") <= 3L * Session.FRAMES_PER_TURN);
        }
        assertEquals(3L * Session.FRAMES_PER_TURN, rig.events.count("text:"), "nothing was lost");
        assertTrue(budget.reserve(10_000), "and its room given back");
    }

    /** Kept input with no room in the inbound budget fails its connection with 1013 (try again later). */
    @Test
    void inputKeptWithoutRoomInTheBudgetFailsTheConnectionWith1013() {
        InboundBudget budget = InboundBudget.bounded(500);
        Rig rig = new Rig(settings(b -> {
            b.high = 4_000;
            b.low = 1_000;
            b.inbound = budget;
        })).open();
        rig.wire.writeBudget = 0;
        rig.events.ws.sendBinary(ByteBuffer.allocate(5_000));
        rig.receive(tinyTexts(3 * Session.FRAMES_PER_TURN));   // keeps 896 bytes: more than the whole budget
        rig.loop.runTasks();
        rig.wire.writeBudget = Integer.MAX_VALUE;
        rig.session.onReady(false, true, false);
        List<int[]> frames = rig.frames();
        assertEquals(0x8, frames.get(frames.size() - 1)[0], "a close frame went out");
        assertEquals(Map.of(1013, 1L), rig.session.settings().metrics().snapshot().closeCodesSent());
        assertEquals(Session.FRAMES_PER_TURN, rig.events.count("text:"), "the kept input was dropped");
        assertTrue(budget.reserve(500), "nothing stays counted");
    }

    private static byte[] tinyTexts(int n) {
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < n; i++) {
            burst.writeBytes(text("x"));
        }
        return burst.toByteArray();
    }

    @Test
    void aBacklogWaitingForItsTurnIsDroppedWhenTheConnectionEnds() {
        Rig rig = new Rig().open();
        ByteArrayOutputStream burst = new ByteArrayOutputStream();
        for (int i = 0; i < 3 * Session.FRAMES_PER_TURN; i++) {
            burst.writeBytes(text("x"));
        }
        rig.receive(burst.toByteArray());
        rig.session.terminate(new IOException("reset"));
        rig.loop.runNextTurn();
        assertEquals(Session.FRAMES_PER_TURN, rig.events.count("text:"), "nothing is decoded after the end");
        assertEquals(1, rig.released);
    }

    @Test
    void overTheServerWideOutboundBudgetSlowReadersPauseWhileReadersThatKeepUpReadOn() {
        OutboundTotal total = new OutboundTotal(10_000);
        Settings shared = settings(b -> {
            b.high = 1_000_000;   // far above what either queues: only the server-wide budget can pause them
            b.low = 100_000;
            b.max = 10_000_000;
            b.total = total;
        });
        Rig slow = new Rig(shared).open();
        Rig keepsUp = new Rig(shared).open();
        slow.wire.writeBudget = 0;
        for (int i = 0; i < 3; i++) {
            slow.receive(clientFrame(0x2, new byte[4_000]));
            slow.events.ws.sendBinary(ByteBuffer.allocate(4_000));
        }
        assertTrue(total.total() > 10_000, "the slow reader alone holds " + total.total());
        assertFalse(slow.wire.wantRead, "over the server's budget, the connection whose peer does not read pauses");

        keepsUp.receive(text("hello"));
        keepsUp.events.ws.sendText("hello");
        assertTrue(keepsUp.wire.wantRead, "a connection whose queue is empty reads on");

        slow.wire.writeBudget = Integer.MAX_VALUE;
        slow.session.onReady(false, true, false);
        assertTrue(slow.wire.wantRead, "its queue drained: it reads again");
        assertEquals(0, total.total(), "everything written: nothing left on the server's account");

        slow.wire.writeBudget = 0;
        slow.events.ws.sendBinary(ByteBuffer.allocate(5_000));
        slow.wire.readError = new IOException("reset");
        slow.session.onReady(false, false, true);
        assertEquals(0, total.total(), "a closed session gives its share back");
    }

    /** A connection whose peer reads nothing, with one 4,000-byte echo stuck in its queue. */
    private static Rig stuckEcho(Settings shared) {
        return stuckEcho(shared, 0);
    }

    /** A connection with a 4,000-byte echo stuck in its queue, of which its peer took {@code took} bytes. */
    private static Rig stuckEcho(Settings shared, int took) {
        Rig rig = new Rig(shared).open();
        rig.frames();   // past the 101
        echo(rig, took);
        return rig;
    }

    /** A connection whose peer has read one 4,000-byte echo whole: it reads. Nothing is queued for it now. */
    private static Rig reader(Settings shared) {
        Rig rig = stuckEcho(shared, 0);
        assertEquals(List.of("2"), drained(rig));
        return rig;
    }

    /** Queues a 4,000-byte echo on the connection, of which its peer takes {@code took} bytes at once. */
    private static void echo(Rig rig, int took) {
        rig.wire.writeBudget = took;
        rig.receive(clientFrame(0x2, new byte[4_000]));
        rig.events.ws.sendBinary(ByteBuffer.allocate(4_000));
        rig.loop.runTasks();
    }

    /** @return the opcodes its peer gets once it reads everything queued, as "2"; none if it was cut off */
    private static List<String> drained(Rig rig) {
        rig.wire.writeBudget = Integer.MAX_VALUE;
        rig.session.onReady(false, true, false);
        List<String> got = new ArrayList<>();
        for (int[] f : rig.frames()) {
            got.add(String.valueOf(f[0]));
        }
        return got;
    }

    /** Asserts that the connection was closed at once, its queue dropped, and its handler told why. */
    private static void assertCutOff(Rig rig) {
        assertEquals(Session.Phase.CLOSED, rig.session.phase());
        assertEquals(List.of(), drained(rig), "nothing more is written");
        assertEquals(List.of("open", "error", "close:1006"), rig.events.seen);
        assertEquals(Session.STALLED, rig.events.errors.get(0).getMessage());
    }

    /**
     * Pausing reads comes one message late: each peer that stops reading leaves one answer queued past the
     * server-wide budget. Many of them at once (300 peers echoed 256 KiB messages in the abuse suite) took a
     * {@code -Xmx64m} server out of heap; now a report past 1.25 times the budget closes the connection reporting,
     * at once, when no other peer has stalled for a second to be closed instead and its own peer has never shown
     * that it reads, and drops its queue.
     */
    @Test
    void manyPeersThatStopReadingAtOnceCannotQueueMuchMoreThanTheServerWideBudget() {
        long[] clock = {0};
        OutboundTotal total = new OutboundTotal(10_000, () -> clock[0]);
        Settings shared = budgetOnly(total);
        List<Rig> rigs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            rigs.add(stuckEcho(shared, 0));
            clock[0] += 10_000_000;   // 10 ms apart: none has stalled a second yet
            assertTrue(total.total() <= 12_500, "within the ceiling: " + total.total());
        }
        assertEquals(List.of(0, 1, 2), kept(rigs), "the answers that fit under the ceiling (3 x 4,000 bytes and "
                + "bookkeeping)");
        assertEquals(0, total.total(), "everything written or dropped");
    }

    /**
     * A peer that reads (it took a whole answer before) is not cut for a burst of others that stopped just before
     * it: past the ceiling, those that progressed least recently go instead, even when none has stalled a second.
     */
    @Test
    void pastTheCeilingAPeerThatReadsOutlastsABurstOfPeersThatStopped() {
        long[] clock = {0};
        OutboundTotal total = new OutboundTotal(10_000, () -> clock[0]);
        Settings shared = budgetOnly(total);
        Rig reader = reader(shared);
        List<Rig> stopped = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stopped.add(stuckEcho(shared, 0));
            clock[0] += 10_000_000;
        }
        echo(reader, 100);   // past 12,500: the first that stopped goes, the longest without progress
        for (Rig rig : stopped) {
            rig.loop.runTasks();
        }
        assertCutOff(stopped.get(0));
        assertEquals(List.of("2"), drained(reader), "the peer that reads goes on");
        assertEquals(List.of("2"), drained(stopped.get(1)));
        assertEquals(List.of("2"), drained(stopped.get(2)));
        assertEquals(0, total.total());
    }

    /**
     * The connections told to close go on their own loops, later: until they have, what they hold still counts. When
     * what is condemned and not freed yet would pass half the budget, the connection reporting is closed instead, at
     * once, even if its peer reads, so that a burst of reports in one turn of the loops cannot pile up memory.
     */
    @Test
    void whileTheClosedHaveNotGoneAReaderGoingPastTheCeilingIsClosedItself() {
        long[] clock = {0};
        OutboundTotal total = new OutboundTotal(10_000, () -> clock[0]);
        Settings shared = budgetOnly(total);
        List<Rig> readers = List.of(reader(shared), reader(shared), reader(shared));
        List<Rig> stopped = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            stopped.add(stuckEcho(shared, 0));
            clock[0] += 10_000_000;
        }
        for (Rig reader : readers) {
            echo(reader, 100);   // no loop runs in between: the first stopped, told to close, has not gone yet
            assertTrue(total.total() <= 12_500 + 5_000, "within the ceiling and half the budget: " + total.total());
        }
        for (Rig rig : stopped) {
            rig.loop.runTasks();
        }
        assertCutOff(stopped.get(0));
        assertEquals(List.of(0), kept(readers), "the first reader's report closed the first that stopped; with it "
                + "not gone yet, the next two were closed themselves");
        assertEquals(List.of("2"), drained(stopped.get(1)));
        assertEquals(List.of("2"), drained(stopped.get(2)));
        assertEquals(0, total.total(), "everything written or dropped");
    }

    /** @return settings in which only the server-wide output budget can stop a connection */
    private static Settings budgetOnly(OutboundTotal total) {
        return settings(b -> {
            b.high = 1_000_000;
            b.low = 100_000;
            b.max = 10_000_000;
            b.total = total;
        });
    }

    /** @return the indexes of the connections still open, each checked to deliver its one echo; the others cut off */
    private static List<Integer> kept(List<Rig> rigs) {
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < rigs.size(); i++) {
            Rig rig = rigs.get(i);
            if (rig.session.phase() == Session.Phase.OPEN) {
                assertEquals(List.of("2"), drained(rig));
                kept.add(i);
            } else {
                assertCutOff(rig);
            }
        }
        return kept;
    }

    /**
     * Once some peers have taken nothing for a second, a report past 1.25 times the budget closes them, those that
     * progressed least recently first, until the total is back at the budget; the connection reporting goes on.
     */
    @Test
    void pastTheCeilingThePeersStalledLongestAreClosedFirstAndTheNewcomerGoesOn() {
        long[] clock = {0};
        OutboundTotal total = new OutboundTotal(10_000, () -> clock[0]);
        Settings shared = budgetOnly(total);
        Rig first = stuckEcho(shared);
        Rig second = stuckEcho(shared);
        Rig third = stuckEcho(shared);
        clock[0] += 2_500_000_000L;
        first.wire.writeBudget = 10;   // the first peer takes a few bytes: it has not stalled for a second
        first.session.onReady(false, true, false);
        first.wire.writeBudget = 0;
        clock[0] += 500_000_000L;
        Rig fourth = stuckEcho(shared);   // past 12,500: the second and third have stalled for 3 s and go
        Rig fifth = stuckEcho(shared);
        for (Rig rig : List.of(first, second, third, fourth, fifth)) {
            rig.loop.runTasks();
        }
        assertCutOff(second);
        assertCutOff(third);
        assertEquals(List.of("2"), drained(fourth), "the connection reporting goes on");
        assertEquals(List.of("2"), drained(fifth));
        assertEquals(List.of("2"), drained(first), "a peer that took bytes half a second ago has not stalled");
        assertEquals(0, total.total());
    }

    /**
     * A broadcast frame is one buffer for every subscriber: queued to many peers that do not read, it pauses their
     * reads like any backlog but closes none of them, since the memory is not multiplied.
     */
    @Test
    void aBroadcastFrameQueuedToManyStuckPeersCountsOnceAgainstTheCeilings() {
        long[] clock = {0};
        OutboundTotal total = new OutboundTotal(10_000, () -> clock[0]);
        Settings shared = settings(b -> {
            b.high = 1_000_000;
            b.low = 100_000;
            b.max = 10_000_000;
            b.total = total;
        });
        ByteBuffer frame = ByteBuffer.allocate(4 + 4_000);
        frame.put((byte) 0x82).put((byte) 126).putShort((short) 4_000).position(0);
        List<Rig> rigs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Rig rig = new Rig(shared).open();
            rig.frames();
            rig.wire.writeBudget = 0;
            rigs.add(rig);
        }
        clock[0] += 5_000_000_000L;   // stalled long enough, were they holding memory of their own
        for (Rig rig : rigs) {
            rig.session.sendShared(frame.duplicate());
            rig.loop.runTasks();
        }
        assertTrue(total.total() > 40_000, "each queue counts it for pausing: " + total.total());
        assertTrue(total.own() <= 10 * OutboundBuffer.FRAME_OVERHEAD, "but not as memory of its own: " + total.own());
        for (Rig rig : rigs) {
            assertEquals(List.of("2"), drained(rig), "nobody was closed");
        }
        assertEquals(0, total.total());
        assertEquals(0, total.own());
    }

    @Test
    void aSingleSendLargerThanTheHardLimitFailsTheConnectionWith1008() {
        Rig rig = new Rig(settings(b -> {
            b.high = 1_000;
            b.low = 100;
            b.max = 10_000;
        })).open();
        rig.wire.writeBudget = 0;
        rig.frames();
        rig.events.ws.sendBinary(ByteBuffer.allocate(20_000));
        rig.loop.runTasks();
        rig.wire.writeBudget = Integer.MAX_VALUE;
        rig.session.onReady(false, true, false);
        List<int[]> frames = rig.frames();
        assertEquals(1, frames.size());
        assertEquals(1008, frames.get(0)[2]);
    }

    /**
     * While the loops have more broadcast writes to make than their bound, what an open connection would read could
     * make its handler broadcast more: it stops reading, and reads again once the backlog is down to a quarter.
     * Nothing it sent is lost meanwhile (it waits in the socket).
     */
    @Test
    void pastTheBroadcastBacklogsBoundOpenConnectionsStopReadingUntilItIsDownToAQuarter() {
        Rig rig = new Rig(settings(b -> { })).open();
        rig.loop.fanOut = new FanOutBacklog(100);
        rig.receive(text("a"));
        assertTrue(rig.wire.wantRead, "no backlog: reading goes on");

        rig.loop.fanOut.queued(101);   // a broadcast handed to the loops, past the bound
        rig.receive(text("b"));
        assertFalse(rig.wire.wantRead, "past the bound: reading stops");
        assertEquals(2, rig.events.count("text:"), "what was read before is delivered");

        rig.loop.fanOut.made(50);   // 51 left, above a quarter
        rig.loop.runTasks();
        assertFalse(rig.wire.wantRead, "still above a quarter of the bound");
        rig.loop.fanOut.made(26);   // 25 left
        rig.loop.runTasks();   // the wake-up arrives on the loop
        assertTrue(rig.wire.wantRead, "down to a quarter: reading resumes");
        rig.receive(text("c"));
        assertEquals(3, rig.events.count("text:"));
        assertEquals(25, rig.loop.fanOut.pending());
    }

    /** A handshake in progress is read whatever the backlog: new clients are not kept waiting behind broadcasts. */
    @Test
    void aHandshakeIsReadWhateverTheBroadcastBacklog() {
        Rig rig = new Rig(settings(b -> { }));
        rig.loop.fanOut = new FanOutBacklog(100);
        rig.loop.fanOut.queued(1_000);
        rig.open();
        rig.receive(text("x"));
        assertFalse(rig.wire.wantRead, "once open, it waits like the others");
    }

    // ---- Dispatch to an executor ---------------------------------------------------------------------------------

    @Test
    void aHandlerBacklogPausesReadingAndItsDrainResumesItWithNothingLost() {
        ArrayDeque<Runnable> executor = new ArrayDeque<>();
        Rig rig = new Rig(settings(b -> b.executor = executor::add));
        rig.open();
        ByteArrayOutputStream many = new ByteArrayOutputStream();
        for (int i = 0; i < Dispatcher.MAX_QUEUED + 10; i++) {
            many.writeBytes(text("m" + i));
        }
        rig.receive(many.toByteArray());
        assertFalse(rig.wire.wantRead, "the handler is behind: reading pauses");

        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 1_000 && !executor.isEmpty(); i++) {
                executor.poll().run();
            }
            rig.loop.runTasks();   // the drain notice arrives on the loop
            rig.loop.runNextTurn();   // input beyond one turn's share of frames
        }
        assertTrue(rig.wire.wantRead, "the backlog drained: reading resumes");
        assertEquals(Dispatcher.MAX_QUEUED + 10, rig.events.count("text:"), "every message was delivered");
        assertEquals("text:m0", rig.events.seen.get(1));
        assertEquals("text:m" + (Dispatcher.MAX_QUEUED + 9), rig.events.seen.get(rig.events.seen.size() - 1));
    }

    /**
     * Receives {@code batch} 4 times to warm up, then 20 times counting what this thread allocates inside the
     * session only (feeding the fake socket is not counted).
     *
     * @return the bytes allocated by the 20 counted reads
     */
    private static long allocatedReceiving(Rig rig, byte[] batch) {
        for (int i = 0; i < 4; i++) {
            rig.receive(batch);   // warm-up: classes, the loop's view of its read buffer
        }
        long allocated = 0;
        for (int i = 0; i < 20; i++) {
            rig.wire.feed(batch);
            long before = Allocations.current();
            rig.session.onReady(false, false, true);
            allocated += Allocations.current() - before;
        }
        return allocated;
    }

    @Test
    void aBorrowingHandlerOnTheLoopGetsEveryMessageWithoutAnAllocationPerMessage() {
        long[] sum = new long[2];
        WebSocketHandler borrower = new WebSocketHandler() {
            @Override
            public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                sum[0] += data.remaining() + data.get(data.position());
                sum[1] += data.isReadOnly() ? 1 : 0;
            }
        };
        Rig rig = new Rig(settings(b -> { }), borrower).open();
        byte[] payload = new byte[125];
        payload[0] = 3;
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {   // fewer than a turn's 64 frames: every read is decoded in its turn
            batch.writeBytes(clientFrame(0x2, payload));
        }
        byte[] fifty = batch.toByteArray();
        long allocated = allocatedReceiving(rig, fifty);
        assertEquals(0, rig.loop.runNextTurn(), "nothing was left for a later turn");
        assertEquals(1_200 * (125 + 3), sum[0]);
        assertEquals(1_200, sum[1], "every message was lent, none copied");
        // Session, protocol and dispatch together: nothing per message (the bound leaves room for the counter reads)
        assertTrue(allocated < 2_000, allocated + " bytes allocated for 1,000 lent messages");
    }

    @Test
    void readsPackedBeyondATurnsShareKeepTheirRestInAReusedBuffer() {
        long[] sum = new long[1];
        WebSocketHandler borrower = new WebSocketHandler() {
            @Override
            public void onBinaryBorrowed(WebSocket ws, ByteBuffer data) {
                sum[0] += data.remaining();
            }
        };
        Rig rig = new Rig(settings(b -> { }), borrower).open();
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 3 * Session.FRAMES_PER_TURN; i++) {   // each read leaves two turns' worth for later
            batch.writeBytes(clientFrame(0x2, new byte[100]));
        }
        byte[] packed = batch.toByteArray();
        long allocated = 0;
        for (int i = 0; i < 24; i++) {
            rig.wire.feed(packed);
            long before = Allocations.current();
            rig.session.onReady(false, false, true);
            assertFalse(rig.wire.wantRead, "no new input is read while older input waits");
            for (int turn = 0; turn < 10 && rig.loop.runNextTurn() > 0; turn++) {
                // the two shares left, one per turn
            }
            if (i >= 4) {   // the first reads warm up: classes, the pool's first spare
                allocated += Allocations.current() - before;
            }
        }
        assertEquals(24L * 3 * Session.FRAMES_PER_TURN * 100, sum[0], "every message arrived");
        assertTrue(rig.wire.wantRead, "reading resumes once the rest is decoded");
        // A copy per read would be 20 x 2 x 64 frames x 106 B, about 270 KB.
        assertTrue(allocated < 4_000, allocated + " bytes allocated for 20 reads that each left a rest");
    }

    @Test
    void anOwningHandlerOnTheLoopCostsOnlyItsCopyOfEachMessage() {
        long[] sum = new long[1];
        WebSocketHandler owner = new WebSocketHandler() {
            @Override
            public void onBinary(WebSocket ws, ByteBuffer data) {
                sum[0] += data.remaining();
            }
        };
        Rig rig = new Rig(settings(b -> { }), owner).open();
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            batch.writeBytes(clientFrame(0x2, new byte[125]));
        }
        byte[] fifty = batch.toByteArray();
        long allocated = allocatedReceiving(rig, fifty);
        assertEquals(1_200 * 125, sum[0]);
        // The copy is a 125-byte array (144 with its header) and its ByteBuffer (56): 200 bytes. No task or
        // lambda is made per message for an inline handler.
        assertTrue(allocated < 1_000 * 210, allocated / 1_000 + " bytes allocated per message");
    }

    @Test
    void unsolicitedPongsCostNothingUnlessTheHandlerListensAndThenItGetsCopiesOfTheirOwn() {
        ByteArrayOutputStream batch = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            batch.writeBytes(clientFrame(0xA, ("pong-" + i).getBytes(StandardCharsets.US_ASCII)));
        }
        byte[] fifty = batch.toByteArray();

        WebSocketHandler deaf = new WebSocketHandler() {
        };
        Rig quiet = new Rig(settings(b -> { }), deaf).open();
        long allocated = allocatedReceiving(quiet, fifty);
        assertTrue(allocated < 2_000, allocated + " bytes allocated for 1,000 pongs nobody listens to");
        assertEquals(Session.Phase.OPEN, quiet.session.phase(), "unsolicited pongs are allowed (RFC 6455 §5.5.3)");

        List<ByteBuffer> kept = new ArrayList<>();
        WebSocketHandler listening = new WebSocketHandler() {
            @Override
            public void onPong(WebSocket ws, ByteBuffer payload) {
                kept.add(payload);   // kept past the call: it must be a copy of its own
            }
        };
        Rig loud = new Rig(settings(b -> { }), listening).open();
        loud.receive(fifty);
        assertEquals(50, kept.size());
        for (int i = 0; i < 50; i++) {
            assertEquals("pong-" + i, StandardCharsets.US_ASCII.decode(kept.get(i).duplicate()).toString());
        }
    }
}
