package io.wirefly.bench.loadtest;

import java.util.Locale;

/** The load scenarios (issues 7 and 16), each against one server at a time. */
enum Scenario {
    /** One connection, 16-byte messages one at a time: round-trip latency percentiles. */
    LATENCY,
    /** 100 connections, 125-byte messages, one in flight each: messages per second and server CPU per message. */
    ECHO,
    /** 10 connections, 64 KiB messages, one in flight each: payload MB/s echoed. */
    BULK,
    /** 10,000 open idle connections: server heap after GC and RSS per connection. */
    IDLE,
    /** One message to 10,000 subscribers: time until the last one has it. */
    BROADCAST,
    /** New connections, 50 at a time, each: connect, upgrade, one echo, close handshake: handshakes per second. */
    HANDSHAKE,
    /** {@link #ECHO} with 1 KiB JSON-like text messages and permessage-deflate negotiated: msg/s and server CPU. */
    DEFLATE,
    /** {@link #ECHO} over TLS (wss), for the servers that have it here: msg/s and server CPU per message. */
    WSS_ECHO,
    /** {@link #BULK} over TLS (wss). */
    WSS_BULK,
    /**
     * {@link #ECHO} over ws and over wss at once, to one server process that serves both on one port: the two sets
     * of connections take turns, window by window, and each pair of windows gives the ratio of server CPU per
     * message, wss to ws, free of the drift between separate runs. For the servers that serve both on one port.
     */
    WSS_PAIRED;

    /** @return whether the scenario runs over TLS, against {@linkplain ServerKind#tls() the servers set up for it} */
    boolean tls() {
        return this == WSS_ECHO || this == WSS_BULK || this == WSS_PAIRED;
    }

    /** @return whether the server must serve ws and wss on one port ({@link ServerKind#samePort()}) */
    boolean samePort() {
        return this == WSS_PAIRED;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Scenario of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
