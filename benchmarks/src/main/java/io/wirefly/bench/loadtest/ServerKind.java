package io.wirefly.bench.loadtest;

import java.util.Locale;

/**
 * The echo servers the load test runs, each a {@code main} in {@code io.wirefly.bench.servers} that speaks
 * {@link io.wirefly.bench.servers.ServerControl}'s protocol.
 */
enum ServerKind {
    WIREFLY("io.wirefly.bench.servers.WireflyEchoServer", true),
    NETTY("io.wirefly.bench.servers.NettyEchoServer", true),
    JAVA_WEBSOCKET("io.wirefly.bench.servers.JavaWebSocketEchoServer", false),
    JETTY("io.wirefly.bench.servers.JettyEchoServer", false),
    UNDERTOW("io.wirefly.bench.servers.UndertowEchoServer", false);

    final String mainClass;
    private final boolean tls;

    ServerKind(String mainClass, boolean tls) {
        this.mainClass = mainClass;
        this.tls = tls;
    }

    /** @return whether its echo server takes {@code --tls KEYSTORE.p12} (the wss scenarios skip the others) */
    boolean tls() {
        return tls;
    }

    /** @return the name used on the command line and in results: {@code wirefly}, {@code java-websocket}, ... */
    String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return whether the server's main class is on the class path (Wirefly's needs ws-server-nio) */
    boolean available() {
        try {
            Class.forName(mainClass, false, ServerKind.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static ServerKind of(String label) {
        for (ServerKind kind : values()) {
            if (kind.label().equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown server " + label + "; known: wirefly, netty, java-websocket,"
                + " jetty, undertow");
    }
}
