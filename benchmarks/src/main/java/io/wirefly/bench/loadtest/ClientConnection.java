package io.wirefly.bench.loadtest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * One WebSocket client connection of the load generator: its socket, its handshake progress, an incremental
 * reader of server frames and its pending write. Owned by one {@link ClientEngine}; not thread-safe.
 *
 * <p>The frame reader keeps no payload: it counts a message's bytes and keeps its first 8 bytes (the
 * {@linkplain #prefix() prefix}, where the scenarios put a stamp). Pings are answered with a pong; a close frame
 * or a protocol error closes the socket.
 */
final class ClientConnection {
    enum State { CONNECTING, HANDSHAKE, OPEN, CLOSED }

    private static final int HEADER = 0;
    private static final int LENGTH = 1;
    private static final int PAYLOAD = 2;

    final int id;
    final SocketChannel channel;
    SelectionKey key;
    State state = State.CONNECTING;
    /** Set when the server sent a close frame; the engine then closes the socket. */
    String closeReason;
    /** Whether the load generator sent a close frame: the server's close frame then ends the connection cleanly. */
    boolean closing;
    /** Whether this connection offered permessage-deflate: the server may then set RSV1 on its frames. */
    boolean deflate;
    /** Whether the 101 answer named permessage-deflate (the deflate scenario requires it). */
    boolean deflateAccepted;
    private int extensionMatch;
    private static final byte[] PERMESSAGE_DEFLATE = "permessage-deflate".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII);
    /** The upgrade request, until the TCP connection is established (and the TLS handshake done, for wss). */
    ByteBuffer pendingRequest;
    /** TLS between the socket and the WebSocket bytes (wss), or null (ws). */
    ClientTls tls;

    // Handshake response: bytes seen, the status digits, and how much of CRLF CRLF has matched.
    private int headBytes;
    private int status;
    private int endMatch;

    // Pending output: the buffer being written, and frames queued behind it (rare: pongs, bursts).
    private ByteBuffer out;
    private ArrayDeque<ByteBuffer> queued;

    // Frame reader.
    private int stage = HEADER;
    private int need = 2;
    private long field;
    private int frameOpcode;
    private boolean frameFin;
    private long remaining;
    private int messageOpcode;
    private long messageBytes;
    private long prefix;
    private int prefixBytes;
    private byte[] control;
    private int controlLength;

    /** Scenario state: when the message in flight was sent. */
    long sentAt;
    /** Scenario state: echoes still expected (2 after a stalled message was nudged). */
    int inFlight;
    /** Scenario state: the last stamp received (broadcast rounds). */
    long lastStamp = -1;

    ClientConnection(int id, SocketChannel channel) {
        this.id = id;
        this.channel = channel;
    }

    /** @return the reader's and writer's state, for error messages */
    String describe() {
        return "connection " + id + " " + state + ": stage " + stage + ", need " + need + ", remaining " + remaining
                + ", pending write " + (out == null ? "none" : out.remaining() + " bytes") + ", queued "
                + (queued == null ? 0 : queued.size()) + ", interest " + (key == null ? "-" : key.interestOps());
    }

    /** @return the first 8 bytes of the last complete message, big-endian (fewer bytes: shifted in as read) */
    long prefix() {
        return prefix;
    }

    boolean isOpen() {
        return state == State.OPEN;
    }

    /**
     * Writes {@code frame} now as far as the socket takes it; the rest waits for OP_WRITE. The buffer is not
     * modified: a duplicate is written when the caller's buffer is shared.
     */
    void send(ByteBuffer frame) throws IOException {
        if (out != null) {
            if (queued == null) {
                queued = new ArrayDeque<>();
            }
            queued.add(frame);
            return;
        }
        out = frame;
        flush();
    }

    /** Continues the pending write; arms or disarms OP_WRITE. */
    void flush() throws IOException {
        if (tls != null) {
            flushTls();
            return;
        }
        while (out != null) {
            channel.write(out);
            if (out.hasRemaining()) {
                key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                return;
            }
            out = queued == null ? null : queued.poll();
        }
        if ((key.interestOps() & SelectionKey.OP_WRITE) != 0) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** {@link #flush} over TLS: what is wrapped goes out first, then the next record of the pending write. */
    private void flushTls() throws IOException {
        while (true) {
            ByteBuffer net = tls.netOut();
            if (net.position() > 0) {
                net.flip();
                channel.write(net);
                net.compact();
                if (net.position() > 0) {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
            }
            if (out == null || !tls.handshakeDone()) {
                break;
            }
            tls.wrap(out);
            if (!out.hasRemaining()) {
                out = queued == null ? null : queued.poll();
            }
        }
        if ((key.interestOps() & SelectionKey.OP_WRITE) != 0) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /**
     * Consumes handshake response bytes from {@code in}.
     *
     * @return true once the response head is complete (the position is then at the first frame byte)
     * @throws IOException if the status is not 101
     */
    boolean readHandshake(ByteBuffer in) throws IOException {
        while (in.hasRemaining()) {
            byte b = in.get();
            // "HTTP/1.1 101 ...": the status digits are bytes 9..11.
            if (headBytes >= 9 && headBytes < 12) {
                status = status * 10 + (b - '0');
            }
            headBytes++;
            if (deflate && !deflateAccepted) {
                extensionMatch = b == PERMESSAGE_DEFLATE[extensionMatch] ? extensionMatch + 1
                        : b == PERMESSAGE_DEFLATE[0] ? 1 : 0;
                deflateAccepted = extensionMatch == PERMESSAGE_DEFLATE.length;
            }
            if (headBytes > 16384) {
                throw new IOException("handshake response longer than 16 KiB");
            }
            if (b == '\r') {
                endMatch = endMatch == 2 ? 3 : 1;
            } else if (b == '\n') {
                endMatch = endMatch == 1 ? 2 : endMatch == 3 ? 4 : 0;
            } else {
                endMatch = 0;
            }
            if (endMatch == 4) {
                if (status != 101) {
                    throw new IOException("handshake answered with status " + status);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Consumes frame bytes from {@code in}, reporting each complete data message to {@code listener}.
     *
     * @throws IOException for a frame a server may not send (masked, reserved bits) or a failed pong
     */
    void readFrames(ByteBuffer in, ClientEngine.Listener listener) throws IOException {
        int pos = in.position();
        int limit = in.limit();
        while (pos < limit && closeReason == null) {
            if (stage == PAYLOAD) {
                int take = (int) Math.min(remaining, limit - pos);
                if (frameOpcode >= 8) {
                    for (int i = 0; i < take; i++) {
                        control[controlLength++] = in.get(pos + i);
                    }
                } else {
                    for (int i = 0; i < take && prefixBytes < 8; i++, prefixBytes++) {
                        prefix = (prefix << 8) | (in.get(pos + i) & 0xFF);
                    }
                    messageBytes += take;
                }
                pos += take;
                remaining -= take;
                if (remaining == 0) {
                    frameEnd(listener);
                }
                continue;
            }
            field = (field << 8) | (in.get(pos++) & 0xFF);
            if (--need > 0) {
                continue;
            }
            if (stage == HEADER) {
                int b0 = (int) (field >>> 8);
                int b1 = (int) field & 0xFF;
                int reserved = deflateAccepted ? 0x30 : 0x70;   // RSV1 marks a compressed message
                if ((b0 & reserved) != 0 || (b1 & 0x80) != 0) {
                    throw new IOException("server frame with reserved bits or a mask: " + Integer.toHexString(b0)
                            + " " + Integer.toHexString(b1));
                }
                frameFin = (b0 & 0x80) != 0;
                frameOpcode = b0 & 0x0F;
                int length7 = b1 & 0x7F;
                if (length7 >= 126) {
                    stage = LENGTH;
                    need = length7 == 126 ? 2 : 8;
                    field = 0;
                } else {
                    lengthRead(length7, listener);
                }
            } else {
                lengthRead(field, listener);
            }
        }
        in.position(limit);
    }

    private void lengthRead(long length, ClientEngine.Listener listener) throws IOException {
        remaining = length;
        field = 0;
        if (frameOpcode >= 8) {
            if (length > 125) {
                throw new IOException("control frame of " + length + " bytes");
            }
            if (control == null) {
                control = new byte[125];
            }
            controlLength = 0;
        } else if (frameOpcode != 0) {
            messageOpcode = frameOpcode;
            messageBytes = 0;
            prefix = 0;
            prefixBytes = 0;
        }
        if (length == 0) {
            frameEnd(listener);
        } else {
            stage = PAYLOAD;
        }
    }

    private void frameEnd(ClientEngine.Listener listener) throws IOException {
        stage = HEADER;
        need = 2;
        field = 0;
        switch (frameOpcode) {
            case ClientFrames.PING -> {
                byte[] payload = java.util.Arrays.copyOf(control, controlLength);
                send(ClientFrames.masked(ClientFrames.PONG, payload, 0x5A5A_5A5A));
            }
            case ClientFrames.CLOSE -> closeReason = "server sent a close frame";
            case ClientFrames.PONG -> {
                // Unsolicited pongs are allowed (RFC 6455 §5.5.3) and ignored.
            }
            default -> {
                if (frameFin) {
                    listener.onMessage(this, messageOpcode, messageBytes, prefix);
                }
            }
        }
    }
}
