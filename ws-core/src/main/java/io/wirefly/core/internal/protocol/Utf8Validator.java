package io.wirefly.core.internal.protocol;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * An incremental UTF-8 validator: a deterministic finite automaton whose state survives from one
 * {@link #feed} to the next, so a text message can be checked fragment by fragment and chunk by chunk, with code
 * points split anywhere.
 *
 * <p>RFC 6455 §8.1: "When an endpoint is to interpret a byte stream as UTF-8 but finds that the byte stream is
 * not, in fact, a valid UTF-8 stream, that endpoint MUST _Fail the WebSocket Connection_." Valid means RFC 3629
 * UTF-8: no overlong forms (C0, C1, E0 80..9F, F0 80..8F), no surrogates (ED A0..BF), nothing above U+10FFFF
 * (F4 90..BF, F5..FF). The validator fails at the first byte after which no continuation could be valid, so a
 * connection can be failed as soon as that byte arrives, even in the middle of a code point split across frames.
 *
 * <p>Runs of ASCII are skipped eight bytes at a time. Not thread-safe; one instance per connection, reused
 * across messages with {@link #reset()}. Allocates nothing.
 *
 * <pre>{@code
 * Utf8Validator utf8 = new Utf8Validator();
 * if (utf8.feed(fragment, fragment.position(), fragment.limit()) >= 0) {
 *     throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "invalid UTF-8 in a text message");
 * }
 * if (finalFragment && !utf8.isComplete()) {
 *     throw new ProtocolException(CloseCode.INVALID_PAYLOAD, "text message ends inside a code point");
 * }
 * utf8.reset();
 * }</pre>
 */
public final class Utf8Validator {
    /** Reads eight array bytes at once, to test them for ASCII together; the byte order does not matter. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.nativeOrder());
    private static final long NON_ASCII_BITS = 0x8080_8080_8080_8080L;

    // Byte classes: which bytes may follow depends only on the class of the current byte.
    private static final int ASCII = 0;           // 00..7F
    private static final int CONT_80_8F = 1;      // continuation bytes, split three ways by the lead bytes' limits
    private static final int CONT_90_9F = 2;
    private static final int CONT_A0_BF = 3;
    private static final int LEAD_2 = 4;          // C2..DF
    private static final int LEAD_E0 = 5;         // E0: second byte A0..BF (else overlong)
    private static final int LEAD_3 = 6;          // E1..EC, EE..EF
    private static final int LEAD_ED = 7;         // ED: second byte 80..9F (else a surrogate, U+D800..U+DFFF)
    private static final int LEAD_F0 = 8;         // F0: second byte 90..BF (else overlong)
    private static final int LEAD_4 = 9;          // F1..F3
    private static final int LEAD_F4 = 10;        // F4: second byte 80..8F (else above U+10FFFF)
    private static final int NEVER = 11;          // C0, C1, F5..FF: never valid
    private static final int CLASS_COUNT = 12;

    // States, each multiplied by CLASS_COUNT so that state + class indexes TRANSITIONS directly.
    private static final int ACCEPT = 0;                       // between code points
    private static final int REJECT = CLASS_COUNT;             // invalid; absorbing
    private static final int NEED_1 = 2 * CLASS_COUNT;         // one more continuation byte, any
    private static final int NEED_2 = 3 * CLASS_COUNT;         // two more, the next any
    private static final int NEED_3 = 4 * CLASS_COUNT;         // three more, the next any
    private static final int AFTER_E0 = 5 * CLASS_COUNT;       // two more, the next A0..BF
    private static final int AFTER_ED = 6 * CLASS_COUNT;       // two more, the next 80..9F
    private static final int AFTER_F0 = 7 * CLASS_COUNT;       // three more, the next 90..BF
    private static final int AFTER_F4 = 8 * CLASS_COUNT;       // three more, the next 80..8F
    private static final int STATE_COUNT = 9;

    private static final byte[] CLASSES = new byte[256];
    private static final byte[] TRANSITIONS = new byte[STATE_COUNT * CLASS_COUNT];

    static {
        classify(0x00, 0x7F, ASCII);
        classify(0x80, 0x8F, CONT_80_8F);
        classify(0x90, 0x9F, CONT_90_9F);
        classify(0xA0, 0xBF, CONT_A0_BF);
        classify(0xC0, 0xC1, NEVER);
        classify(0xC2, 0xDF, LEAD_2);
        classify(0xE0, 0xE0, LEAD_E0);
        classify(0xE1, 0xEC, LEAD_3);
        classify(0xED, 0xED, LEAD_ED);
        classify(0xEE, 0xEF, LEAD_3);
        classify(0xF0, 0xF0, LEAD_F0);
        classify(0xF1, 0xF3, LEAD_4);
        classify(0xF4, 0xF4, LEAD_F4);
        classify(0xF5, 0xFF, NEVER);

        Arrays.fill(TRANSITIONS, (byte) REJECT);
        on(ACCEPT, ASCII, ACCEPT);
        on(ACCEPT, LEAD_2, NEED_1);
        on(ACCEPT, LEAD_E0, AFTER_E0);
        on(ACCEPT, LEAD_3, NEED_2);
        on(ACCEPT, LEAD_ED, AFTER_ED);
        on(ACCEPT, LEAD_F0, AFTER_F0);
        on(ACCEPT, LEAD_4, NEED_3);
        on(ACCEPT, LEAD_F4, AFTER_F4);
        for (int cont = CONT_80_8F; cont <= CONT_A0_BF; cont++) {
            on(NEED_1, cont, ACCEPT);
            on(NEED_2, cont, NEED_1);
            on(NEED_3, cont, NEED_2);
        }
        on(AFTER_E0, CONT_A0_BF, NEED_1);
        on(AFTER_ED, CONT_80_8F, NEED_1);
        on(AFTER_ED, CONT_90_9F, NEED_1);
        on(AFTER_F0, CONT_90_9F, NEED_2);
        on(AFTER_F0, CONT_A0_BF, NEED_2);
        on(AFTER_F4, CONT_80_8F, NEED_2);
    }

    private static void classify(int first, int last, int byteClass) {
        for (int b = first; b <= last; b++) {
            CLASSES[b] = (byte) byteClass;
        }
    }

    private static void on(int state, int byteClass, int next) {
        TRANSITIONS[state + byteClass] = (byte) next;
    }

    private int state = ACCEPT;

    /** Creates a validator at the start of a text. */
    public Utf8Validator() {
    }

    /**
     * Validates the bytes {@code buf[from, to)}, continuing from the previous calls.
     *
     * @param buf the bytes, heap or direct; its position, limit and order are not used or changed
     * @param from the absolute index of the first byte
     * @param to the absolute index after the last byte, at most {@code buf.limit()}
     * @return -1 if the text is valid so far (the last code point may still be incomplete: see
     *     {@link #isComplete()}); otherwise the absolute index in {@code buf} of the first byte that made the text
     *     invalid. Once invalid, the validator stays so until {@link #reset()}, and every later call returns its
     *     {@code from}.
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= buf.limit()}
     */
    public int feed(ByteBuffer buf, int from, int to) {
        Objects.checkFromToIndex(from, to, buf.limit());
        if (buf.hasArray()) {
            int base = buf.arrayOffset();
            int error = feed(buf.array(), base + from, base + to);
            return error < 0 ? error : error - base;
        }
        int s = state;
        if (s == REJECT) {
            return from;
        }
        int i = from;
        while (i < to) {
            if (s == ACCEPT) {
                while (i < to - 7 && (buf.getLong(i) & NON_ASCII_BITS) == 0) {
                    i += 8;
                }
                while (i < to && buf.get(i) >= 0) {
                    i++;
                }
                if (i == to) {
                    break;
                }
            }
            s = TRANSITIONS[s + CLASSES[buf.get(i) & 0xFF]];
            if (s == REJECT) {
                state = REJECT;
                return i;
            }
            i++;
        }
        state = s;
        return -1;
    }

    /**
     * Validates the bytes {@code bytes[from, to)}, continuing from the previous calls.
     *
     * @param bytes the bytes
     * @param from the index of the first byte
     * @param to the index after the last byte
     * @return -1 if the text is valid so far (the last code point may still be incomplete: see
     *     {@link #isComplete()}); otherwise the index in {@code bytes} of the first byte that made the text
     *     invalid. Once invalid, the validator stays so until {@link #reset()}, and every later call returns its
     *     {@code from}.
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= bytes.length}
     */
    public int feed(byte[] bytes, int from, int to) {
        Objects.checkFromToIndex(from, to, bytes.length);
        int s = state;
        if (s == REJECT) {
            return from;
        }
        int i = from;
        while (i < to) {
            if (s == ACCEPT) {
                // Between code points: skip ASCII, eight bytes at a time while no byte has its top bit set.
                while (i < to - 7 && ((long) LONGS.get(bytes, i) & NON_ASCII_BITS) == 0) {
                    i += 8;
                }
                while (i < to && bytes[i] >= 0) {
                    i++;
                }
                if (i == to) {
                    break;
                }
            }
            s = TRANSITIONS[s + CLASSES[bytes[i] & 0xFF]];
            if (s == REJECT) {
                state = REJECT;
                return i;
            }
            i++;
        }
        state = s;
        return -1;
    }

    /**
     * @return true if every byte fed since the last {@link #reset()} was valid and the last code point is
     *     complete: a text message may end here
     */
    public boolean isComplete() {
        return state == ACCEPT;
    }

    /** Forgets all bytes fed so far (and any error), ready for the next text. */
    public void reset() {
        state = ACCEPT;
    }

    /**
     * Checks a complete text in one call.
     *
     * @param bytes the bytes
     * @param from the index of the first byte
     * @param to the index after the last byte
     * @return true if {@code bytes[from, to)} is valid UTF-8 and ends on a code point boundary
     * @throws IndexOutOfBoundsException unless {@code 0 <= from <= to <= bytes.length}
     */
    public static boolean isValid(byte[] bytes, int from, int to) {
        Utf8Validator validator = new Utf8Validator();
        return validator.feed(bytes, from, to) < 0 && validator.isComplete();
    }
}
