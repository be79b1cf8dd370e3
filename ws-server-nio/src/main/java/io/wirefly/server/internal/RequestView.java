package io.wirefly.server.internal;

import io.wirefly.core.HandshakeException;
import io.wirefly.core.UpgradeRequest;
import io.wirefly.core.internal.handshake.HandshakeRequest;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link UpgradeRequest} of one connection: made from the parsed head when it arrives (the query decoded then, so
 * a malformed escape is a 400 before any user code runs), completed with the route's path parameters, and with the
 * subprotocol and extensions once the upgrade is accepted.
 *
 * <p>It lives as long as the connection, so it is kept small: the header fields are packed into one array
 * ({@link PackedFields}: about the bytes the client sent, less for the fields nearly every client sends), and
 * {@link #headers} is a view of that array whose lookups scan it. The cookie and query-parameter maps are parsed at each call and never
 * kept; the attribute map is made on first use. So what a connection keeps of its request is the bytes its client
 * sent, whatever its handler reads: a map of lists of strings would cost several times that (an 8 KB query of 1,800
 * names parsed into a map took about 210 KB), and a client would choose the request that costs the most.
 *
 * <pre>{@code
 * RequestView view = RequestView.of(head, match.path(), remote, local);
 * view.negotiated("chat", List.of("permessage-deflate"));
 * }</pre>
 */
final class RequestView implements UpgradeRequest {
    private final String path;
    private final String query;
    /** The fields as {@link PackedFields} keeps them; null for a client's own request. */
    private final byte[] packedHeaders;
    /** A view of {@link #packedHeaders} made on first use, or a client's own request's map. */
    private volatile Map<String, List<String>> headers;
    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    private volatile Map<String, Object> attributes;
    private volatile Map<String, String> pathParameters = Map.of();
    private volatile String subprotocol = "";
    private volatile List<String> extensions = List.of();
    private volatile javax.net.ssl.SSLSession tls;

    RequestView(String path, String query, Map<String, List<String>> headers,
            InetSocketAddress remote, InetSocketAddress local) {
        this(path, query, null, headers, remote, local);
    }

    private RequestView(String path, String query, byte[] packedHeaders,
            Map<String, List<String>> headers, InetSocketAddress remote, InetSocketAddress local) {
        this.path = path;
        this.query = query;
        this.packedHeaders = packedHeaders;
        this.headers = headers;
        if (query.indexOf('%') >= 0) {
            // A malformed or non-UTF-8 escape is a 400 now, before any user code runs. The query splits at ASCII
            // bytes, which never fall inside an escape or a UTF-8 sequence: the whole decodes if and only if every
            // part does.
            decode(query, true);
        }
        this.remote = remote;
        this.local = local;
    }

    /**
     * @param path the head's path, or a string equal to it that is kept anyway (the route's own, for an exact route)
     * @return the view of a parsed request head
     * @throws HandshakeException 400 if the query has a malformed escape
     */
    static RequestView of(HandshakeRequest head, String path, InetSocketAddress remote, InetSocketAddress local) {
        return new RequestView(path, head.query(), PackedFields.pack(head.headers()), null, remote, local);
    }

    /**
     * How many connections this one counts as toward {@code maxConnections}: one, and one more for each KiB of its
     * request (header fields, path and query) that it keeps for its whole life. An idle connection with a short head
     * holds about 1.5 KiB; one whose client sent 15 KiB of headers holds about 17 KiB, and counting it once would let
     * such clients fill a small heap long before the limit.
     *
     * @return the weight, from 1
     */
    int weight() {
        byte[] packed = packedHeaders;
        return 1 + ((packed == null ? 0 : packed.length) + path.length() + query.length()) / 1024;
    }

    /** @return the head's fields by lower-case name, each with its values in order; unmodifiable */
    static Map<String, List<String>> headerMap(HandshakeRequest head) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (Map.Entry<String, String> h : head.headers()) {
            headers.computeIfAbsent(h.getKey().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(h.getValue());
        }
        headers.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(headers);
    }

    void pathParameters(Map<String, String> values) {
        this.pathParameters = Map.copyOf(values);
    }

    void tls(javax.net.ssl.SSLSession session) {
        this.tls = session;
    }

    @Override
    public java.util.Optional<javax.net.ssl.SSLSession> tlsSession() {
        return java.util.Optional.ofNullable(tls);
    }

    void negotiated(String subprotocol, List<String> extensions) {
        this.subprotocol = subprotocol;
        this.extensions = List.copyOf(extensions);
    }

    @Override
    public String method() {
        return "GET";   // every upgrade: the server answers any other method before this view is made
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public String query() {
        return query;
    }

    /** @return the query's parameters, parsed at each call: a parsed query is never kept */
    @Override
    public Map<String, List<String>> queryParameters() {
        return parseQuery(query);
    }

    @Override
    public Map<String, String> pathParameters() {
        return pathParameters;
    }

    @Override
    public Map<String, List<String>> headers() {
        Map<String, List<String>> view = headers;
        if (view == null) {
            view = new PackedMap(packedHeaders);   // racy but harmless: two equal views
            headers = view;
        }
        return view;
    }

    /** @return the cookies, parsed at each call: a parsed cookie map is never kept */
    @Override
    public Map<String, String> cookies() {
        return parseCookies(headers().getOrDefault("cookie", List.of()));
    }

    /**
     * The packed fields seen as an unmodifiable map by lower-case name, each with its values in order. A lookup scans
     * the string (at most {@code maxHeaderCount} fields); iterating builds a map for the iteration only.
     */
    private static final class PackedMap extends java.util.AbstractMap<String, List<String>> {
        private final byte[] packed;

        PackedMap(byte[] packed) {
            this.packed = packed;
        }

        @Override
        public List<String> get(Object key) {
            return key instanceof String name ? PackedFields.get(packed, name) : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public boolean isEmpty() {
            return packed.length == 0;
        }

        @Override
        public java.util.Set<Map.Entry<String, List<String>>> entrySet() {
            return PackedFields.unpack(packed).entrySet();
        }
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public String subprotocol() {
        return subprotocol;
    }

    @Override
    public List<String> extensions() {
        return extensions;
    }

    @Override
    public Map<String, Object> attributes() {
        Map<String, Object> map = attributes;
        if (map == null) {
            synchronized (this) {   // one map for everyone: what a filter puts there, the handler must find
                map = attributes;
                if (map == null) {
                    map = new ConcurrentHashMap<>();
                    attributes = map;
                }
            }
        }
        return map;
    }

    @Override
    public String toString() {
        return "GET " + path + (query.isEmpty() ? "" : "?" + query) + " from " + remote;
    }

    // ---- Decoding ----------------------------------------------------------------------------------------------------

    /** @throws HandshakeException 400 for a malformed escape */
    static Map<String, List<String>> parseQuery(String query) {
        if (query.isEmpty()) {
            return Map.of();
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            params.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        params.replaceAll((k, v) -> List.copyOf(v));
        return Collections.unmodifiableMap(params);
    }

    /** RFC 6265 §4.2: {@code name=value} pairs separated by {@code ;}; a quoted value loses its quotes. */
    static Map<String, String> parseCookies(List<String> headerValues) {
        Map<String, String> cookies = new LinkedHashMap<>();
        for (String header : headerValues) {
            for (String pair : header.split(";")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                String name = pair.substring(0, eq).trim();
                String value = pair.substring(eq + 1).trim();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                if (!name.isEmpty()) {
                    cookies.putIfAbsent(name, value);
                }
            }
        }
        return Collections.unmodifiableMap(cookies);
    }

    /**
     * Percent-decodes UTF-8.
     *
     * @param form whether {@code +} means a space (query strings) or itself (path segments)
     * @throws HandshakeException 400 for a malformed escape or bytes that are not UTF-8
     */
    static String decode(String s, boolean form) {
        if (s.indexOf('%') < 0 && !(form && s.indexOf('+') >= 0)) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new HandshakeException(400, "malformed percent-escape in '" + s + "'");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (form && c == '+') {
                bytes.write(' ');
            } else {
                bytes.write(c);   // the head was read as ISO-8859-1: each char is one byte as sent
            }
        }
        byte[] raw = bytes.toByteArray();
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(raw)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new HandshakeException(400, "percent-escapes that are not UTF-8 in '" + s + "'");
        }
    }
}
