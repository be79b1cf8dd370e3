package io.wirefly.core.internal.protocol;

import io.wirefly.core.CloseCode;
import io.wirefly.core.ProtocolException;
import io.wirefly.core.Role;
import io.wirefly.core.WebSocketConfig;
import io.wirefly.core.internal.deflate.MessageInflater;
import io.wirefly.core.internal.frame.FrameDecoder;
import io.wirefly.core.internal.frame.FrameSink;
import io.wirefly.core.internal.frame.Opcode;
import io.wirefly.core.internal.frame.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The receiving half of a {@link Protocol}: it takes the frame decoder's tokens and applies RFC 6455's and RFC
 * 7692's rules to them (reserved bits, masking, control frames, fragmentation, sizes, UTF-8, inflation), assembles,
 * streams or lends messages, and hands them to the protocol's listener. What a received frame asks of the sending
 * half (a pong, the answer to a close) goes back to the protocol, which owns the close handshake and the outbound
 * queue. A violation is thrown as a {@link ProtocolException} with its close code; {@link Protocol#receive} turns it
 * into the connection's failure.
 *
 * <p>An idle connection holds none of this: its protocol makes this half at the first bytes received, and in it the
 * validator, the assembler, the control-frame buffer and the inflater are made on first use. Not thread-safe: the
 * connection's event loop makes every call.
 *
 * <pre>{@code
 * Incoming incoming = new Incoming(protocol, config, budget, segments);
 * incoming.receive(bytesFromSocket, 64, 256 * 1024);   // messages reach protocol.listener
 * }</pre>
 */
final class Incoming implements FrameSink, MessageInflater.Sink {
    private static final int NO_MESSAGE = -1;
    private static final int RSV1 = 0b100;
    /**
     * What a decompressor in use costs, reserved from the {@link InboundBudget} while a connection holds one: zlib's
     * state and its 32 KiB window, native memory that the heap limit does not see. Without context takeover a
     * connection holds one only while a compressed message arrives; with it, from its first compressed message on.
     */
    static final int DECOMPRESSOR_BYTES = 48 << 10;

    private final Protocol protocol;
    private final int maxFrameSize;
    private final int maxMessageSize;
    /** The budget shared with other connections; this connection reserves through its {@link #account}. */
    private final InboundBudget budget;
    /** This connection's account in {@link #budget}; made at the first reservation, so idle connections have none. */
    private InboundBudget account;
    private final SegmentPool segments;
    private final FrameDecoder decoder = new FrameDecoder();
    /** Frames the current {@link #receive} call may still complete. */
    private int framesLeft;
    /** Bytes the current {@link #receive} call may still decompress. */
    private long inflateLeft;
    // Made on first use, so that a connection that is open and idle holds none of them: a validator on the first
    // text message, an assembler on the first message that spans reads or frames, the control buffer on the first
    // control frame, the inflater on the first compressed message.
    private Utf8Validator utf8;
    private MessageAssembler assembler;
    /** The payload of the control frame being read. */
    private byte[] control;
    /** A read-only view of {@link #control}, handed to {@link ProtocolListener#onPing} and {@code onPong}. */
    private ByteBuffer controlView;
    private MessageInflater inflater;
    /** {@link #DECOMPRESSOR_BYTES} are reserved from the budget for the decompressor this connection holds. */
    private boolean decompressorReserved;

    // The frame being received.
    private int frameOpcode;
    private boolean frameFin;
    private long frameLength;
    /** The least the message being assembled will hold, as its frame headers so far announce (0 if compressed). */
    private long messageAnnounced;
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
    /** Cuts a streamed text message at whole characters; made for the first such message. */
    private TextParts textParts;
    /** The message being received is a streamed one. */
    private boolean messageStreamed;
    private String pendingText;
    private ByteBuffer pendingBinary;

    /**
     * @param protocol the connection this receives for: its role, negotiated deflate, listener and sending half
     * @param config the limits on frames and messages
     * @param budget where message memory is reserved
     * @param segments where the segments of large messages come from and go back to
     */
    Incoming(Protocol protocol, WebSocketConfig config, InboundBudget budget, SegmentPool segments) {
        this.protocol = protocol;
        this.maxFrameSize = config.maxFrameSize();
        this.maxMessageSize = config.maxMessageSize();
        this.budget = budget;
        this.segments = segments;
    }

    void streamBinary(boolean on) {
        streamBinary = on;
    }

    void streamText(boolean on) {
        streamText = on;
    }

    void lendBinary(boolean on) {
        lendBinary = on;
    }

    /** @return this connection's account, for what a message in progress holds (taken back if it stalls) */
    private InboundBudget account() {
        if (account == null) {
            account = budget.account(protocol.listener::onInboundEvicted);
        }
        return account;
    }

    /** @return whether input is discarded: the connection is closed */
    boolean isStopped() {
        return decoder.isStopped();
    }

    /** @return the bytes of memory held for the message being assembled (0 between messages) */
    int assemblyBytes() {
        return assembler == null ? 0 : assembler.capacity();
    }

    /**
     * Decodes {@code in} until it is used up or this call's share of frames or inflated bytes is.
     *
     * @throws ProtocolException on a violation by the peer
     */
    void receive(ByteBuffer in, int maxFrames, long maxInflated) {
        framesLeft = maxFrames;
        inflateLeft = maxInflated;
        decoder.decode(in, this);
    }

    /** The connection closed: every later byte is discarded and the message in progress is dropped. */
    void stop() {
        decoder.stop();
        if (assembler != null) {
            assembler.reset();
        }
        messageOpcode = NO_MESSAGE;
        messageStreamed = false;
        textParts = null;
        pendingText = null;
        pendingBinary = null;
        if (inflater != null) {
            inflater.close();
            inflater = null;
        }
        releaseDecompressor();
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
            a = assembler = new MessageAssembler(maxMessageSize, account(), segments);
        }
        return a;
    }

    /**
     * @return the inflater, with its decompressor's memory reserved from the budget
     * @throws ProtocolException 1013 if the budget has no room for another decompressor ({@link InboundBudget#refusal})
     */
    private MessageInflater decompressor() {
        if (!decompressorReserved) {
            if (!decompressorBudget(peerResetsContext()).reserve(DECOMPRESSOR_BYTES)) {
                throw InboundBudget.refusal(budget, DECOMPRESSOR_BYTES, "a decompressor");
            }
            decompressorReserved = true;
        }
        if (inflater == null) {
            inflater = new MessageInflater(peerResetsContext(), maxMessageSize);
        }
        return inflater;
    }

    /** @return whether the peer compresses each message alone (no context takeover): a decompressor per message */
    private boolean peerResetsContext() {
        return protocol.role == Role.SERVER ? protocol.deflate.clientNoContextTakeover()
                : protocol.deflate.serverNoContextTakeover();
    }

    /**
     * @param perMessage whether the decompressor is held only while a message arrives (no context takeover)
     * @return the connection's account for a decompressor held per message, like the message itself; the lasting
     *     budget for one held until the connection closes, which is never taken back for a newer message
     */
    private InboundBudget decompressorBudget(boolean perMessage) {
        return perMessage ? account() : budget.lasting();
    }

    private void releaseDecompressor() {
        if (decompressorReserved) {
            decompressorReserved = false;
            decompressorBudget(peerResetsContext()).release(DECOMPRESSOR_BYTES);
        }
    }

    private static ProtocolException violation(String detail) {
        return new ProtocolException(CloseCode.PROTOCOL_ERROR, detail);
    }

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
        if (protocol.role == Role.SERVER && !masked) {
            throw violation("unmasked frame from a client");
        }
        if (protocol.role == Role.CLIENT && masked) {
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
                if (rsv1 && protocol.deflate == null) {
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
            messageAnnounced = messageCompressed ? 0 : assembledBytes() + length;
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
            if (decompressor().inflate(chunk, this, inflateLeft)) {
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
                    protocol.listener.onBinaryPart(ByteBuffer.wrap(bytes), false);   // the copy is the listener's
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
        // The frame's announced length is only a claim: the assembler grows with the bytes that arrive. (The claim
        // only picks the close code of a refusal: a message announced larger than the whole budget is 1009.)
        assembler().append(chunk, messageAnnounced);
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
            decompressor().finish(this);
            if (!inflater.holdsDecompressor()) {
                releaseDecompressor();   // given back at the message's end: no context takeover
            }
        }
        if (messageStreamed) {
            boolean text = messageOpcode == Opcode.TEXT.code();
            if (text && !utf8().isComplete()) {
                throw new ProtocolException(CloseCode.INVALID_PAYLOAD,
                        "text message ends inside a UTF-8 sequence");
            }
            messageStreamed = false;
            messageOpcode = NO_MESSAGE;
            if (textParts != null) {
                textParts.reset();
            }
            if (text) {
                protocol.listener.onTextPart("", true);
            } else {
                protocol.listener.onBinaryPart(ByteBuffer.allocate(0), true);
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
            protocol.listener.onText(message);
        } else if (binary.isReadOnly()) {
            protocol.listener.onBinaryLent(binary);   // only a lent view is read-only: a message of one read
        } else {
            protocol.listener.onBinary(binary);
        }
    }

    private void onControlFrame() {
        if (frameOpcode == Opcode.PING.code()) {
            protocol.answerPing(control, controlLength);
            // A view of the payload, valid during the call: a ping flood allocates nothing per ping.
            protocol.listener.onPing(controlView.clear().limit(controlLength));
        } else if (frameOpcode == Opcode.PONG.code()) {
            // A view too: a flood of unsolicited pongs (RFC 6455 §5.5.3 allows them) allocates nothing.
            protocol.listener.onPong(controlView.clear().limit(controlLength));
        } else {
            protocol.peerClosed(CloseFrames.parse(control, controlLength));
        }
    }

    /** Hands streamed bytes on: binary as they are, text checked and cut at the last whole character. */
    private void streamedPart(byte[] bytes, int offset, int length) {
        if (messageOpcode != Opcode.TEXT.code()) {
            // the inflater reuses its array: the listener gets a copy of its own
            protocol.listener.onBinaryPart(ByteBuffer.wrap(Arrays.copyOfRange(bytes, offset, offset + length)),
                    false);
            return;
        }
        if (utf8().feed(bytes, offset, offset + length) >= 0) {
            throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "text message is not valid UTF-8");
        }
        if (textParts == null) {
            textParts = new TextParts();
        }
        String part = textParts.next(bytes, offset, length);
        if (part != null) {
            protocol.listener.onTextPart(part, false);
        }
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
