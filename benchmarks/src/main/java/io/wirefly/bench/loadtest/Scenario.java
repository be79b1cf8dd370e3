package io.wirefly.bench.loadtest;

import java.util.Locale;

/** The load scenarios of issue 7, each against one server at a time. */
enum Scenario {
    /** One connection, 16-byte messages one at a time: round-trip latency percentiles. */
    LATENCY,
    /** 100 connections, 125-byte messages, one in flight each: messages per second and server CPU per message. */
    ECHO,
    /** 10 connections, 64 KiB messages, one in flight each: payload MB/s echoed. */
    BULK,
    /** 10,000 open idle connections: server heap after GC and RSS per connection. */
    IDLE,
    /** One message to 1,000 subscribers: time until the last one has it. */
    BROADCAST;

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Scenario of(String label) {
        return valueOf(label.toUpperCase(Locale.ROOT));
    }
}
