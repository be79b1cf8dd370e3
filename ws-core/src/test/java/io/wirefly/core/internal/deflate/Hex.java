package io.wirefly.core.internal.deflate;

import java.util.HexFormat;

/** Hex vectors for the tests, written as in the RFC ("f2 48 cd"). */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    static String of(byte[] bytes, int offset, int length) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes, offset, offset + length);
    }
}
