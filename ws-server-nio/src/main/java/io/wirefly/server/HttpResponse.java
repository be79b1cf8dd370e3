package io.wirefly.server;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A small HTTP response for a plain GET on the WebSocket port, such as the page of a demo. The server adds
 * {@code Content-Length} and {@code Connection: close} and closes the connection after sending it; headers of
 * these names, and {@code Transfer-Encoding}, given here are left out.
 *
 * <pre>{@code
 * HttpHandler page = request -> request.path().equals("/")
 *     ? HttpResponse.of(200, "text/html; charset=utf-8", html)
 *     : HttpResponse.text(404, "not found");
 * }</pre>
 *
 * @param status the status code, 100..599
 * @param headers extra headers (no CR or LF in names or values)
 * @param body the body bytes
 */
public record HttpResponse(int status, Map<String, String> headers, byte[] body) {

    /**
     * @param status the status code, 100..599
     * @param headers extra headers
     * @param body the body bytes
     * @throws IllegalArgumentException for a status out of range or a header with CR or LF
     */
    public HttpResponse {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("status must be 100..599, was " + status);
        }
        headers = Map.copyOf(headers);
        headers.forEach((k, v) -> {
            if ((k + v).indexOf('\r') >= 0 || (k + v).indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + k + " contains CR or LF");
            }
        });
        body = body.clone();
    }

    /**
     * @param status the status code
     * @param contentType the {@code Content-Type}
     * @param body the body
     * @return the response
     */
    public static HttpResponse of(int status, String contentType, byte[] body) {
        return new HttpResponse(status, Map.of("Content-Type", contentType), body);
    }

    /**
     * @param status the status code
     * @param text a plain-text body
     * @return the response
     */
    public static HttpResponse text(int status, String text) {
        return of(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** @return a copy of the body bytes */
    @Override
    public byte[] body() {
        return body.clone();
    }
}
