package io.wirefly.core.internal.protocol;

import io.wirefly.core.ClosedException;
import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import io.wirefly.core.internal.deflate.MessageDeflater;
import io.wirefly.core.internal.frame.FrameEncoder;
import io.wirefly.core.internal.frame.MaskKeys;
import io.wirefly.core.internal.frame.Opcode;
import io.wirefly.core.internal.frame.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The state machine of one WebSocket connection after its opening handshake, for either role: it turns received
 * bytes into messages and control events, enforces every rule of RFC 6455 and RFC 7692 with its close code, and
 * turns messages to send into frames. It does no I/O and never calls into its transport: the transport feeds it
 * bytes with {@link #receive}, hears of messages through a {@link ProtocolListener}, and <em>pulls</em> the frames
 * to write with {@link #drainOutbound} when it is ready to take them (python-websockets' sans-I/O shape). A
 * listener may therefore call {@code send*} or {@link #close} from inside an event: those calls only queue frames.
 *
 * <p>Every violation leaves through one exit: a close frame with the violation's code (1002 protocol error, 1007
 * invalid payload, 1009 too big, 1011 unexpected, with no detail on the wire), then {@code CLOSED}, and every later
 * input byte is discarded. The state always changes before the close frame is queued, so whatever the transport
 * does with that frame finds the engine in its final state. Input is processed strictly in order, so the messages
 * that came before a violation are delivered before it is reported.
 *
 * <p>Two halves: this class is the connection's state (OPEN, CLOSING, CLOSED and the close handshake) and its
 * sending half (framing, compression, parts, pongs); the receiving half, {@link Incoming}, applies the rules to
 * what the {@code FrameDecoder} reads and hands messages to the listener, and reports back what a received frame
 * asks of the sender (a pong, the answer to a close). Every failure, from either half, goes through this class.
 *
 * <p>Not thread-safe: one thread (the connection's event loop) makes every call.
 *
 * <pre>{@code
 * Protocol protocol = new Protocol(Role.SERVER, WebSocketConfig.defaults(), null, MaskKeys.secure(), listener);
 * protocol.receive(bytesFromSocket);          // events arrive at the listener
 * protocol.sendText("hello", future);         // queued inside the engine, tagged with the caller's future
 * protocol.drainOutbound((frame, kind, tag) -> writeQueue.add(frame, kind, tag));
 * protocol.close(1000, "bye");                // CLOSING until the peer's close frame arrives
 * }</pre>
 */
public final class Protocol {
    /**
     * Pongs queued since the transport last drained, beyond which only the latest ping is answered (RFC 6455 §5.5.3
     * allows answering only the most recent). A peer that floods pings then costs one pong per read, not one per
     * ping, while a handful of pings in one segment (Autobahn's case 2.10 sends ten) still get one pong each.
     */
    static final int MAX_UNDRAINED_PONGS = 16;
    private static final int RSV1 = 0b100;

    final Role role;
    final ProtocolListener listener;
    /** The negotiated permessage-deflate parameters, or null. */
    final DeflateParams deflate;
    /** Limits and deflate settings, read when the receiving half is made and when a message is compressed. */
    private final WebSocketConfig config;
    private final MaskKeys keys;
    /** Where message memory is reserved; also what lasts while the connection is open (a compressor). */
    private final InboundBudget budget;
    private final SegmentPool segments;
    // Made on first use, so that a connection that is open and idle holds none of them: the encoder and the queue
    // on the first send, the receiving half (and its frame decoder) on the first bytes received.
    private FrameEncoder encoder;
    private OutboundQueue outbound;
    private Incoming incoming;
    /** The receive modes set before the receiving half was made: {@link #STREAM_BINARY} and the others. */
    private byte receiveModes;
    private static final byte STREAM_BINARY = 1;
    private static final byte STREAM_TEXT = 2;
    private static final byte LEND_BINARY = 4;
    private MessageDeflater deflater;
    /** {@link #COMPRESSOR_BYTES} are reserved for this connection's own compressor. */
    private boolean compressorReserved;

    private ReadyState state = ReadyState.OPEN;
    private boolean closeSent;
    /** Pongs queued since the last {@link #drainOutbound}. */
    private int undrainedPongs;
    /** The latest ping not answered yet because of {@link #MAX_UNDRAINED_PONGS}, or null. */
    private byte[] deferredPong;
    /** The length of the payload in {@link #deferredPong}, or -1 when no pong is deferred. */
    private int deferredPongLength = -1;

    /** The message being sent in parts is text. */
    private boolean partialText;
    /** A binary message sent in parts is under way: its next frame is a continuation. */
    private boolean partialOut;

    /**
     * Creates the state machine of a connection whose opening handshake has completed, with no shared memory
     * budget; it starts {@link ReadyState#OPEN}.
     *
     * @param role which end this is
     * @param config limits and deflate settings
     * @param deflate the negotiated permessage-deflate parameters, or null if it was not negotiated
     * @param keys the source of mask keys (used by the client role only)
     * @param listener receives events
     */
    public Protocol(Role role, WebSocketConfig config, DeflateParams deflate, MaskKeys keys,
            ProtocolListener listener) {
        this(role, config, deflate, keys, listener, InboundBudget.UNLIMITED);
    }

    /**
     * Creates the state machine of a connection whose opening handshake has completed; it starts
     * {@link ReadyState#OPEN}.
     *
     * @param role which end this is
     * @param config limits and deflate settings
     * @param deflate the negotiated permessage-deflate parameters, or null if it was not negotiated
     * @param keys the source of mask keys (used by the client role only)
     * @param listener receives events
     * @param budget memory for message assembly, shared with other connections; a refusal fails this one
     *     ({@link InboundBudget#refusal}: 1013, or 1009 for a message larger than the whole budget)
     */
    public Protocol(Role role, WebSocketConfig config, DeflateParams deflate, MaskKeys keys,
            ProtocolListener listener, InboundBudget budget) {
        this(role, config, deflate, keys, listener, budget, SegmentPool.NONE);
    }

    /**
     * @param role which end this is
     * @param config limits and deflate settings
     * @param deflate negotiated permessage-deflate, or null
     * @param keys masking keys (client role)
     * @param listener receives the events
     * @param budget where message memory is reserved
     * @param segments where the segments of large messages come from and go back to (the thread's pool)
     */
    public Protocol(Role role, WebSocketConfig config, DeflateParams deflate, MaskKeys keys,
            ProtocolListener listener, InboundBudget budget, SegmentPool segments) {
        this.role = Objects.requireNonNull(role, "role");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.config = Objects.requireNonNull(config, "config");
        this.deflate = deflate;
        this.keys = Objects.requireNonNull(keys, "keys");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.segments = Objects.requireNonNull(segments, "segments");
    }

    /** @return the receiving half, made at the first bytes received with the modes set so far */
    private Incoming incoming() {
        Incoming in = incoming;
        if (in == null) {
            in = incoming = new Incoming(this, config, budget, segments);
            applyReceiveModes(in);
        }
        return in;
    }

    private void receiveMode(byte mode, boolean on) {
        receiveModes = (byte) (on ? receiveModes | mode : receiveModes & ~mode);
        if (incoming != null) {
            applyReceiveModes(incoming);
        }
    }

    private void applyReceiveModes(Incoming in) {
        in.streamBinary((receiveModes & STREAM_BINARY) != 0);
        in.streamText((receiveModes & STREAM_TEXT) != 0);
        in.lendBinary((receiveModes & LEND_BINARY) != 0);
    }

    private OutboundQueue outbound() {
        OutboundQueue q = outbound;
        if (q == null) {
            q = outbound = new OutboundQueue();
        }
        return q;
    }

    private FrameEncoder encoder() {
        FrameEncoder e = encoder;
        if (e == null) {
            e = encoder = new FrameEncoder(role, keys);
        }
        return e;
    }

    /** @return the connection's state: OPEN, CLOSING (we sent a close and await the peer's) or CLOSED */
    public ReadyState state() {
        return state;
    }

    /** @return the role this state machine plays */
    public Role role() {
        return role;
    }

    /**
     * @return true while this side has sent a close frame and waits for the peer's: the transport arms its close
     *     timeout and, when it fires, closes the TCP connection and calls {@link #receiveEof()}
     */
    public boolean closeExpected() {
        return state == ReadyState.CLOSING;
    }

    /**
     * @param text a message
     * @return its length in UTF-8 bytes (a lone surrogate counts as the one byte {@code ?} it is sent as)
     */
    public static long utf8Length(CharSequence text) {
        return Utf8Encoder.length(text);
    }

    /** @return true if frames wait for {@link #drainOutbound} */
    public boolean hasOutbound() {
        return outbound != null && !outbound.isEmpty();
    }

    /** @return the bytes of the frames that wait for {@link #drainOutbound} */
    public long outboundBytes() {
        return outbound == null ? 0 : outbound.bytes();
    }

    /** @return the bytes of memory held for the message being assembled (0 between messages) */
    public int assemblyBytes() {
        return incoming == null ? 0 : incoming.assemblyBytes();
    }

    /**
     * Hands every frame produced since the last call to {@code sink}, in the order they must be written (subject
     * to each frame's {@link OutboundKind}).
     *
     * @param sink takes the frames
     * @return how many frames were handed over
     */
    public int drainOutbound(OutboundSink sink) {
        undrainedPongs = 0;
        return outbound == null ? 0 : outbound.drainTo(sink);
    }

    /**
     * Consumes every byte of {@code in} (its position ends at its limit), delivering events to the listener as
     * they complete. A violation by the peer is not thrown: the connection is failed with its close code.
     *
     * @param in bytes received from the peer; their content may be changed (unmasked in place)
     */
    public void receive(ByteBuffer in) {
        receive(in, Integer.MAX_VALUE, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #receive(ByteBuffer)}, but returns early once this call has completed {@code maxFrames} frames or
     * decompressed about {@code maxInflated} bytes, with {@code in}'s position at the first byte not taken: a
     * transport that serves many connections on one thread bounds the work one peer's read can cost (a flood of
     * tiny frames, a "zip bomb"), and passes the rest again later, unchanged and before any bytes that arrive after
     * them. Events and close codes do not depend on where the calls cut the input.
     *
     * <pre>{@code
     * protocol.receive(buffer, 64, 256 * 1024);
     * if (buffer.hasRemaining()) {
     *     keepForNextTurn(buffer);   // passed back as it is at the next call
     * }
     * }</pre>
     *
     * @param in bytes received from the peer; their content may be changed (unmasked in place)
     * @param maxFrames how many frames to complete at most in this call, at least 1
     * @param maxInflated how many decompressed bytes to produce in this call (a soft bound, up to 8 KiB more), at
     *     least 1; the cap on each message's size (maxMessageSize) applies regardless
     * @throws IllegalArgumentException if maxFrames or maxInflated is less than 1
     */
    public void receive(ByteBuffer in, int maxFrames, int maxInflated) {
        if (maxFrames < 1 || maxInflated < 1) {
            throw new IllegalArgumentException("maxFrames and maxInflated must be >= 1, were " + maxFrames + " and "
                    + maxInflated);
        }
        // a closed connection discards its input; it may have closed before it received anything
        if (incoming == null ? state == ReadyState.CLOSED : incoming.isStopped()) {
            in.position(in.limit());
            return;
        }
        try {
            incoming().receive(in, maxFrames, maxInflated);
        } catch (ProtocolException e) {
            in.position(in.limit());
            fail(e, true);
        } catch (RuntimeException e) {
            in.position(in.limit());
            fail(new ProtocolException(CloseCode.INTERNAL_ERROR, "unexpected " + e.getClass().getSimpleName(), e),
                    true);
        }
        if (deferredPongLength >= 0) {
            int length = deferredPongLength;
            deferredPongLength = -1;
            if (!closeSent) {
                emit(Opcode.PONG, 0, ByteBuffer.wrap(deferredPong, 0, length), OutboundKind.CONTROL, null);
                undrainedPongs++;
            }
        }
    }

    /**
     * The transport's input ended: the peer closed the TCP connection, an I/O error occurred, or the close timeout
     * fired. If the closing handshake had not completed, the listener sees {@code onClosed(1006, "")}.
     */
    public void receiveEof() {
        if (state == ReadyState.CLOSED) {
            return;
        }
        becomeClosed();
        listener.onClosed(CloseCode.ABNORMAL.code(), "");
    }

    /**
     * Sends a text message as one frame, compressed when permessage-deflate is on and the message is at least the
     * configured threshold.
     *
     * @param text the message
     * @throws ClosedException unless the connection is OPEN
     */
    public void sendText(CharSequence text) {
        sendText(text, null);
    }

    /**
     * Sends a text message as one frame, compressed when permessage-deflate is on and the message is at least the
     * configured threshold.
     *
     * @param text the message
     * @param tag handed back with the frame by {@link #drainOutbound} (a completion, say); may be null
     * @throws ClosedException unless the connection is OPEN
     */
    public void sendText(CharSequence text, Object tag) {
        requireOpen();
        long length = Utf8Encoder.length(text);
        if (length > Integer.MAX_VALUE - WireFormat.MAX_HEADER_SIZE) {
            throw new IllegalArgumentException("text message of " + length + " UTF-8 bytes does not fit in a frame");
        }
        if (deflate != null && length >= config.deflateThreshold()) {
            sendData(Opcode.TEXT, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)), tag);
            return;
        }
        // Uncompressed: encode the text once, straight into the frame behind its header.
        ByteBuffer frame = encoder().startFrame(Opcode.TEXT.code(), true, 0, (int) length);
        Utf8Encoder.encode(text, frame);
        outbound().add(encoder().finishFrame(frame), OutboundKind.DATA, tag);
    }

    /**
     * Sends a binary message as one frame.
     *
     * @param data the bytes between position and limit; not modified, position unchanged
     * @throws ClosedException unless the connection is OPEN
     */
    public void sendBinary(ByteBuffer data) {
        sendBinary(data, null);
    }

    /**
     * Sends a binary message as one frame.
     *
     * @param data the bytes between position and limit; not modified, position unchanged
     * @param tag handed back with the frame by {@link #drainOutbound}; may be null
     * @throws ClosedException unless the connection is OPEN
     */
    public void sendBinary(ByteBuffer data, Object tag) {
        requireOpen();
        sendData(Opcode.BINARY, data, tag);
    }

    /**
     * Receives binary messages in parts ({@link ProtocolListener#onBinaryPart}) instead of whole: memory is bounded
     * by the read size, not the message, so {@code maxMessageSize} and {@code maxFrameSize} do not apply to them.
     * Text messages are still assembled and limited. Set before the first message.
     *
     * @param on whether to stream
     */
    public void streamBinary(boolean on) {
        receiveMode(STREAM_BINARY, on);
    }

    /**
     * Lends binary messages that arrive whole in one {@link #receive} (one unfragmented frame, the common case) to
     * {@link ProtocolListener#onBinaryLent}: a read-only view of the caller's buffer, unmasked in place, valid only
     * during the call. Nothing is allocated for them. A message assembled from several reads or fragments still
     * goes to {@link ProtocolListener#onBinary} in a buffer of its own (it had to be copied anyway, and the
     * listener may then keep it without a second copy). {@link #streamBinary} wins over this. Set before the
     * first message.
     *
     * @param on whether to lend
     */
    public void lendBinary(boolean on) {
        receiveMode(LEND_BINARY, on);
    }

    /**
     * Sends one part of a binary message as one frame (a continuation after the first, FIN on the last). Parts are
     * never compressed (RFC 7692 lets a message go uncompressed). The transport must not send another data message
     * until the last part: data frames of two messages may not interleave (RFC 6455 §5.4).
     *
     * @param part the bytes between position and limit; not modified
     * @param last whether the message ends with this part
     * @param tag handed back with the frame by {@link #drainOutbound}; may be null
     * @throws ClosedException unless the connection is OPEN
     */
    public void sendBinaryPart(ByteBuffer part, boolean last, Object tag) {
        requireOpen();
        if (partialOut && partialText) {
            throw new IllegalStateException("a text message is being sent in parts: finish it first");
        }
        Opcode opcode = partialOut ? Opcode.CONTINUATION : Opcode.BINARY;
        outbound().add(encoder().encode(opcode.code(), last, 0, part), OutboundKind.DATA, tag);
        partialOut = !last;
        partialText = false;
    }

    /**
     * Sends one part of a text message as one frame, like {@link #sendBinaryPart}. A part should not end between
     * the two halves of a surrogate pair (each part is encoded on its own).
     *
     * @param part the text
     * @param last whether the message ends with this part
     * @param tag handed back with the frame by {@link #drainOutbound}; may be null
     * @throws ClosedException unless the connection is OPEN
     * @throws IllegalStateException if a binary message is being sent in parts
     */
    public void sendTextPart(CharSequence part, boolean last, Object tag) {
        requireOpen();
        if (partialOut && !partialText) {
            throw new IllegalStateException("a binary message is being sent in parts: finish it first");
        }
        Opcode opcode = partialOut ? Opcode.CONTINUATION : Opcode.TEXT;
        ByteBuffer payload = ByteBuffer.wrap(part.toString().getBytes(StandardCharsets.UTF_8));
        outbound().add(encoder().encode(opcode.code(), last, 0, payload), OutboundKind.DATA, tag);
        partialOut = !last;
        partialText = !last;
    }

    /**
     * Receives text messages in parts ({@link ProtocolListener#onTextPart}), each part whole characters, checked
     * as UTF-8 as it arrives; like {@link #streamBinary} for text.
     *
     * @param on whether to stream
     */
    public void streamText(boolean on) {
        receiveMode(STREAM_TEXT, on);
    }

    /** @return true while a binary message sent in parts has not had its last part */
    public boolean partialOut() {
        return partialOut;
    }

    /**
     * Sends a ping.
     *
     * @param payload at most 125 bytes; not modified
     * @throws IllegalArgumentException if the payload is longer than 125 bytes
     * @throws ClosedException unless the connection is OPEN
     */
    public void sendPing(ByteBuffer payload) {
        sendControl(Opcode.PING, payload, null);
    }

    /**
     * Sends a ping.
     *
     * @param payload at most 125 bytes; not modified
     * @param tag handed back with the frame by {@link #drainOutbound}; may be null
     * @throws IllegalArgumentException if the payload is longer than 125 bytes
     * @throws ClosedException unless the connection is OPEN
     */
    public void sendPing(ByteBuffer payload, Object tag) {
        sendControl(Opcode.PING, payload, tag);
    }

    /**
     * Sends an unsolicited pong (a heartbeat that expects no answer).
     *
     * @param payload at most 125 bytes; not modified
     * @throws IllegalArgumentException if the payload is longer than 125 bytes
     * @throws ClosedException unless the connection is OPEN
     */
    public void sendPong(ByteBuffer payload) {
        sendControl(Opcode.PONG, payload, null);
    }

    /**
     * Starts the closing handshake: a close frame goes out after the frames already handed to the transport and
     * the state becomes CLOSING. Does nothing unless the connection is OPEN.
     *
     * @param code a code that may be sent (1000–1003, 1007–1014, 3000–4999)
     * @param reason at most 123 bytes of UTF-8
     * @throws IllegalArgumentException if the code may not be sent or the reason is too long
     */
    public void close(int code, String reason) {
        if (!CloseCode.isValidOnWire(code)) {
            throw new IllegalArgumentException("close code " + code + " may not be sent"
                    + " (use 1000-1003, 1007-1014 or 3000-4999)");
        }
        int reasonBytes = reason.getBytes(StandardCharsets.UTF_8).length;
        if (reasonBytes > CloseFrames.MAX_REASON_BYTES) {
            throw new IllegalArgumentException("close reason must be at most 123 bytes of UTF-8, was " + reasonBytes);
        }
        if (state != ReadyState.OPEN) {
            return;
        }
        // The state first: whatever happens to the frame, the engine is already CLOSING.
        closeSent = true;
        state = ReadyState.CLOSING;
        emit(Opcode.CLOSE, 0, CloseFrames.payload(code, reason), OutboundKind.CLOSE, null);
    }

    /**
     * Fails the connection for a reason found outside the protocol (a back-pressure limit: 1008; a transport
     * fault: 1011): queued data is dropped, a close frame with this code goes out, and the state becomes CLOSED.
     * The listener sees {@code onClosed(code, reason)}, not {@code onProtocolError}.
     *
     * @param code the close code to send
     * @param reason the reason to send; cut to 123 bytes
     */
    public void fail(CloseCode code, String reason) {
        fail(new ProtocolException(code, reason), false);
    }

    private void requireOpen() {
        if (state != ReadyState.OPEN) {
            throw new ClosedException("cannot send: the connection is " + state);
        }
    }

    private void sendData(Opcode opcode, ByteBuffer payload, Object tag) {
        if (deflate != null && payload.remaining() >= config.deflateThreshold()) {
            MessageDeflater d = deflater();
            if (d != null) {
                emit(opcode, RSV1, d.compress(payload), OutboundKind.DATA, tag);
            } else {
                // No room in the budget for a compressor of our own: RFC 7692 lets any message go uncompressed.
                // Copied into the frame, as a compressed one would be (sendKeepsPayload said it is not kept).
                emit(opcode, 0, payload, OutboundKind.DATA, tag);
            }
        } else if (role == Role.SERVER && payload.remaining() >= UNCOPIED_PAYLOAD) {
            // A large server frame goes out as its header and the sender's own bytes (one gather write, no copy):
            // the sender does not change them until the send completes, and a server does not mask.
            ByteBuffer shared = encoder().encodeHeader(opcode.code(), true, 0, payload);
            ByteBuffer header = ByteBuffer.allocate(shared.remaining()).put(shared).flip();
            outbound().add(header, payload.slice(), OutboundKind.DATA, tag);
        } else {
            emit(opcode, 0, payload, OutboundKind.DATA, tag);
        }
    }

    /** From this payload size on, a server's whole data message is sent without copying it into a frame. */
    static final int UNCOPIED_PAYLOAD = 8 * 1024;

    /**
     * @param size the bytes of a binary message to send
     * @return whether {@link #sendBinary} keeps a reference to the caller's bytes until the frame is written,
     *     instead of copying them into the frame at once
     */
    public boolean sendKeepsPayload(int size) {
        return role == Role.SERVER && size >= UNCOPIED_PAYLOAD
                && (deflate == null || size < config.deflateThreshold());
    }

    private void sendControl(Opcode opcode, ByteBuffer payload, Object tag) {
        if (payload.remaining() > WireFormat.MAX_CONTROL_PAYLOAD) {
            throw new IllegalArgumentException(
                    opcode + " payload must be at most 125 bytes, was " + payload.remaining());
        }
        requireOpen();
        emit(opcode, 0, payload, OutboundKind.CONTROL, tag);
    }

    private void emit(Opcode opcode, int rsv, ByteBuffer payload, OutboundKind kind, Object tag) {
        outbound().add(encoder().encode(opcode.code(), true, rsv, payload), kind, tag);
    }

    /**
     * What a compressor of a connection's own costs (context takeover), reserved from the {@link InboundBudget} for
     * as long as the connection has one: zlib's window, hash chains and pending output at memory level 8, native
     * memory that the heap limit does not see. Without context takeover the thread's compressor is borrowed per
     * message and nothing is reserved.
     */
    static final int COMPRESSOR_BYTES = 256 << 10;

    /** @return the deflater, or null if it needs a compressor of its own and the budget has no room for one now */
    private MessageDeflater deflater() {
        if (deflater == null) {
            boolean server = role == Role.SERVER;
            boolean reset = server ? deflate.serverNoContextTakeover() : deflate.clientNoContextTakeover();
            int windowBits = server ? deflate.serverMaxWindowBits() : deflate.clientMaxWindowBits();
            if (!reset) {
                if (!budget.lasting().reserve(COMPRESSOR_BYTES)) {
                    return null;   // asked again at the next message
                }
                compressorReserved = true;
            }
            deflater = new MessageDeflater(config.deflateLevel(), reset, windowBits);
        }
        return deflater;
    }

    /**
     * A ping arrived: RFC 6455 §5.5.2 says to answer it with a pong carrying the same data, unless a close frame
     * was sent. Past {@link #MAX_UNDRAINED_PONGS} pongs not yet drained, only the latest ping is answered, at the
     * end of the current {@link #receive}.
     */
    void answerPing(byte[] payload, int length) {
        if (closeSent) {
            return;
        }
        if (undrainedPongs < MAX_UNDRAINED_PONGS) {
            emit(Opcode.PONG, 0, ByteBuffer.wrap(payload, 0, length), OutboundKind.CONTROL, null);
            undrainedPongs++;
        } else {
            // one array, reused, however many pings come
            if (deferredPong == null) {
                deferredPong = new byte[WireFormat.MAX_CONTROL_PAYLOAD];
            }
            System.arraycopy(payload, 0, deferredPong, 0, length);
            deferredPongLength = length;
        }
    }

    /** The peer's close frame arrived: answer it unless ours was sent (RFC 6455 §5.5.1), and become CLOSED. */
    void peerClosed(CloseFrames.Close close) {
        boolean answer = !closeSent;
        closeSent = true;
        becomeClosed();
        if (answer) {
            // typically echoing the status code received
            emit(Opcode.CLOSE, 0, CloseFrames.payload(close.code(), ""), OutboundKind.CLOSE, null);
        }
        listener.onClosed(close.code(), close.reason());
    }

    /** The single exit for every failure: close frame (unless one was sent), CLOSED, input discarded. */
    private void fail(ProtocolException error, boolean byPeer) {
        if (state == ReadyState.CLOSED) {
            return;
        }
        int code = error.closeCode().code();
        // 1011 means our own fault: no detail goes on the wire.
        String reason = code == CloseCode.INTERNAL_ERROR.code() ? "" : error.getMessage();
        boolean sendClose = !closeSent;
        closeSent = true;
        // CLOSED before the close frame is queued: a later fail() (from anywhere) finds nothing left to do.
        becomeClosed();
        if (sendClose) {
            emit(Opcode.CLOSE, 0, CloseFrames.payload(code, reason), OutboundKind.CLOSE_ABORT, null);
        }
        if (byPeer) {
            listener.onProtocolError(error);
        }
        listener.onClosed(code, reason);
    }

    private void becomeClosed() {
        state = ReadyState.CLOSED;
        if (incoming != null) {
            incoming.stop();
        }
        if (deflater != null) {
            deflater.close();
            deflater = null;
        }
        if (compressorReserved) {
            compressorReserved = false;
            budget.lasting().release(COMPRESSOR_BYTES);
        }
    }

}
