package io.wirefly.core.internal.protocol;

import io.wirefly.core.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records every event as a short string, and every outbound frame of the protocols bound to it (drained when
 * {@link #frames()} or {@link #kinds()} is read), so tests can assert exact sequences.
 */
class RecordingListener implements ProtocolListener {
    final List<String> events = new ArrayList<>();
    private final List<ByteBuffer> frames = new ArrayList<>();
    private final List<OutboundKind> kinds = new ArrayList<>();
    private final List<Protocol> bound = new ArrayList<>();
    final List<String> texts = new ArrayList<>();
    final List<byte[]> binaries = new ArrayList<>();
    ProtocolException error;
    int closedCode = -1;
    String closedReason;
    int closedCalls;

    @Override
    public void onText(String text) {
        texts.add(text);
        events.add("text:" + (text.length() > 40 ? text.length() + " chars" : text));
    }

    @Override
    public void onBinary(ByteBuffer data) {
        byte[] b = new byte[data.remaining()];
        data.get(b);
        binaries.add(b);
        events.add("binary:" + b.length);
    }

    @Override
    public void onTextPart(String part, boolean last) {
        texts.add(part);
        events.add("textpart:" + part + (last ? ":last" : ""));
    }

    @Override
    public void onBinaryPart(ByteBuffer part, boolean last) {
        byte[] b = new byte[part.remaining()];
        part.get(b);
        binaries.add(b);
        events.add("part:" + b.length + (last ? ":last" : ""));
    }

    @Override
    public void onPing(ByteBuffer payload) {
        events.add("ping:" + StandardCharsets.UTF_8.decode(payload));
    }

    @Override
    public void onPong(ByteBuffer payload) {
        events.add("pong:" + StandardCharsets.UTF_8.decode(payload));
    }

    /** Drains {@code p}'s outbound frames into this recorder whenever they are read. */
    Protocol bind(Protocol p) {
        bound.add(p);
        return p;
    }

    /** @return every frame the bound protocols produced so far (a live list: tests may clear it) */
    List<ByteBuffer> frames() {
        drain();
        return frames;
    }

    /** @return the kinds of {@link #frames()}, in the same order */
    List<OutboundKind> kinds() {
        drain();
        return kinds;
    }

    private void drain() {
        for (Protocol p : bound) {
            p.drainOutbound((frame, kind, tag) -> {
                frames.add(frame);
                kinds.add(kind);
            });
        }
    }

    @Override
    public void onProtocolError(ProtocolException e) {
        error = e;
        events.add("error:" + e.closeCode().code());
    }

    @Override
    public void onClosed(int code, String reason) {
        closedCalls++;
        closedCode = code;
        closedReason = reason;
        events.add("closed:" + code);
    }

    /** The close code carried by the last outbound frame, which must be a close frame. */
    int lastSentCloseCode() {
        List<ByteBuffer> all = frames();
        ByteBuffer f = all.get(all.size() - 1).duplicate();
        int b0 = f.get() & 0xFF;
        if ((b0 & 0x0F) != 8) {
            throw new AssertionError("last outbound frame is not a close frame, opcode " + (b0 & 0x0F));
        }
        int b1 = f.get() & 0xFF;
        int len = b1 & 0x7F;
        byte[] key = new byte[4];
        if ((b1 & 0x80) != 0) {
            f.get(key);
        }
        if (len == 0) {
            return 1005;
        }
        int hi = (f.get() ^ key[0]) & 0xFF;
        int lo = (f.get() ^ key[1]) & 0xFF;
        return hi << 8 | lo;
    }
}
