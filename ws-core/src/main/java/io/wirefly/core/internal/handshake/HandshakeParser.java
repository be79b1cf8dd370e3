package io.wirefly.core.internal.handshake;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.WebSocketConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads one HTTP/1.1 head (start line, header fields, blank line; RFC 9112 §2.1) from bytes that arrive in pieces
 * of any size, down to one byte at a time. It never reads past the blank line: whatever follows is the start of
 * the WebSocket stream and stays in the caller's buffer.
 *
 * <p>Every limit of {@link WebSocketConfig} is enforced while the bytes arrive, so a peer cannot make the parser
 * hold more than {@code max(maxRequestLineLength, maxHeaderLineLength) + 1} bytes of a partial line, nor read
 * more than {@code maxHandshakeSize} bytes. Lines end with CRLF; a bare LF is tolerated (RFC 9112 §2.2). Empty
 * lines before the start line are skipped (RFC 9112 §2.2) but count towards {@code maxHandshakeSize}.
 *
 * <p>Errors are {@link HandshakeException}s whose message says what is wrong and names the limit with its value.
 * A request parser uses the status to answer with: 400 for a malformed head, 414 for a request line over
 * {@code maxRequestLineLength}, 431 for a header line over {@code maxHeaderLineLength}, more than
 * {@code maxHeaderCount} fields or a head over {@code maxHandshakeSize}. A response parser uses status 0 (the
 * response itself was unacceptable). After an error the parser is failed and refuses further input.
 *
 * <p>Not thread-safe; one parser reads one head.
 *
 * <pre>{@code
 * HandshakeParser parser = HandshakeParser.forRequests(config);
 * if (parser.parse(readBuffer)) {              // false: need more bytes
 *     HandshakeRequest request = parser.request();
 *     // readBuffer's remaining bytes are WebSocket frames: hand them to the Protocol
 * }
 * }</pre>
 */
