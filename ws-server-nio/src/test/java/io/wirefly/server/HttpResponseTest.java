package io.wirefly.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Status range, header injection, the body copied in and out, and the two factories. */
class HttpResponseTest {

    @Test
    void statusMustBe100To599() {
        assertEquals("status must be 100..599, was 99", assertThrows(IllegalArgumentException.class,
                () -> new HttpResponse(99, Map.of(), new byte[0])).getMessage());
        assertEquals("status must be 100..599, was 600", assertThrows(IllegalArgumentException.class,
                () -> HttpResponse.text(600, "x")).getMessage());
        assertEquals(100, new HttpResponse(100, Map.of(), new byte[0]).status());
        assertEquals(599, new HttpResponse(599, Map.of(), new byte[0]).status());
    }

    @Test
    void headersWithCrOrLfAreRejectedByName() {
        assertEquals("header X-A contains CR or LF", assertThrows(IllegalArgumentException.class,
                () -> new HttpResponse(200, Map.of("X-A", "1\r\nSet-Cookie: evil=1"), new byte[0])).getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new HttpResponse(200, Map.of("X-A", "line\nbreak"), new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> new HttpResponse(200, Map.of("X\r\nB", "1"), new byte[0]));
        assertThrows(IllegalArgumentException.class,
                () -> HttpResponse.of(200, "text/html\r\nX-Evil: 1", new byte[0]));
    }

    @Test
    void theBodyAndHeadersAreCopiedInAndOut() {
        byte[] body = {1, 2, 3};
        Map<String, String> headers = new HashMap<>(Map.of("X-A", "1"));
        HttpResponse r = new HttpResponse(200, headers, body);
        body[0] = 9;
        headers.put("X-B", "2");
        assertArrayEquals(new byte[] {1, 2, 3}, r.body());
        assertEquals(Map.of("X-A", "1"), r.headers());
        r.body()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, r.body());
        assertThrows(UnsupportedOperationException.class, () -> r.headers().put("X-C", "3"));
    }

    @Test
    void theFactoriesSetTheContentType() {
        HttpResponse page = HttpResponse.of(201, "text/html", new byte[] {'<'});
        assertEquals(201, page.status());
        assertEquals(Map.of("Content-Type", "text/html"), page.headers());
        HttpResponse text = HttpResponse.text(404, "caf\u00e9");
        assertEquals(Map.of("Content-Type", "text/plain; charset=utf-8"), text.headers());
        assertArrayEquals("caf\u00e9".getBytes(StandardCharsets.UTF_8), text.body());
    }
}
