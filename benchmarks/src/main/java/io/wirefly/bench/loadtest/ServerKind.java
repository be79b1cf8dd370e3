package io.wirefly.bench.loadtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The echo servers the load test runs. The JVM ones are each a {@code main} in {@code io.wirefly.bench.servers}
 * that speaks {@link io.wirefly.bench.servers.ServerControl}'s protocol, started with the same JVM options; Netty 4.2
 * runs the same {@code NettyEchoServer} with Netty 4.2's jars in place of 4.1's. The two non-JVM references speak the
 * same protocol: Node's {@code ws} ({@code benchmarks/peers/node}) and Go's gorilla/websocket
 * ({@code benchmarks/peers/go}), which {@code benchmarks/run.sh} installs and builds when node and go are there.
 */
enum ServerKind {
    WIREFLY("io.wirefly.bench.servers.WireflyEchoServer", true),
    NETTY("io.wirefly.bench.servers.NettyEchoServer", true),
    NETTY42("io.wirefly.bench.servers.NettyEchoServer", false),
    JAVA_WEBSOCKET("io.wirefly.bench.servers.JavaWebSocketEchoServer", false),
    JETTY("io.wirefly.bench.servers.JettyEchoServer", false),
    UNDERTOW("io.wirefly.bench.servers.UndertowEchoServer", false),
    NODE_WS(null, false),
    GORILLA(null, false);

    /** Netty 4.2's class path, written by benchmarks/run.sh from benchmarks/peers/netty42/pom.xml. */
    static final Path NETTY42_CLASSPATH = Path.of("benchmarks", "target", "netty42-classpath.txt");
    static final Path NODE_DIR = Path.of("benchmarks", "peers", "node");
    static final Path GORILLA_BINARY = Path.of("benchmarks", "target", "gorilla-echo");

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

    /** @return whether its echo server takes {@code --same-port} with {@code --tls}: ws and wss on one port */
    boolean samePort() {
        return this == WIREFLY;
    }

    /** @return whether it runs in a JVM with the load test's server JVM options */
    boolean jvm() {
        return mainClass != null;
    }

    /** @return the name used on the command line and in results: {@code wirefly}, {@code node-ws}, ... */
    String label() {
        return this == NETTY42 ? "netty-4.2" : name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @return why it cannot run here, or null when it can */
    String unavailable() {
        switch (this) {
            case NETTY42:
                return Files.isRegularFile(NETTY42_CLASSPATH) ? null
                        : NETTY42_CLASSPATH + " is missing (benchmarks/run.sh writes it)";
            case NODE_WS:
                return Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("ws")) ? null
                        : "Node's ws is not installed (npm ci --prefix " + NODE_DIR + ", as benchmarks/run.sh does)";
            case GORILLA:
                return Files.isExecutable(GORILLA_BINARY) ? null
                        : GORILLA_BINARY + " is not built (benchmarks/run.sh builds it with Debian's golang-go and"
                                + " golang-github-gorilla-websocket-dev)";
            default:
                try {
                    Class.forName(mainClass, false, ServerKind.class.getClassLoader());
                    return null;
                } catch (ClassNotFoundException e) {
                    return mainClass + " is not on the class path";
                }
        }
    }

    /**
     * @param jvmArgs the server JVM options (ignored by the non-JVM servers)
     * @param port the port to listen on
     * @param serverArgs options after the port
     * @return the command that starts it
     * @throws java.io.IOException if Netty 4.2's class path cannot be read
     */
    List<String> command(List<String> jvmArgs, int port, List<String> serverArgs) throws java.io.IOException {
        List<String> command = new ArrayList<>();
        switch (this) {
            case NODE_WS -> command.addAll(List.of("node", "--expose-gc", NODE_DIR.resolve("echo.js").toString()));
            case GORILLA -> command.add(GORILLA_BINARY.toString());
            default -> {
                command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                command.addAll(jvmArgs);
                command.add("-cp");
                command.add(this == NETTY42 ? netty42ClassPath() : System.getProperty("java.class.path"));
                command.add(mainClass);
            }
        }
        command.add(Integer.toString(port));
        command.addAll(serverArgs);
        return command;
    }

    /** The load test's class path with every Netty 4.1 jar replaced by Netty 4.2's. */
    private static String netty42ClassPath() throws java.io.IOException {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (!entry.contains("/io/netty/")) {
                entries.add(entry);
            }
        }
        entries.add(Files.readString(NETTY42_CLASSPATH).trim());
        return String.join(java.io.File.pathSeparator, entries);
    }

    static ServerKind of(String label) {
        for (ServerKind kind : values()) {
            if (kind.label().equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown server " + label + "; known: wirefly, netty, netty-4.2,"
                + " java-websocket, jetty, undertow, node-ws, gorilla");
    }
}