public final class HandshakeParser {
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final int INITIAL_LINE_CAPACITY = 256;
    private static final String HTTP_11 = "HTTP/1.1";
    /**
     * Lines are read in the thread's scratch array: a head that arrives whole (the usual case) costs no array of its
     * own. Only a line cut by the end of a read is copied into an array of the parser's, kept until its end arrives.
     */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[INITIAL_LINE_CAPACITY]);
    private static final byte[] EMPTY = new byte[0];

    private enum State { START_LINE, HEADERS, DONE, FAILED }

    private final boolean requests;
    private final WebSocketConfig config;
    private final Headers headers = new Headers();
    /**
     * The partial line; never longer than the current line limit + 1 (a trailing CR). Null between calls when no
     * line is partial; the thread's scratch array during a call, unless the line outgrew it.
     */
    private byte[] line;
    private int lineLength;
    /** Below this length a byte can be appended without a check: min(the current line limit, line.length). */
    private int fastLength;
    /** Bytes consumed so far, never more than maxHandshakeSize. */
    private int total;
    private State state = State.START_LINE;
    private HandshakeRequest request;
    private HandshakeResponse response;
    // the parts of the start line, kept until the head is complete
    private String method;
    private String target;
    private String path;
    private String query;
    private String version;
    private int status;
    private String reason;

    private HandshakeParser(boolean requests, WebSocketConfig config) {
        this.requests = requests;
        this.config = Objects.requireNonNull(config, "config");
        this.fastLength = Math.min(INITIAL_LINE_CAPACITY, config.maxRequestLineLength());
    }

    /**
     * @param config supplies the limits
     * @return a parser for one request head (the server side)
     */
    public static HandshakeParser forRequests(WebSocketConfig config) {
        return new HandshakeParser(true, config);
    }

    /**
     * @param config supplies the limits; {@code maxRequestLineLength} bounds the status line
     * @return a parser for one response head (the client side)
     */
    public static HandshakeParser forResponses(WebSocketConfig config) {
        return new HandshakeParser(false, config);
    }

    /**
     * Consumes bytes up to and including the blank line that ends the head.
     *
     * @param in the next bytes [position, limit); on return its position is after the last byte consumed: at
     *     its limit if the head is not complete yet, else at the first byte after the head (those bytes belong
     *     to the WebSocket stream). Not referenced after the call.
     * @return true once the head is complete (and on every later call, consuming nothing); false if more bytes
     *     are needed
     * @throws HandshakeException when the head is malformed or exceeds a limit (see the class description)
     * @throws IllegalStateException if an earlier call failed
     */
    public boolean parse(ByteBuffer in) {
        if (state == State.DONE) {
            return true;
        }
        if (state == State.FAILED) {
            throw new IllegalStateException("the parser already rejected this head");
        }
        byte[] scratch = null;
        if (line == null) {
            line = scratch = SCRATCH.get();
        }
        try {
            return parse(in, in.position(), in.limit());
        } finally {
            if (scratch != null && line == scratch) {
                // the line is the thread's: keep a copy of its part only when the read ended inside it
                line = lineLength == 0 ? null : Arrays.copyOf(scratch, scratch.length);
            }
        }
    }

    private boolean parse(ByteBuffer in, int start, int limit) {
        int pos = start;
        int maxTotal = config.maxHandshakeSize();
        // the loop keeps the counters in locals and writes them back before anything that reads them
        int consumed = total;
        int length = lineLength;
        int fast = fastLength;
        byte[] buffer = line;
        try {
            while (pos < limit) {
                // Bulk: as many bytes as fit below the line limit, the array's end and maxHandshakeSize are copied
                // at once, then searched for the LF; bytes copied past it are left unconsumed in the buffer.
                int n = Math.min(limit - pos, Math.min(fast - length, maxTotal - consumed));
                if (n > 0) {
                    in.get(pos, buffer, length, n);
                    int lf = -1;
                    for (int i = length, end = length + n; i < end; i++) {
                        if (buffer[i] == LF) {
                            lf = i;
                            break;
                        }
                    }
                    if (lf < 0) {
                        length += n;
                        pos += n;
                        consumed += n;
                        continue;
                    }
                    int taken = lf - length + 1;
                    pos += taken;
                    total = consumed + taken;
                    lineLength = lf;
                } else {
                    // One byte the careful way: it crosses a limit, or the array must grow first.
                    byte b = in.get(pos++);
                    if (consumed + 1 > maxTotal) {
                        throw error(431, "handshake head exceeds maxHandshakeSize (" + maxTotal + " bytes)");
                    }
                    total = consumed + 1;
                    lineLength = length;
                    if (b != LF) {
                        append(b);
                        length = lineLength;
                        consumed = total;
                        fast = fastLength;
                        buffer = line;
                        continue;
                    }
                }
                if (endOfLine()) {
                    state = State.DONE;
                    in.position(pos);
                    return true;
                }
                consumed = total;
                length = lineLength;
                fast = fastLength;
                buffer = line;
            }
            total = consumed;
            lineLength = length;
            in.position(pos);
            return false;
        } catch (HandshakeException e) {
            in.position(pos);
            state = State.FAILED;
            line = EMPTY;
            fastLength = 0;
            throw e;
        }
    }

    /**
     * @return the parsed request
     * @throws IllegalStateException if this is a response parser or the head is not complete
     */
    public HandshakeRequest request() {
        if (request == null) {
            throw new IllegalStateException(requests ? "the request head is not complete" : "a response parser");
        }
        return request;
    }

    /**
     * @return the parsed response
     * @throws IllegalStateException if this is a request parser or the head is not complete
     */
    public HandshakeResponse response() {
        if (response == null) {
            throw new IllegalStateException(requests ? "a request parser" : "the response head is not complete");
        }
        return response;
    }

    private void append(byte b) {
        int limit = state == State.START_LINE ? config.maxRequestLineLength() : config.maxHeaderLineLength();
        // one byte over the limit is allowed only if it is the CR of the line's CRLF
        if (lineLength > limit || (lineLength == limit && b != CR)) {
            throw lineTooLong();
        }
        if (lineLength == line.length) {
            int cap = Math.max(config.maxRequestLineLength(), config.maxHeaderLineLength()) + 1;
            line = Arrays.copyOf(line, Math.min(cap, line.length * 2));
        }
        line[lineLength++] = b;
        updateFastLength();
    }

    private void updateFastLength() {
        int limit = state == State.START_LINE ? config.maxRequestLineLength() : config.maxHeaderLineLength();
        fastLength = Math.min(line.length, limit);
    }

    private HandshakeException lineTooLong() {
        if (state == State.START_LINE) {
            return error(414, (requests ? "request" : "status") + " line exceeds maxRequestLineLength ("
                    + config.maxRequestLineLength() + " bytes)");
        }
        return error(431, "header line exceeds maxHeaderLineLength (" + config.maxHeaderLineLength() + " bytes)");
    }

    /** A complete line is in {@code line}, without its LF. Returns true at the blank line that ends the head. */
    private boolean endOfLine() {
        int length = lineLength;
        if (length > 0 && line[length - 1] == CR) {
            length--;
        }
        lineLength = 0;
        if (state == State.START_LINE) {
            checkControls(length);
            if (length > 0) {
                String text = new String(line, 0, length, StandardCharsets.ISO_8859_1);
                if (requests) {
                    parseRequestLine(text);
                } else {
                    parseStatusLine(text);
                }
                state = State.HEADERS;
                updateFastLength();
            }
            return false;
        }
        if (length == 0) {
            complete();
            return true;
        }
        parseHeaderLine(length);
        return false;
    }

    /** RFC 9110 §5.5: field values are VCHAR, SP, HTAB and obs-text; CR, LF, NUL and other controls are not. */
    private void checkControls(int length) {
        for (int i = 0; i < length; i++) {
            int c = line[i] & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw controlCharacter(c);
            }
        }
    }

    private HandshakeException controlCharacter(int c) {
        return error(400, String.format(Locale.ROOT, "control character 0x%02X in %s", c,
                state == State.START_LINE ? startLineName() : "header line"));
    }

    private String startLineName() {
        return requests ? "request line" : "status line";
    }

    /**
     * RFC 9112 §3: request-line = method SP request-target SP HTTP-version, cut at its two spaces (exactly two) with
     * no more strings than the target: "GET" and "HTTP/1.1" are the shared constants when spelled so.
     */
    private void parseRequestLine(String text) {
        int sp1 = text.indexOf(' ');
        int sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
        if (sp2 < 0 || text.indexOf(' ', sp2 + 1) >= 0) {
            throw error(400, "bad request line: expected method, target and version separated by single spaces");
        }
        // the method is the one string of the line that a connection keeps: not a copy of "GET" each
        String m = sp1 == 3 && text.startsWith("GET") ? "GET" : text.substring(0, sp1);
        if (!HttpTokens.isToken(m)) {
            throw error(400, "bad request line: the method is not a token");
        }
        String v = text.length() - sp2 - 1 == HTTP_11.length() && text.startsWith(HTTP_11, sp2 + 1)
                ? HTTP_11 : text.substring(sp2 + 1);
        if (!isHttpVersion(v)) {
            throw error(400, "bad request line: the version is not HTTP/x.y");
        }
        method = m;
        target = text.substring(sp1 + 1, sp2);
        version = v;
        splitTarget(target);
    }

    /** RFC 9112 §3.2: origin-form, or absolute-form (which a server must accept); never a fragment. */
    private void splitTarget(String t) {
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c <= 0x20 || c >= 0x7F || c == '#') {
                throw error(400, "bad request target: it must be visible ASCII without a fragment");
            }
        }
        String rest;
        if (t.startsWith("/")) {
            rest = t;
        } else {
            int scheme = t.indexOf("://");
            String name = scheme < 0 ? "" : t.substring(0, scheme).toLowerCase(Locale.ROOT);
            if (!(name.equals("http") || name.equals("https") || name.equals("ws") || name.equals("wss"))) {
                throw error(400, "bad request target: neither a path nor an absolute http(s)/ws(s) URI");
            }
            int authorityEnd = scheme + 3;
            while (authorityEnd < t.length() && t.charAt(authorityEnd) != '/' && t.charAt(authorityEnd) != '?') {
                authorityEnd++;
            }
            rest = t.substring(authorityEnd);
        }
        int q = rest.indexOf('?');
        path = q < 0 ? rest : rest.substring(0, q);
        query = q < 0 ? "" : rest.substring(q + 1);
        if (path.isEmpty()) {
            path = "/";
        }
    }

    /** RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]; a missing last SP is tolerated. */
    private void parseStatusLine(String text) {
        int sp = text.indexOf(' ');
        if (sp < 0 || !isHttpVersion(text.substring(0, sp))) {
            throw error(400, "bad status line: it must start with HTTP/x.y and a space");
        }
        String rest = text.substring(sp + 1);
        if (rest.length() < 3 || (rest.length() > 3 && rest.charAt(3) != ' ')) {
            throw error(400, "bad status line: the status code is not three digits");
        }
        int code = 0;
        for (int i = 0; i < 3; i++) {
            char c = rest.charAt(i);
            if (c < '0' || c > '9') {
                throw error(400, "bad status line: the status code is not three digits");
            }
            code = code * 10 + (c - '0');
        }
        if (code < 100 || code > 599) {
            throw error(400, "bad status line: status code " + code + " is outside 100..599");
        }
        version = text.substring(0, sp);
        status = code;
        reason = rest.length() > 4 ? rest.substring(4) : "";
    }

    /**
     * RFC 9112 §5.1: field-line = field-name ":" OWS field-value OWS. Read from the line's bytes in one pass (the
     * control-character check, the colon, the name's token check), then one string for the name (none for a common
     * name spelled as usual) and one for the value.
     */
    private void parseHeaderLine(int length) {
        byte[] b = line;
        byte first = b[0];
        int colon = -1;
        boolean token = true;
        for (int i = 0; i < length; i++) {
            int c = b[i] & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw controlCharacter(c);
            }
            if (colon < 0) {
                if (c == ':') {
                    colon = i;
                } else if (!HttpTokens.isTokenChar(c)) {
                    token = false;
                }
            }
        }
        if (first == ' ' || first == '\t') {
            // RFC 9112 §5.2: a server MUST reject obs-fold (or replace it), a client may too
            throw error(400, "obsolete line folding in a header field");
        }
        if (colon < 0) {
            throw error(400, "header line without colon");
        }
        if (colon == 0 || !token) {
            // RFC 9112 §5.1: no whitespace is allowed between the field name and colon
            throw error(400, "header name is not a token (whitespace or a delimiter before the colon?)");
        }
        if (headers.size() >= config.maxHeaderCount()) {
            throw error(431, "more than maxHeaderCount (" + config.maxHeaderCount() + ") header fields");
        }
        int start = colon + 1;
        int end = length;
        while (start < end && (b[start] == ' ' || b[start] == '\t')) {
            start++;
        }
        while (end > start && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        headers.add(HttpTokens.name(b, colon), new String(b, start, end - start, StandardCharsets.ISO_8859_1));
    }

    private void complete() {
        fastLength = 0;
        if (requests) {
            request = new HandshakeRequest(method, target, path, query, version, headers);
        } else {
            response = new HandshakeResponse(version, status, reason, headers);
        }
        line = EMPTY;
    }

    private HandshakeException error(int requestStatus, String message) {
        return new HandshakeException(requests ? requestStatus : 0, message);
    }

    private static boolean isHttpVersion(String s) {
        // RFC 9112 §2.3: HTTP-version = "HTTP" "/" DIGIT "." DIGIT
        return s.length() == 8 && s.startsWith("HTTP/") && isDigit(s.charAt(5)) && s.charAt(6) == '.'
                && isDigit(s.charAt(7));
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
