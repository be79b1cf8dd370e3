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
 * {@code --tls-cert FILE --tls-key FILE} for the example servers: PEM files (a chain and a PKCS#8 key, as certbot
 * writes them) make the server {@code wss://}; the files are checked every 10 s and a renewed pair is loaded for
 * new connections ({@link WebSocketServer#reloadTls}), so a certbot renewal needs no restart.
 */
final class ExampleTls {
    static final String CERT = "--tls-cert";
    static final String KEY = "--tls-key";
    static final Set<String> OPTIONS = Set.of(CERT, KEY);
    private static final long CHECK_MILLIS = 10_000;

    private final Path cert;
    private final Path key;

    private ExampleTls(Path cert, Path key) {
        this.cert = cert;
        this.key = key;
    }

    /**
     * @return the files named on the command line, or null for plain {@code ws://}
     * @throws Args.UsageException if only one of the two options is given
     */
    static ExampleTls from(Args args) {
        String c = args.get(CERT, null);
        String k = args.get(KEY, null);
        if (c == null && k == null) {
            return null;
        }
        if (c == null || k == null) {
            throw new Args.UsageException(CERT + " and " + KEY + " go together");
        }
        return new ExampleTls(Path.of(c), Path.of(k));
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
                FileTime now = newest();
                if (now != null && !now.equals(seen)) {
                    try {
                        server.reloadTls(TlsContexts.fromPem(cert, key));
                        seen = now;
                        System.out.println("reloaded the TLS certificate from " + cert);
                    } catch (IOException | RuntimeException e) {
                        System.err.println("kept the old TLS certificate: " + e.getMessage());
                    }
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
