package io.wirefly.bench.servers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;

/**
 * The small control protocol every echo server of the load test speaks on its standard streams, so that the
 * load test can drive any library's server the same way:
 * <ul>
 *   <li>once listening, the server prints {@code READY <name> <port>} on standard output;</li>
 *   <li>the line {@code gc} on standard input runs a full GC (twice) and answers
 *       {@code HEAP <used bytes> <committed bytes>};</li>
 *   <li>the line {@code stop}, or the end of standard input, stops the server and exits the JVM.</li>
 * </ul>
 *
 * <pre>{@code
 * public static void main(String[] args) throws Exception {
 *     int port = ServerControl.port(args);
 *     Server server = startMyServer(port);
 *     ServerControl.serve("mylib", port, server::stop);
 * }
 * }</pre>
 */
public final class ServerControl {
    /** The path on which a server echoes every message back to its sender. */
    public static final String ECHO_PATH = "/";
    /** The path on which a server sends every message it receives to every connection open on that path. */
    public static final String BROADCAST_PATH = "/broadcast";
    /** The largest message the load test sends; servers accept at least twice this. */
    public static final int MAX_MESSAGE = 2 << 20;

    /** What stops a server; may throw anything, which is reported and ignored. */
    @FunctionalInterface
    public interface Stopper {
        /**
         * Stops the server and releases its threads.
         *
         * @throws Exception whatever the library's stop method throws
         */
        void stop() throws Exception;
    }

    private ServerControl() {
    }

    /**
     * @param args the server's command line: the port, then optionally {@code --tls KEYSTORE.p12} (see {@link #tls})
     *     and, for Wirefly's, {@code --same-port true} and {@code --bus URL}
     * @return the port to listen on (on 127.0.0.1)
     */
    public static int port(String[] args) {
        boolean pairs = args.length % 2 == 1;
        for (int i = 1; pairs && i < args.length; i += 2) {
            pairs = args[i].equals("--tls") || args[i].equals("--same-port") || args[i].equals("--bus");
        }
        if (!pairs) {
            throw new IllegalArgumentException(
                    "usage: <main class> <port> [--tls KEYSTORE.p12] [--same-port true] [--bus URL]");
        }
        return Integer.parseInt(args[0]);
    }

    /**
     * @param args the server's command line
     * @param name an option such as {@code --bus}
     * @return its value, or null when it is absent
     */
    public static String option(String[] args, String name) {
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }

    /**
     * The wss scenarios give every server the same PKCS#12 key store (password {@code changeit}), made by keytool
     * for the run, and each server builds the same JDK {@link javax.net.ssl.SSLContext} from it, so that every
     * library runs the JDK's TLS provider with the same defaults (TLS 1.3, the same cipher suite).
     *
     * @param args the server's command line
     * @return the server context for {@code --tls KEYSTORE.p12}, or null without it
     * @throws java.io.IOException if the key store cannot be read
     */
    public static javax.net.ssl.SSLContext tls(String[] args) throws IOException {
        String keystore = option(args, "--tls");
        if (keystore == null) {
            return null;
        }
        return io.wirefly.server.TlsContexts.fromPkcs12(java.nio.file.Path.of(keystore), "changeit".toCharArray());
    }

    /**
     * Announces readiness, then answers control commands on the calling thread until {@code stop} or the end of
     * standard input, then stops the server and exits.
     *
     * @param name the library's name, printed in the readiness line
     * @param port the port the server listens on
     * @param stopper stops the server
     */
    public static void serve(String name, int port, Stopper stopper) {
        System.out.println("READY " + name + " " + port);
        System.out.flush();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                String command = line.trim();
                if (command.equals("gc")) {
                    System.gc();
                    System.gc();
                    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
                    System.out.println("HEAP " + heap.getUsed() + " " + heap.getCommitted());
                    System.out.flush();
                } else if (command.equals("stop")) {
                    break;
                }
            }
        } catch (IOException e) {
            System.err.println("control input failed: " + e);
        }
        try {
            stopper.stop();
        } catch (Exception e) {
            System.err.println("stop failed: " + e);
        }
        System.exit(0);
    }
}
