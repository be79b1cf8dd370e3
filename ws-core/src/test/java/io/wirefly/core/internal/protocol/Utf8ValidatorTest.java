package io.wirefly.core.internal.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8ValidatorTest {
    private static final HexFormat HEX = HexFormat.of();

    /** Valid UTF-8 (RFC 3629 §3, §4), covering the first and last code point of every encoding length. */
    private static final String[] VALID = {
        "",
        "48656c6c6f2c20776f726c6421",             // "Hello, world!"
        "cebae1bdb9cf83cebcceb5",                 // "κόσμε", the text of Autobahn case 6.2
        "00", "7f",                               // U+0000, U+007F
        "c280", "dfbf",                           // U+0080, U+07FF
        "e0a080", "ed9fbf", "ee8080", "efbfbf",   // U+0800, U+D7FF, U+E000, U+FFFF
        "f0908080", "f48fbfbf",                   // U+10000, U+10FFFF
        "f09d849e",                               // U+1D11E MUSICAL SYMBOL G CLEF
        "e282ac" + "41".repeat(17) + "c3a9",      // "€", a long ASCII run, "é"
    };

    /** Invalid UTF-8 and the index of the first byte after which no continuation could make it valid. */
    private static final Object[][] INVALID = {
        {"80", 0},                          // a lone continuation byte
        {"bf", 0},
        {"4180", 1},
        {"c080", 0},                        // C0 and C1 only ever start overlong forms
        {"c1bf", 0},
        {"e08080", 1},                      // overlong 3-byte form of U+0000
        {"e09fbf", 1},                      // overlong 3-byte form of U+07FF
        {"f0808080", 1},                    // overlong 4-byte form
        {"f08fbfbf", 1},                    // overlong 4-byte form of U+FFFF
        {"eda080", 1},                      // U+D800, a surrogate (RFC 3629 §3)
        {"edbfbf", 1},                      // U+DFFF
        {"f4908080", 1},                    // U+110000, above the Unicode range
        {"f5808080", 0},                    // F5..FF never appear
        {"f8", 0},
        {"fe", 0},
        {"ff", 0},
        {"c241", 1},                        // a truncated 2-byte sequence followed by ASCII
        {"e18041", 2},                      // a truncated 3-byte sequence
        {"f1808041", 3},                    // a truncated 4-byte sequence
        {"c2c280", 1},                      // a lead byte where a continuation byte belongs
        {"e282ac80", 3},                    // one continuation byte too many
        // Autobahn 6.4.1-style: valid text, then a code point above U+10FFFF; fail at 90, not at the end
        {"cebae1bdb9cf83cebcceb5f4908080656469746564", 12},
        // Autobahn 6.4.3-style: valid text, then a surrogate; fail at A0
        {"cebae1bdb9cf83cebcceb5eda080656469746564", 12},
    };

    /** Valid so far but ending inside a code point. */
    private static final String[] TRUNCATED = {"c2", "e0", "e0a0", "ed9f", "f0", "f090", "f09080", "f48fbf",
        "41c3"};

    private static int feedAll(byte[] bytes) {
        return new Utf8Validator().feed(bytes, 0, bytes.length);
    }

    @Test
    void acceptsValidText() {
        for (String hex : VALID) {
            byte[] bytes = HEX.parseHex(hex);
            Utf8Validator validator = new Utf8Validator();
            assertEquals(-1, validator.feed(bytes, 0, bytes.length), hex);
            assertTrue(validator.isComplete(), hex);
            assertTrue(Utf8Validator.isValid(bytes, 0, bytes.length), hex);
        }
    }

    @Test
    void rejectsInvalidTextAtTheFirstBadByte() {
        for (Object[] vector : INVALID) {
            byte[] bytes = HEX.parseHex((String) vector[0]);
            Utf8Validator validator = new Utf8Validator();
            assertEquals(vector[1], validator.feed(bytes, 0, bytes.length), (String) vector[0]);
            assertFalse(validator.isComplete());
            assertFalse(Utf8Validator.isValid(bytes, 0, bytes.length), (String) vector[0]);
        }
    }

    @Test
    void truncatedTextIsValidSoFarButNotComplete() {
        for (String hex : TRUNCATED) {
            byte[] bytes = HEX.parseHex(hex);
            Utf8Validator validator = new Utf8Validator();
            assertEquals(-1, validator.feed(bytes, 0, bytes.length), hex);
            assertFalse(validator.isComplete(), hex);
            assertFalse(Utf8Validator.isValid(bytes, 0, bytes.length), hex);
        }
    }

    @Test
    void everyCodePointEncodesToValidText() {
        Utf8Validator validator = new Utf8Validator();
        for (int cp = 0; cp <= 0x10FFFF; cp++) {
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                continue;
            }
            byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
            assertEquals(-1, validator.feed(bytes, 0, bytes.length), Integer.toHexString(cp));
            assertTrue(validator.isComplete(), Integer.toHexString(cp));
        }
    }

    @Test
    void staysFailedUntilReset() {
        Utf8Validator validator = new Utf8Validator();
        byte[] bad = HEX.parseHex("41ff42");
        assertEquals(1, validator.feed(bad, 0, 3));
        byte[] good = HEX.parseHex("4142");
        assertEquals(0, validator.feed(good, 0, 2), "a failed validator reports the first byte of each feed");
        assertEquals(1, validator.feed(good, 1, 1));
        assertFalse(validator.isComplete());
        validator.reset();
        assertEquals(-1, validator.feed(good, 0, 2));
        assertTrue(validator.isComplete());
    }

    @Test
    void resetForgetsAPartialCodePoint() {
        Utf8Validator validator = new Utf8Validator();
        assertEquals(-1, validator.feed(HEX.parseHex("e2"), 0, 1));
        validator.reset();
        assertTrue(validator.isComplete());
        assertEquals(-1, validator.feed(HEX.parseHex("41"), 0, 1));
        assertTrue(validator.isComplete());
    }

    @Test
    void givesTheSameAnswerForEverySplitIntoTwoFeeds() {
        String[] all = new String[VALID.length + INVALID.length];
        System.arraycopy(VALID, 0, all, 0, VALID.length);
        for (int i = 0; i < INVALID.length; i++) {
            all[VALID.length + i] = (String) INVALID[i][0];
        }
        for (String hex : all) {
            byte[] bytes = HEX.parseHex(hex);
            Utf8Validator whole = new Utf8Validator();
            int expected = whole.feed(bytes, 0, bytes.length);
            for (int split = 0; split <= bytes.length; split++) {
                Utf8Validator validator = new Utf8Validator();
                int error = validator.feed(bytes, 0, split);
                if (error < 0) {
                    error = validator.feed(bytes, split, bytes.length);
                } else {
                    assertEquals(expected, error, hex + " split " + split);
                    assertTrue(error < split, "an error is reported in the feed that holds the bad byte");
                    continue;
                }
                assertEquals(expected, error, hex + " split " + split);
                assertTrue(expected < 0 || expected >= split, "an error is reported in the feed that holds it");
                assertEquals(whole.isComplete(), validator.isComplete(), hex + " split " + split);
            }
        }
    }

    @Test
    void reportsAbsoluteIndicesForHeapDirectAndSlicedBuffers() {
        for (Object[] vector : INVALID) {
            byte[] bytes = HEX.parseHex((String) vector[0]);
            int expected = (int) vector[1];
            byte[] padded = new byte[bytes.length + 13];
            System.arraycopy(bytes, 0, padded, 5, bytes.length);
            ByteBuffer heap = ByteBuffer.wrap(padded);
            ByteBuffer direct = ByteBuffer.allocateDirect(padded.length).put(padded).clear();
            ByteBuffer sliced = ByteBuffer.wrap(padded, 2, padded.length - 2).slice();     // arrayOffset 2
            ByteBuffer readOnly = heap.asReadOnlyBuffer();                                 // no array access
            for (ByteBuffer buf : new ByteBuffer[] {heap, direct, readOnly}) {
                buf.position(1).limit(padded.length - 1);
                Utf8Validator validator = new Utf8Validator();
                assertEquals(5 + expected, validator.feed(buf, 5, 5 + bytes.length), vector[0] + " " + buf);
                assertEquals(1, buf.position(), "position untouched");
            }
            assertEquals(3 + expected, new Utf8Validator().feed(sliced, 3, 3 + bytes.length), (String) vector[0]);
        }
        for (String hex : VALID) {
            byte[] bytes = HEX.parseHex(hex);
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length + 3).put(bytes).clear();
            Utf8Validator validator = new Utf8Validator();
            for (int split = 0; split <= bytes.length; split++) {
                validator.reset();
                assertEquals(-1, validator.feed(direct, 0, split), hex);
                assertEquals(-1, validator.feed(direct, split, bytes.length), hex);
                assertTrue(validator.isComplete(), hex + " split " + split);
            }
        }
    }

    @Test
    void checksBounds() {
        Utf8Validator validator = new Utf8Validator();
        assertThrows(IndexOutOfBoundsException.class, () -> validator.feed(new byte[4], 0, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> validator.feed(new byte[4], 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> validator.feed(ByteBuffer.allocate(8).limit(4), 0, 5));
        assertThrows(IndexOutOfBoundsException.class, () -> Utf8Validator.isValid(new byte[4], -1, 2));
    }

    /**
     * 100,000 seeded random byte strings, half of them made of random code points and then damaged with some
     * probability, half of raw bytes biased towards 0x80..0xFF, against the JDK's UTF-8 decoder: the same verdict,
     * the error at the first byte where the text stops being a prefix of any valid text, and the same verdict
     * for a random split into two feeds.
     */
    @Test
    void agreesWithTheJdkDecoderOnRandomText() {
        Random random = new Random(0x6455_2011L);
        CharsetDecoder jdk = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int valid = 0;
        int invalid = 0;
        for (int n = 0; n < 100_000; n++) {
            byte[] bytes = n % 2 == 0 ? damagedText(random) : biasedBytes(random);
            Utf8Validator validator = new Utf8Validator();
            int error = validator.feed(bytes, 0, bytes.length);
            boolean ours = error < 0 && validator.isComplete();
            boolean theirs = jdkValid(jdk, bytes, bytes.length);
            String what = HEX.formatHex(bytes);
            assertEquals(theirs, ours, what);
            assertEquals(ours, Utf8Validator.isValid(bytes, 0, bytes.length), what);
            if (error < 0) {
                assertTrue(validPrefix(jdk, bytes, bytes.length), what);
            } else {
                assertTrue(validPrefix(jdk, bytes, error), "bytes before the error are a valid prefix: " + what);
                assertFalse(validPrefix(jdk, bytes, error + 1), "the error byte makes it invalid: " + what);
            }
            int split = random.nextInt(bytes.length + 1);
            Utf8Validator twoFeeds = new Utf8Validator();
            int splitError = twoFeeds.feed(bytes, 0, split);
            if (splitError < 0) {
                splitError = twoFeeds.feed(bytes, split, bytes.length);
            }
            assertEquals(error, splitError, what + " split " + split);
            if (ours) {
                valid++;
            } else {
                invalid++;
            }
        }
        assertTrue(valid > 20_000 && invalid > 20_000, "valid " + valid + ", invalid " + invalid);
    }

    /** Random code points (all lengths, near the edges often), then maybe one byte replaced, dropped or added. */
    private static byte[] damagedText(Random random) {
        StringBuilder text = new StringBuilder();
        int count = random.nextInt(6);
        int[] edges = {0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFF, 0x10000, 0x10FFFF};
        for (int i = 0; i < count; i++) {
            int cp = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                case 2 -> 0x800 + random.nextInt(0x10000 - 0x800);
                case 3 -> 0x10000 + random.nextInt(0x110000 - 0x10000);
                default -> edges[random.nextInt(edges.length)];
            };
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            text.appendCodePoint(cp);
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || random.nextInt(3) == 0) {
            return bytes;
        }
        int at = random.nextInt(bytes.length);
        return switch (random.nextInt(3)) {
            case 0 -> {
                bytes[at] = (byte) (0x80 + random.nextInt(0x80));
                yield bytes;
            }
            case 1 -> {
                byte[] shorter = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, shorter, 0, at);
                System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                yield shorter;
            }
            default -> {
                byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
                longer[bytes.length] = (byte) (0x80 + random.nextInt(0x80));
                yield longer;
            }
        };
    }

    /** 0 to 7 bytes, three in four of them in 0x80..0xFF. */
    private static byte[] biasedBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(8)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(0x80) : 0x80 + random.nextInt(0x80));
        }
        return bytes;
    }

    private static boolean jdkValid(CharsetDecoder jdk, byte[] bytes, int length) {
        // decode(in, out, true) reports errors as results; cheaper than the exceptions of decode(in).
        CharBuffer out = CharBuffer.allocate(2 * length + 2);
        jdk.reset();
        CoderResult result = jdk.decode(ByteBuffer.wrap(bytes, 0, length), out, true);
        if (result.isError()) {
            return false;
        }
        assertTrue(result.isUnderflow(), result.toString());
        return !jdk.flush(out).isError();
    }

    /**
     * Whether {@code bytes[0, length)} can be completed into valid UTF-8: it is valid, or becomes valid by
     * appending one to three continuation bytes. Only the first appended byte is constrained beyond 80..BF, so
     * trying one representative of each continuation range (80..8F, 90..9F, A0..BF) is enough.
     */
    private static boolean validPrefix(CharsetDecoder jdk, byte[] bytes, int length) {
        if (jdkValid(jdk, bytes, length)) {
            return true;
        }
        for (int extra = 1; extra <= 3; extra++) {
            for (int first : new int[] {0x80, 0x90, 0xA0}) {
                byte[] completed = Arrays.copyOf(bytes, length + extra);
                Arrays.fill(completed, length, length + extra, (byte) 0x80);
                completed[length] = (byte) first;
                if (jdkValid(jdk, completed, completed.length)) {
                    return true;
                }
            }
        }
        return false;
    }
}
