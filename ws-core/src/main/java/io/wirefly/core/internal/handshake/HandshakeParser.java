package io.wirefly.core.internal.handshake;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental, bounded parser of one HTTP/1.1 head (request or response): feed it bytes as they arrive, in any
 * split; it keeps at most one partial line (never longer than the configured limit) and stops right after the blank
 * line, leaving whatever follows in the caller's buffer for the WebSocket stream. Not thread-safe.
 *
 * <pre>{@code
 * HandshakeParser parser = HandshakeParser.forRequests(config);
 * if (parser.parse(bytes)) {                 // HandshakeException (400, 414, 431) on bad input
 *     HandshakeRequest request = parser.request();
 *     // bytes.remaining() are the first bytes of the WebSocket stream
 * }
 * }</pre>
 */
public final class HandshakeParser {
    private final boolean requests;
    private final int maxStartLine;
    private final int maxHeaderLine;
    private final int maxHeaders;
    private final int maxTotal;

    private byte[] line = new byte[128];
    private int length;
    private int total;
    private String[] startLine;
    private final Headers headers = new Headers();
    private HandshakeRequest request;
    private HandshakeResponse response;

    private HandshakeParser(boolean requests, WebSocketConfig config) {
        this.requests = requests;
        this.maxStartLine = config.maxRequestLineLength();
        this.maxHeaderLine = config.maxHeaderLineLength();
        this.maxHeaders = config.maxHeaderCount();
        this.maxTotal = config.maxHandshakeSize();
    }

    /**
     * @param config the handshake limits
     * @return a parser of request heads (server side)
     */
    public static HandshakeParser forRequests(WebSocketConfig config) {
        return new HandshakeParser(true, config);
    }

    /**
     * @param config the handshake limits
     * @return a parser of response heads (client side)
     */
    public static HandshakeParser forResponses(WebSocketConfig config) {
        return new HandshakeParser(false, config);
    }

    /**
     * Consumes bytes up to and including the blank line that ends the head.
     *
     * @param in received bytes; on return its position is after the head (or at its limit if the head is not
     *     complete yet)
     * @return true once the head is complete
     * @throws HandshakeException 400 for malformed input, 414 for a request line over {@code maxRequestLineLength},
     *     431 for a header line over {@code maxHeaderLineLength}, more than {@code maxHeaderCount} headers or a head
     *     over {@code maxHandshakeSize}
     */
    public boolean parse(ByteBuffer in) {
        if (isComplete()) {
            return true;
        }
        while (in.hasRemaining()) {
            byte b = in.get();
            if (++total > maxTotal) {
                throw new HandshakeException(requests ? 431 : 0,
                        "handshake head exceeds maxHandshakeSize (" + maxTotal + " bytes)");
            }
            if (b == '\n') {
                int end = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
                length = 0;
                if (onLine(end)) {
                    return true;
                }
                continue;
            }
            int limit = startLine == null ? maxStartLine : maxHeaderLine;
            if (length >= limit + 1) {   // + 1 leaves room for the CR of a line exactly at the limit
                if (startLine == null) {
                    throw new HandshakeException(requests ? 414 : 0,
                            (requests ? "request" : "status") + " line exceeds maxRequestLineLength (" + limit
                                    + " bytes)");
                }
                throw new HandshakeException(requests ? 431 : 0,
                        "header line exceeds maxHeaderLineLength (" + limit + " bytes)");
            }
            if (length == line.length) {
                line = Arrays.copyOf(line, Math.min(line.length * 2, limit + 1));
            }
            line[length++] = b;
        }
        return false;
    }

    /** @return the request, once {@link #parse} returned true for a request parser */
    public HandshakeRequest request() {
        return request;
    }

    /** @return the response, once {@link #parse} returned true for a response parser */
    public HandshakeResponse response() {
        return response;
    }

    private boolean isComplete() {
        return request != null || response != null;
    }

    /** Handles one line without its line ending; returns true when it was the blank line that ends the head. */
    private boolean onLine(int end) {
        int status = requests ? 400 : 0;
        for (int i = 0; i < end; i++) {
            int c = line[i] & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new HandshakeException(status, "control character in the handshake head");
            }
        }
        int limit = startLine == null ? maxStartLine : maxHeaderLine;
        if (end > limit) {
            throw new HandshakeException(requests ? (startLine == null ? 414 : 431) : 0,
                    (startLine == null ? "request line exceeds maxRequestLineLength (" : "header line exceeds "
                            + "maxHeaderLineLength (") + limit + " bytes)");
        }
        String text = new String(line, 0, end, StandardCharsets.ISO_8859_1);
        if (startLine == null) {
            if (text.isEmpty()) {
                return false;   // RFC 9112 §2.2: ignore empty lines before the start line
            }
            startLine = startLine(text);
            return false;
        }
        if (text.isEmpty()) {
            finish();
            return true;
        }
        if (text.charAt(0) == ' ' || text.charAt(0) == '\t') {
            throw new HandshakeException(status, "obsolete line folding in header " + headers.size());
        }
        int colon = text.indexOf(':');
        if (colon <= 0 || !isToken(text, 0, colon)) {
            throw new HandshakeException(status, "malformed header line");
        }
        if (headers.size() >= maxHeaders) {
            throw new HandshakeException(requests ? 431 : 0, "more than maxHeaderCount (" + maxHeaders + ") headers");
        }
        headers.add(text.substring(0, colon), text.substring(colon + 1).strip());
        return false;
    }

    private String[] startLine(String text) {
        String[] parts = text.split(" ", 3);
        if (requests) {
            if (parts.length != 3 || !isToken(parts[0], 0, parts[0].length()) || parts[1].isEmpty()
                    || parts[2].contains(" ") || !isVersion(parts[2])) {
                throw new HandshakeException(400, "malformed request line");
            }
        } else if (parts.length < 2 || !isVersion(parts[0]) || !parts[1].matches("[1-5][0-9][0-9]")) {
            throw new HandshakeException(0, "malformed status line: " + text);
        }
        return parts;
    }

    private void finish() {
        if (requests) {
            String target = startLine[1];
            String pathAndQuery = target;
            if (!target.startsWith("/")) {
                // Absolute form (RFC 9112 §3.2.2): http://host:port/path?query
                int scheme = target.indexOf("://");
                if (scheme < 0) {
                    throw new HandshakeException(400, "malformed request target");
                }
                int slash = target.indexOf('/', scheme + 3);
                pathAndQuery = slash < 0 ? "/" : target.substring(slash);
            }
            int q = pathAndQuery.indexOf('?');
            String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
            String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
            request = new HandshakeRequest(startLine[0], target, path, query, startLine[2], headers);
        } else {
            response = new HandshakeResponse(startLine[0], Integer.parseInt(startLine[1]),
                    startLine.length > 2 ? startLine[2] : "", headers);
        }
        line = null;   // nothing more to hold
    }

    private static boolean isVersion(String s) {
        return s.matches("HTTP/[0-9]\\.[0-9]");
    }

    /** RFC 9110 §5.6.2: token = 1*tchar. */
    private static boolean isToken(String s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
