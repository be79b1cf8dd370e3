package io.wirefly.core;

/**
 * Limits and protocol options of one WebSocket endpoint. Immutable; build it with {@link #builder()}, which
 * rejects a bad value at {@link Builder#build()} with a message naming the setting and the value.
 *
 * <pre>{@code
 * WebSocketConfig config = WebSocketConfig.builder()
 *     .maxMessageSize(16 << 20)      // 16 MiB; beyond it the connection closes with 1009
 *     .deflate(true)                 // negotiate permessage-deflate when the peer offers it
 *     .build();
 * }</pre>
 *
 * @param maxFrameSize largest payload of one frame, in bytes; a larger frame closes the connection with 1009
 * @param maxMessageSize largest message after reassembly (and after decompression), in bytes; beyond it the
 *     connection closes with 1009
 * @param maxRequestLineLength longest handshake request or status line, in bytes
 * @param maxHeaderLineLength longest handshake header line, in bytes
 * @param maxHeaderCount most header fields in a handshake
 * @param maxHandshakeSize largest handshake head (request line, headers and the blank line), in bytes
 * @param deflate whether permessage-deflate (RFC 7692) is offered by a client and accepted by a server
 * @param deflateLevel the {@link java.util.zip.Deflater} level, 0 (store) to 9 (best)
 * @param deflateThreshold messages shorter than this many bytes are sent uncompressed
 * @param deflateServerNoContextTakeover whether the server resets its compressor after every message (default
 *     true: no compressor is kept per connection; see {@link Builder#deflateServerNoContextTakeover})
 * @param deflateClientNoContextTakeover whether the client resets its compressor after every message (default true)
 */
