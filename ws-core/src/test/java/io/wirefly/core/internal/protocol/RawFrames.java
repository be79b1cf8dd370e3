package io.wirefly.core.internal.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Builds wire frames byte by byte, independently of the encoder under test, including frames that break the rules
 * (RSV bits, reserved opcodes, oversized control frames, non-minimal lengths).
 */
final class RawFrames {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final boolean masked;
    private int key = 0x37fa213d;

    private RawFrames(boolean masked) {
        this.masked = masked;
    }

    /** Frames as a client sends them: masked. */
    static RawFrames fromClient() {
        return new RawFrames(true);
    }

    /** Frames as a server sends them: unmasked. */
    static RawFrames fromServer() {
        return new RawFrames(false);
    }

    RawFrames frame(boolean fin, int rsv, int opcode, byte[] payload) {
        return frame(fin, rsv, opcode, payload, masked);
    }

    RawFrames frame(boolean fin, int rsv, int opcode, byte[] payload, boolean mask) {
        out.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
        int maskBit = mask ? 0x80 : 0;
        int n = payload.length;
        if (n < 126) {
            out.write(maskBit | n);
        } else if (n < 65536) {
            out.write(maskBit | 126);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) n >>> shift));
            }
        }
        writePayload(payload, mask);
        return this;
    }

    /** A frame whose 16-bit extended length encodes a length below 126 (forbidden by RFC 6455 §5.2). */
    RawFrames nonMinimal16(int opcode, byte[] payload) {
        out.write(0x80 | opcode);
        out.write((masked ? 0x80 : 0) | 126);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        writePayload(payload, masked);
        return this;
    }

    RawFrames text(String s) {
        return frame(true, 0, 1, s.getBytes(StandardCharsets.UTF_8));
    }

    RawFrames binary(byte[] b) {
        return frame(true, 0, 2, b);
    }

    RawFrames ping(String s) {
        return frame(true, 0, 9, s.getBytes(StandardCharsets.UTF_8));
    }

    RawFrames close(int code, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] p = new byte[2 + r.length];
        p[0] = (byte) (code >>> 8);
        p[1] = (byte) code;
        System.arraycopy(r, 0, p, 2, r.length);
        return frame(true, 0, 8, p);
    }

    RawFrames raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    ByteBuffer buffer() {
        return ByteBuffer.wrap(bytes());
    }

    private void writePayload(byte[] payload, boolean mask) {
        if (!mask) {
            out.writeBytes(payload);
            return;
        }
        key = key * 1103515245 + 12345;
        byte[] k = {(byte) (key >>> 24), (byte) (key >>> 16), (byte) (key >>> 8), (byte) key};
        out.writeBytes(k);
        for (int i = 0; i < payload.length; i++) {
            out.write(payload[i] ^ k[i & 3]);
        }
    }

    static byte[] hex(String hex) {
        String h = hex.replaceAll("\\s", "");
        byte[] b = new byte[h.length() / 2];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Integer.parseInt(h.substring(2 * i, 2 * i + 2), 16);
        }
        return b;
    }
}
