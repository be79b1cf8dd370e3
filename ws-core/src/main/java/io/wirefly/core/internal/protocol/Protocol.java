package io.wirefly.core.internal.protocol;

import io.wirefly.core.ClosedException;
import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import io.wirefly.core.ReadyState;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.DeflateParams;
import io.wirefly.core.internal.deflate.MessageDeflater;
import io.wirefly.core.internal.deflate.MessageInflater;
import io.wirefly.core.internal.frame.FrameDecoder;
import io.wirefly.core.internal.frame.FrameEncoder;
import io.wirefly.core.internal.frame.FrameSink;
import io.wirefly.core.internal.frame.MaskKeys;
import io.wirefly.core.internal.frame.Opcode;
import io.wirefly.core.internal.frame.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * does with that frame finds the engine in its final state. Input is processed strictly in order, so the messages that came before a violation are
 * delivered before it is reported.
 *
 * <p>Why one class of ~850 lines: the frame rules (control frames, fragmentation, RSV bits, close payloads) and the
 * message rules (assembly, UTF-8, inflation, limits) are already in their own classes ({@code FrameDecoder},
 * {@code MessageAssembler}, {@code Utf8Validator}, the inflater); what stays here is the state they share (the
 * ready state, the message in progress, the close handshake) and the order of the checks, which reads best in one
 * place. Half of its length is Javadoc. Streamed messages (parts in and out) share that state too: which message
 * is in progress, and whether a part or a whole message may come next; a separate class would have to see it all.
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
    private static final int NO_MESSAGE = -1;
    private static final byte[] NO_BYTES = new byte[0];
    /**
     * Pongs queued since the transport last drained, beyond which only the latest ping is answered (RFC 6455 §5.5.3
     * allows answering only the most recent). A peer that floods pings then costs one pong per read, not one per
     * ping, while a handful of pings in one segment (Autobahn's case 2.10 sends ten) still get one pong each.
     */
    static final int MAX_UNDRAINED_PONGS = 16;
    private static final int RSV1 = 0b100;

    private final Role role;
    private final ProtocolListener listener;
    private final int maxFrameSize;
    private final int maxMessageSize;
    private final int deflateLevel;
    private final int deflateThreshold;
    private final DeflateParams deflate;
    private final FrameDecoder decoder = new FrameDecoder();
    /** Frames the current {@link #receive(ByteBuffer, int, int)} call may still complete. */
    private int framesLeft;
    /** Bytes the current {@link #receive(ByteBuffer, int, int)} call may still decompress. */
    private long inflateLeft;
    // Made on first use, so that a connection that is open and idle holds none of them: an encoder on the first
    // send, a validator on the first text message, an assembler on the first message that spans reads or frames.
    private final MaskKeys keys;
    private FrameEncoder encoder;
    private Utf8Validator utf8;
    private final InboundBudget budget;
    private final SegmentPool segments;
    private MessageAssembler assembler;
    private final OutboundQueue outbound = new OutboundQueue();
    /** The payload of the control frame being read; made on the first control frame (idle connections see none). */
    private byte[] control;
    /** A read-only view of {@link #control}, handed to {@link ProtocolListener#onPing}. */
    private ByteBuffer controlView;
    private final Receiver receiver = new Receiver();

    private MessageDeflater deflater;
    private MessageInflater inflater;

    private ReadyState state = ReadyState.OPEN;
    private boolean closeSent;
    /** Pongs queued since the last {@link #drainOutbound}. */
    private int undrainedPongs;
    /** The latest ping not answered yet because of {@link #MAX_UNDRAINED_PONGS}, or null. */
    private byte[] deferredPong;
    /** The length of the payload in {@link #deferredPong}, or -1 when no pong is deferred. */
    private int deferredPongLength = -1;

    // The frame being received.
    private int frameOpcode;
    private boolean frameFin;
    private long frameLength;
    private int controlLength;

    // The message being received.
    private int messageOpcode = NO_MESSAGE;
    private boolean messageCompressed;
    /** Binary messages go to {@link ProtocolListener#onBinaryPart} as they arrive, with no size limit. */
    private boolean streamBinary;
    /** Text messages go to {@link ProtocolListener#onTextPart} as they arrive, with no size limit. */
    private boolean streamText;
    /** Whole binary messages are lent to {@link ProtocolListener#onBinaryLent}, not copied for the listener. */
    private boolean lendBinary;
    /** The last bytes of a streamed text part that end inside a UTF-8 sequence (at most 3), for the next part. */
    private byte[] textCarry = NO_BYTES;
    /** The message being sent in parts is text. */
    private boolean partialText;
    /** The message being received is a streamed binary one. */
    private boolean messageStreamed;
    /** A binary message sent in parts is under way: its next frame is a continuation. */
    private boolean partialOut;
    private String pendingText;
    private ByteBuffer pendingBinary;

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
     * @param budget memory for message assembly, shared with other connections; a refusal fails this one with 1009
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
        this.maxFrameSize = config.maxFrameSize();
        this.maxMessageSize = config.maxMessageSize();
        this.deflateLevel = config.deflateLevel();
        this.deflateThreshold = config.deflateThreshold();
        this.deflate = deflate;
        this.keys = Objects.requireNonNull(keys, "keys");
        this.budget = Objects.requireNonNull(budget, "budget");
        this.segments = Objects.requireNonNull(segments, "segments");
    }

    private FrameEncoder encoder() {
        FrameEncoder e = encoder;
        if (e == null) {
            e = encoder = new FrameEncoder(role, keys);
        }
        return e;
    }

    private Utf8Validator utf8() {
        Utf8Validator v = utf8;
        if (v == null) {
            v = utf8 = new Utf8Validator();
        }
        return v;
    }

    /** @return the bytes of the message assembled so far */
    private int assembledBytes() {
        return assembler == null ? 0 : assembler.size();
    }

    private MessageAssembler assembler() {
        MessageAssembler a = assembler;
        if (a == null) {
            a = assembler = new MessageAssembler(maxMessageSize, budget, segments);
        }
        return a;
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
        return !outbound.isEmpty();
    }

    /** @return the bytes of the frames that wait for {@link #drainOutbound} */
    public long outboundBytes() {
        return outbound.bytes();
    }

    /** @return the bytes of memory held for the message being assembled (0 between messages) */
    public int assemblyBytes() {
        return assembler == null ? 0 : assembler.capacity();
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
        return outbound.drainTo(sink);
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
        if (decoder.isStopped()) {
            in.position(in.limit());
            return;
        }
        framesLeft = maxFrames;
        inflateLeft = maxInflated;
        try {
            decoder.decode(in, receiver);
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
        if (deflate != null && length >= deflateThreshold) {
            sendData(Opcode.TEXT, ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)), tag);
            return;
        }
        // Uncompressed: encode the text once, straight into the frame behind its header.
        ByteBuffer frame = encoder().startFrame(Opcode.TEXT.code(), true, 0, (int) length);
        Utf8Encoder.encode(text, frame);
        outbound.add(encoder().finishFrame(frame), OutboundKind.DATA, tag);
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
        this.streamBinary = on;
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
        this.lendBinary = on;
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
        outbound.add(encoder().encode(opcode.code(), last, 0, part), OutboundKind.DATA, tag);
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
        outbound.add(encoder().encode(opcode.code(), last, 0, payload), OutboundKind.DATA, tag);
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
        this.streamText = on;
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
        if (deflate != null && payload.remaining() >= deflateThreshold) {
            emit(opcode, RSV1, deflater().compress(payload), OutboundKind.DATA, tag);
        } else if (role == Role.SERVER && payload.remaining() >= UNCOPIED_PAYLOAD) {
            // A large server frame goes out as its header and the sender's own bytes (one gather write, no copy):
            // the sender does not change them until the send completes, and a server does not mask.
            ByteBuffer shared = encoder().encodeHeader(opcode.code(), true, 0, payload);
            ByteBuffer header = ByteBuffer.allocate(shared.remaining()).put(shared).flip();
            outbound.add(header, payload.slice(), OutboundKind.DATA, tag);
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
        return role == Role.SERVER && size >= UNCOPIED_PAYLOAD && (deflate == null || size < deflateThreshold);
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
        outbound.add(encoder().encode(opcode.code(), true, rsv, payload), kind, tag);
    }

    private MessageDeflater deflater() {
        if (deflater == null) {
            boolean server = role == Role.SERVER;
            boolean reset = server ? deflate.serverNoContextTakeover() : deflate.clientNoContextTakeover();
            int windowBits = server ? deflate.serverMaxWindowBits() : deflate.clientMaxWindowBits();
            deflater = new MessageDeflater(deflateLevel, reset, windowBits);
        }
        return deflater;
    }

    private MessageInflater inflater() {
        if (inflater == null) {
            boolean reset = role == Role.SERVER ? deflate.clientNoContextTakeover() : deflate.serverNoContextTakeover();
            inflater = new MessageInflater(reset, maxMessageSize);
        }
        return inflater;
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
        decoder.stop();
        if (assembler != null) {
            assembler.reset();
        }
        messageOpcode = NO_MESSAGE;
        messageStreamed = false;
        textCarry = NO_BYTES;
        pendingText = null;
        pendingBinary = null;
        if (deflater != null) {
            deflater.close();
            deflater = null;
        }
        if (inflater != null) {
            inflater.close();
            inflater = null;
        }
    }

    private static ProtocolException violation(String detail) {
        return new ProtocolException(CloseCode.PROTOCOL_ERROR, detail);
    }

    /** Receives the decoder's tokens and applies the rules; a private class keeps these methods off the API. */
    private final class Receiver implements FrameSink, MessageInflater.Sink {

        @Override
        public void onHeader(boolean fin, int rsv, int opcode, boolean masked, long length) {
            // RFC 6455 §5.2: RSV1-3 MUST be 0 unless a negotiated extension defines them; permessage-deflate
            // defines RSV1 only (RFC 7692 §6).
            if ((rsv & 0b011) != 0) {
                throw violation("reserved bit RSV" + ((rsv & 0b010) != 0 ? 2 : 3) + " set");
            }
            Opcode op = Opcode.of(opcode);
            boolean rsv1 = (rsv & RSV1) != 0;
            // RFC 6455 §5.1: a server MUST close the connection on an unmasked frame; a client on a masked one.
            if (role == Role.SERVER && !masked) {
                throw violation("unmasked frame from a client");
            }
            if (role == Role.CLIENT && masked) {
                throw violation("masked frame from a server");
            }
            if (op.isControl()) {
                // RFC 6455 §5.5: control frames MUST have a payload length of 125 bytes or less and MUST NOT be
                // fragmented.
                if (!fin) {
                    throw violation("fragmented " + op + " frame");
                }
                if (length > WireFormat.MAX_CONTROL_PAYLOAD) {
                    throw violation(op + " frame with a payload of " + length + " bytes");
                }
                if (rsv1) {
                    throw violation("RSV1 set on a " + op + " frame");
                }
                if (control == null) {
                    control = new byte[WireFormat.MAX_CONTROL_PAYLOAD];
                    controlView = ByteBuffer.wrap(control).asReadOnlyBuffer();
                }
                controlLength = 0;
            } else {
                if (op == Opcode.CONTINUATION) {
                    // RFC 6455 §5.4: a continuation frame continues a fragmented message.
                    if (messageOpcode == NO_MESSAGE) {
                        throw violation("continuation frame without a message to continue");
                    }
                    // RFC 7692 §6.1: RSV1 is set on the first frame of a message only.
                    if (rsv1) {
                        throw violation("RSV1 set on a continuation frame");
                    }
                } else {
                    if (messageOpcode != NO_MESSAGE) {
                        throw violation("new " + op + " message before the fragmented message ended");
                    }
                    if (rsv1 && deflate == null) {
                        throw violation("RSV1 set but permessage-deflate was not negotiated");
                    }
                    messageOpcode = opcode;
                    messageCompressed = rsv1;
                    messageStreamed = streamBinary && op == Opcode.BINARY || streamText && op == Opcode.TEXT;
                    utf8().reset();
                }
                if (messageStreamed) {
                    // parts go out as they arrive: the frame's and the message's size cost no memory here
                    frameOpcode = opcode;
                    frameFin = fin;
                    frameLength = length;
                    return;
                }
                if (length > maxFrameSize) {
                    throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                            "frame exceeds maxFrameSize (" + maxFrameSize + " bytes)");
                }
                if (!messageCompressed && assembledBytes() + length > maxMessageSize) {
                    throw new ProtocolException(CloseCode.MESSAGE_TOO_BIG,
                            "message exceeds maxMessageSize (" + maxMessageSize + " bytes)");
                }
            }
            frameOpcode = opcode;
            frameFin = fin;
            frameLength = length;
        }

        @Override
        public void onPayload(ByteBuffer chunk) {
            if (frameOpcode >= Opcode.CLOSE.code()) {
                int n = chunk.remaining();
                chunk.get(control, controlLength, n);
                controlLength += n;
                return;
            }
            if (messageCompressed) {
                if (inflater().inflate(chunk, this, inflateLeft)) {
                    decoder.pause();   // this call's share is used up; the rest of the chunk comes again
                }
                return;
            }
            if (messageStreamed) {
                if (chunk.hasRemaining()) {
                    byte[] bytes = new byte[chunk.remaining()];
                    chunk.get(bytes);
                    if (messageOpcode == Opcode.TEXT.code()) {
                        streamedPart(bytes, 0, bytes.length);
                    } else {
                        listener.onBinaryPart(ByteBuffer.wrap(bytes), false);   // the copy is the listener's
                    }
                }
                return;
            }
            boolean text = messageOpcode == Opcode.TEXT.code();
            if (text) {
                // Fail fast: a byte that can never be part of valid UTF-8 fails the connection as it arrives.
                if (utf8().feed(chunk, chunk.position(), chunk.limit()) >= 0) {
                    throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "text message is not valid UTF-8");
                }
            }
            if (frameOpcode != Opcode.CONTINUATION.code() && frameFin && chunk.remaining() == frameLength) {
                // The common case: a whole unfragmented message in one read. Skip the assembler.
                if (text) {
                    pendingText = decodeUtf8(chunk);
                } else if (lendBinary) {
                    pendingBinary = LentView.of(chunk);   // no copy: the listener borrows the caller's bytes
                } else {
                    ByteBuffer copy = ByteBuffer.allocate(chunk.remaining());
                    copy.put(chunk).flip();
                    pendingBinary = copy;
                }
                return;
            }
            // The frame's announced length is only a claim: the assembler grows with the bytes that arrive.
            assembler().append(chunk);
        }

        @Override
        public void accept(byte[] bytes, int offset, int length) {
            inflateLeft -= length;
            if (messageStreamed) {
                streamedPart(bytes, offset, length);
                return;
            }
            if (messageOpcode == Opcode.TEXT.code() && utf8().feed(bytes, offset, offset + length) >= 0) {
                throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "text message is not valid UTF-8");
            }
            assembler().accept(bytes, offset, length);
        }

        @Override
        public void onFrameEnd() {
            if (frameOpcode >= Opcode.CLOSE.code()) {
                onControlFrame();
            } else if (frameFin) {
                onMessageEnd();
            }
            if (--framesLeft <= 0) {
                decoder.pause();
            }
        }

        private void onMessageEnd() {
            if (messageCompressed) {
                inflater().finish(this);
            }
            if (messageStreamed) {
                boolean text = messageOpcode == Opcode.TEXT.code();
                if (text && !utf8().isComplete()) {
                    throw new ProtocolException(CloseCode.INVALID_PAYLOAD,
                            "text message ends inside a UTF-8 sequence");
                }
                messageStreamed = false;
                messageOpcode = NO_MESSAGE;
                textCarry = NO_BYTES;
                if (text) {
                    listener.onTextPart("", true);
                } else {
                    listener.onBinaryPart(ByteBuffer.allocate(0), true);
                }
                return;
            }
            boolean text = messageOpcode == Opcode.TEXT.code();
            // RFC 6455 §8.1: a text message whose bytes are not valid UTF-8 fails the connection with 1007.
            if (text && !utf8().isComplete()) {
                throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "text message ends inside a UTF-8 sequence");
            }
            String message = pendingText;
            ByteBuffer binary = pendingBinary;
            pendingText = null;
            pendingBinary = null;
            if (text && message == null) {
                message = new String(assembler().array(), 0, assembler().size(), StandardCharsets.UTF_8);
                assembler.reset();
            } else if (!text && binary == null) {
                binary = assembler().take();
            }
            messageOpcode = NO_MESSAGE;
            if (text) {
                listener.onText(message);
            } else if (binary.isReadOnly()) {
                listener.onBinaryLent(binary);   // only a lent view is read-only: a message of one read
            } else {
                listener.onBinary(binary);
            }
        }

        private void onControlFrame() {
            if (frameOpcode == Opcode.PING.code()) {
                // RFC 6455 §5.5.2: upon receipt of a Ping frame, an endpoint MUST send a Pong frame in response,
                // with the same application data (unless it already sent a Close frame).
                if (!closeSent && undrainedPongs < MAX_UNDRAINED_PONGS) {
                    emit(Opcode.PONG, 0, ByteBuffer.wrap(control, 0, controlLength), OutboundKind.CONTROL, null);
                    undrainedPongs++;
                } else if (!closeSent) {
                    // answered at the end of this receive; one array, reused, however many pings come
                    if (deferredPong == null) {
                        deferredPong = new byte[WireFormat.MAX_CONTROL_PAYLOAD];
                    }
                    System.arraycopy(control, 0, deferredPong, 0, controlLength);
                    deferredPongLength = controlLength;
                }
                // A view of the payload, valid during the call: a ping flood allocates nothing per ping.
                listener.onPing(controlView.clear().limit(controlLength));
            } else if (frameOpcode == Opcode.PONG.code()) {
                // A view too: a flood of unsolicited pongs (RFC 6455 §5.5.3 allows them) allocates nothing.
                listener.onPong(controlView.clear().limit(controlLength));
            } else {
                onCloseFrame();
            }
        }

        private void onCloseFrame() {
            CloseFrames.Close close = CloseFrames.parse(control, controlLength);
            boolean answer = !closeSent;
            closeSent = true;
            becomeClosed();
            if (answer) {
                // RFC 6455 §5.5.1: an endpoint that receives a Close frame and has not sent one MUST send one in
                // response, typically echoing the status code it received.
                emit(Opcode.CLOSE, 0, CloseFrames.payload(close.code(), ""), OutboundKind.CLOSE, null);
            }
            listener.onClosed(close.code(), close.reason());
        }

        /** Hands streamed bytes on: binary as they are, text checked and cut at the last whole character. */
        private void streamedPart(byte[] bytes, int offset, int length) {
            if (messageOpcode != Opcode.TEXT.code()) {
                // the inflater reuses its array: the listener gets a copy of its own
                listener.onBinaryPart(ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, offset + length)),
                        false);
                return;
            }
            if (utf8().feed(bytes, offset, offset + length) >= 0) {
                throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "text message is not valid UTF-8");
            }
            byte[] all = bytes;
            int from = offset;
            int to = offset + length;
            if (textCarry.length > 0) {   // the end of a character cut by the last read comes first
                all = new byte[textCarry.length + length];
                System.arraycopy(textCarry, 0, all, 0, textCarry.length);
                System.arraycopy(bytes, offset, all, textCarry.length, length);
                from = 0;
                to = all.length;
            }
            int whole = wholeCharacters(all, from, to);
            textCarry = whole == to ? NO_BYTES : Arrays.copyOfRange(all, whole, to);
            if (whole > from) {
                listener.onTextPart(new String(all, from, whole - from, StandardCharsets.UTF_8), false);
            }
        }

        /** @return the end of the longest run of valid UTF-8 {@code b[from, to)} that ends on a whole character */
        private int wholeCharacters(byte[] b, int from, int to) {
            for (int k = 1; k <= Math.min(3, to - from); k++) {
                int c = b[to - k] & 0xFF;
                if ((c & 0xC0) == 0x80) {
                    continue;   // a continuation byte: look further back for its lead
                }
                int needed = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
                return needed > k ? to - k : to;
            }
            return to;
        }

        private String decodeUtf8(ByteBuffer chunk) {
            int n = chunk.remaining();
            String s;
            if (chunk.hasArray()) {
                s = new String(chunk.array(), chunk.arrayOffset() + chunk.position(), n, StandardCharsets.UTF_8);
                chunk.position(chunk.limit());
            } else {
                byte[] bytes = new byte[n];
                chunk.get(bytes);
                s = new String(bytes, StandardCharsets.UTF_8);
            }
            return s;
        }
    }
}