public record WebSocketConfig(
        int maxFrameSize,
        int maxMessageSize,
        int maxRequestLineLength,
        int maxHeaderLineLength,
        int maxHeaderCount,
        int maxHandshakeSize,
        boolean deflate,
        int deflateLevel,
        int deflateThreshold,
        boolean deflateServerNoContextTakeover,
        boolean deflateClientNoContextTakeover) {

    /** Default largest frame and message: 1 MiB. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 1 << 20;

    /**
     * Validates every value; prefer {@link #builder()}.
     *
     * @param maxFrameSize largest payload of one frame, in bytes
     * @param maxMessageSize largest reassembled, decompressed message, in bytes
     * @param maxRequestLineLength longest handshake request or status line, in bytes
     * @param maxHeaderLineLength longest handshake header line, in bytes
     * @param maxHeaderCount most header fields in a handshake
     * @param maxHandshakeSize largest handshake head, in bytes
     * @param deflate whether permessage-deflate is negotiated
     * @param deflateLevel the compression level, 0..9
     * @param deflateThreshold messages shorter than this are sent uncompressed
     * @param deflateServerNoContextTakeover whether the server resets its compressor after every message
     * @param deflateClientNoContextTakeover whether the client resets its compressor after every message
     * @throws IllegalArgumentException naming the first setting whose value is out of range
     */
    public WebSocketConfig {
        positive("maxFrameSize", maxFrameSize);
        positive("maxMessageSize", maxMessageSize);
        atLeast("maxRequestLineLength", maxRequestLineLength, 16);
        atLeast("maxHeaderLineLength", maxHeaderLineLength, 16);
        positive("maxHeaderCount", maxHeaderCount);
        atLeast("maxHandshakeSize", maxHandshakeSize, 64);
        if (deflateLevel < 0 || deflateLevel > 9) {
            throw new IllegalArgumentException("deflateLevel must be 0..9, was " + deflateLevel);
        }
        if (deflateThreshold < 0) {
            throw new IllegalArgumentException("deflateThreshold must be >= 0, was " + deflateThreshold);
        }
    }

    /**
     * @return the defaults: 1 MiB frames and messages, 8 KiB lines, 100 headers, 16 KiB heads, no deflate (and,
     *     when it is turned on, level 6, 128-B threshold, no context takeover either way)
     */
    public static WebSocketConfig defaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding this configuration's values */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxFrameSize = maxFrameSize;
        b.maxMessageSize = maxMessageSize;
        b.maxRequestLineLength = maxRequestLineLength;
        b.maxHeaderLineLength = maxHeaderLineLength;
        b.maxHeaderCount = maxHeaderCount;
        b.maxHandshakeSize = maxHandshakeSize;
        b.deflate = deflate;
        b.deflateLevel = deflateLevel;
        b.deflateThreshold = deflateThreshold;
        b.deflateServerNoContextTakeover = deflateServerNoContextTakeover;
        b.deflateClientNoContextTakeover = deflateClientNoContextTakeover;
        return b;
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
    }

    /**
     * Collects settings; {@link #build()} validates them. Not thread-safe.
     *
     * <pre>{@code
     * WebSocketConfig c = WebSocketConfig.builder().maxFrameSize(64 * 1024).build();
     * }</pre>
     */
    public static final class Builder {
        private int maxFrameSize = DEFAULT_MAX_MESSAGE_SIZE;
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
        private int maxRequestLineLength = 8192;
        private int maxHeaderLineLength = 8192;
        private int maxHeaderCount = 100;
        private int maxHandshakeSize = 16384;
        private boolean deflate;
        private int deflateLevel = 6;
        private int deflateThreshold = 128;
        private boolean deflateServerNoContextTakeover = true;
        private boolean deflateClientNoContextTakeover = true;

        private Builder() {
        }

        /**
         * @param bytes largest payload of one frame (default 1 MiB)
         * @return this builder
         */
        public Builder maxFrameSize(int bytes) {
            this.maxFrameSize = bytes;
            return this;
        }

        /**
         * @param bytes largest reassembled, decompressed message (default 1 MiB)
         * @return this builder
         */
        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * @param bytes longest handshake request or status line (default 8192)
         * @return this builder
         */
        public Builder maxRequestLineLength(int bytes) {
            this.maxRequestLineLength = bytes;
            return this;
        }

        /**
         * @param bytes longest handshake header line (default 8192)
         * @return this builder
         */
        public Builder maxHeaderLineLength(int bytes) {
            this.maxHeaderLineLength = bytes;
            return this;
        }

        /**
         * @param count most handshake header fields (default 100)
         * @return this builder
         */
        public Builder maxHeaderCount(int count) {
            this.maxHeaderCount = count;
            return this;
        }

        /**
         * @param bytes largest handshake head (default 16384)
         * @return this builder
         */
        public Builder maxHandshakeSize(int bytes) {
            this.maxHandshakeSize = bytes;
            return this;
        }

        /**
         * @param enabled whether to negotiate permessage-deflate (default false)
         * @return this builder
         */
        public Builder deflate(boolean enabled) {
            this.deflate = enabled;
            return this;
        }

        /**
         * @param level compression level 0..9 (default 6)
         * @return this builder
         */
        public Builder deflateLevel(int level) {
            this.deflateLevel = level;
            return this;
        }

        /**
         * @param bytes messages shorter than this are sent uncompressed (default 128)
         * @return this builder
         */
        public Builder deflateThreshold(int bytes) {
            this.deflateThreshold = bytes;
            return this;
        }

        /**
         * Whether the server compresses every message with a fresh context (default true). Then a server's
         * compressor holds nothing between messages, and one per event loop serves all its connections. With false
         * (context takeover, unless the client asks otherwise), repetitive messages compress better, at about
         * 256 KiB of native memory per compressing connection, outside the heap; a server counts it against its
         * inbound buffer budget and sends a connection's messages uncompressed while the budget has no room.
         *
         * @param enabled true to compress each message alone
         * @return this builder
         */
        public Builder deflateServerNoContextTakeover(boolean enabled) {
            this.deflateServerNoContextTakeover = enabled;
            return this;
        }

        /**
         * Whether the client compresses every message with a fresh context (default true): a client asks for it in
         * its offer, a server in its answer. Then the receiving side holds a decompressor only while a message
         * arrives, rather than about 40 KiB of native memory per connection for as long as it is open.
         *
         * @param enabled true to compress each message alone
         * @return this builder
         */
        public Builder deflateClientNoContextTakeover(boolean enabled) {
            this.deflateClientNoContextTakeover = enabled;
            return this;
        }

        /**
         * @return the configuration
         * @throws IllegalArgumentException naming the setting and the value that is out of range
         */
        public WebSocketConfig build() {
            return new WebSocketConfig(maxFrameSize, maxMessageSize, maxRequestLineLength, maxHeaderLineLength,
                    maxHeaderCount, maxHandshakeSize, deflate, deflateLevel, deflateThreshold,
                    deflateServerNoContextTakeover, deflateClientNoContextTakeover);
        }
    }
}
