package io.wirefly.core.internal.handshake;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class AcceptKeyTest {

    @Test
    void rfc6455_4_2_2_example() {
        // RFC 6455 §4.2.2 (and §1.3): key "dGhlIHNhbXBsZSBub25jZQ==" answers "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        assertEquals("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", AcceptKey.of("dGhlIHNhbXBsZSBub25jZQ=="));
    }

    @Test
    void anotherKeyComputedIndependently() {
        // printf '%s' 'x3JJHMbDL1EzLkh9GBhXDw==258EAFA5-E914-47DA-95CA-C5AB0DC85B11' | openssl sha1 -binary | base64
        assertEquals("HSmrc0sMlYUkAGmm5OPpG2HaGWk=", AcceptKey.of("x3JJHMbDL1EzLkh9GBhXDw=="));
    }
}
