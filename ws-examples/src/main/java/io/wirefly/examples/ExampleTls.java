package io.wirefly.examples;

import io.wirefly.server.TlsContexts;
import io.wirefly.server.WebSocketServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * {@code --tls-cert FILE --tls-key FILE [--same-port]} for the example servers: PEM files (a chain and a PKCS#8 key,
 * as certbot writes them) make the server {@code wss://}, and {@code --same-port} keeps plain {@code ws://} working on
 * the same port. The files are checked every 10 s and a renewed pair is loaded for new connections
 * ({@link WebSocketServer#reloadTls}), so a certbot renewal needs no restart.
 */
final class ExampleTls {
    static final String CERT = "--tls-cert";
    static final String KEY = "--tls-key";
    static final String SAME_PORT = "--same-port";
    /** The options that take a value. */
    static final Set<String> OPTIONS = Set.of(CERT, KEY);
    /** The switches. */
    static final Set<String> SWITCHES = Set.of(SAME_PORT);
    private static final long CHECK_MILLIS = 10_000;

    private final Path cert;
    private final Path key;
    private final boolean samePort;

    private ExampleTls(Path cert, Path key, boolean samePort) {
        this.cert = cert;
        this.key = key;
        this.samePort = samePort;
    }

    /**
     * @return the files named on the command line, or null for plain {@code ws://}
     * @throws Args.UsageException if only one of the two files is given, or --same-port without them
     */
    static ExampleTls from(Args args) {
        String c = args.get(CERT, null);
        String k = args.get(KEY, null);
        if (c == null && k == null) {
            if (args.has(SAME_PORT)) {
                throw new Args.UsageException(SAME_PORT + " needs " + CERT + " and " + KEY);
            }
            return null;
        }
        if (c == null || k == null) {
            throw new Args.UsageException(CERT + " and " + KEY + " go together");
        }
        return new ExampleTls(Path.of(c), Path.of(k), args.has(SAME_PORT));
    }

    /** The same as {@code --tls-cert cert --tls-key key [--same-port]}. */
    static ExampleTls of(Path cert, Path key, boolean samePort) {
        return new ExampleTls(cert, key, samePort);
    }

    /**
     * @param tls the command line's TLS, or null
     * @param builder a server being built
     * @return the builder, with TLS (and plain on the same port) if asked for
     */
    static WebSocketServer.Builder apply(ExampleTls tls, WebSocketServer.Builder builder) {
        return tls == null ? builder : builder.tls(tls.load()).plainOnSamePort(tls.samePort);
    }

    /**
     * @param tls the command line's TLS, or null
     * @param plain the scheme without TLS ({@code ws} or {@code http})
     * @param port the port listened on
     * @param path the path to print, starting with {@code /}
     * @return the URL to print: {@code wss://localhost:port/path}, with the plain URL after it in same-port mode
     */
    static String urls(ExampleTls tls, String plain, int port, String path) {
        String rest = "://localhost:" + port + path;
        if (tls == null) {
            return plain + rest;
        }
        return tls.samePort ? plain + "s" + rest + " and " + plain + rest : plain + "s" + rest;
    }

    /** Watches the files of {@code tls}, if any, for {@code server}. */
    static void watch(ExampleTls tls, WebSocketServer server) {
        if (tls != null) {
            tls.watch(server);
        }
    }

    /** @return the context from the files, now */
    SSLContext load() {
        try {
            return TlsContexts.fromPem(cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a daemon thread that reloads the pair into {@code server} when either file changes. */
    void watch(WebSocketServer server) {
        Thread t = new Thread(() -> {
            FileTime seen = newest();
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(CHECK_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    FileTime now = newest();
                    if (now != null && !now.equals(seen)) {
                        server.reloadTls(TlsContexts.fromPem(cert, key));
                        seen = now;
                        System.out.println("reloaded the TLS certificate from " + cert);
                    }
                } catch (IOException | RuntimeException e) {
                    System.err.println("kept the old TLS certificate: " + e.getMessage());
                } catch (OutOfMemoryError e) {
                    // the heap was full for a moment (the server's, under attack): the watch goes on next time
                }
            }
        }, "tls-reload");
        t.setDaemon(true);
        t.start();
    }

    private FileTime newest() {
        try {
            FileTime a = Files.getLastModifiedTime(cert);
            FileTime b = Files.getLastModifiedTime(key);
            return a.compareTo(b) >= 0 ? a : b;
        } catch (IOException e) {
            return null;
        }
    }
}
