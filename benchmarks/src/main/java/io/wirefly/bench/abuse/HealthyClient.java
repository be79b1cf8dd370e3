package io.wirefly.bench.abuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The user nobody attacks: one connection that sends a 32-byte text every 10 ms and times its echo, all through the
 * run. A failed exchange counts as an error and the client reconnects.
 *
 * <p>It runs in a process of its own ({@link #main}: one line per exchange on standard output, the round trip in
 * nanoseconds or {@code error}), so that the attackers' threads, which share this machine's two cores, compete with
 * it only as much as the scheduler lets them; {@link Remote} reads those lines into windows, one per scenario.
 *
 * <pre>{@code
 * java -cp ... io.wirefly.bench.abuse.HealthyClient 9998               # ws://
 * java -cp ... io.wirefly.bench.abuse.HealthyClient 9998 cert.pem      # wss://, trusting only cert.pem
 * }</pre>
 */
final class HealthyClient implements AutoCloseable {
    /** The client's process, seen from the suite: its round trips, one window per scenario. */
    static final class Remote implements AutoCloseable {
        private final Process process;
        private List<Long> current = new ArrayList<>();
        private int errors;

        Remote(List<String> command) throws java.io.IOException {
            process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Thread reader = new Thread(() -> {
                try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(
                        process.getInputStream(), StandardCharsets.US_ASCII))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        if (line.equals("error")) {
                            error();
                        } else {
                            record(Long.parseLong(line));
                        }
                    }
                } catch (java.io.IOException | NumberFormatException ignored) {
                    // the process ended
                }
            }, "healthy-reader");
            reader.setDaemon(true);
            reader.start();
        }

        /** @return the window that just ended; a new one starts */
        synchronized Window window() {
            Window w = new Window(current, errors);
            current = new ArrayList<>();
            errors = 0;
            return w;
        }

        private synchronized void record(long nanos) {
            current.add(nanos);
        }

        private synchronized void error() {
            errors++;
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /**
     * Runs the healthy client until killed.
     *
     * @param args the server's port on 127.0.0.1, and for wss:// the PEM certificate to trust
     */
    public static void main(String[] args) throws Exception {
        javax.net.ssl.SSLSocketFactory tls = args.length > 1
                ? io.wirefly.server.TlsContexts.trusting(java.nio.file.Path.of(args[1])).getSocketFactory() : null;
        HealthyClient c = new HealthyClient(Integer.parseInt(args[0]), tls, System.out);
        c.run();
    }

    /** The round trips and errors of one window. */
    record Window(List<Long> nanos, int errors) {
        long percentile(double p) {
            if (nanos.isEmpty()) {
                return -1;
            }
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }

        /** @return the slowest round trip of each run of 100 (about a second each), in ms: where the tail came from */
        String timeline() {
            StringBuilder sb = new StringBuilder();
            for (int from = 0; from < nanos.size(); from += 100) {
                long max = 0;
                for (int i = from; i < Math.min(nanos.size(), from + 100); i++) {
                    max = Math.max(max, nanos.get(i));
                }
                sb.append(sb.length() == 0 ? "" : " ").append(Math.round(max / 1e5) / 10.0);
            }
            return sb.toString();
        }
    }

    private final int port;
    private final javax.net.ssl.SSLSocketFactory tls;
    private final java.io.PrintStream out;
    private volatile boolean running = true;

    private HealthyClient(int port, javax.net.ssl.SSLSocketFactory tls, java.io.PrintStream out) {
        this.port = port;
        this.tls = tls;
        this.out = out;
    }

    private void record(long nanos) {
        out.println(nanos);
        out.flush();
    }

    private void error() {
        out.println("error");
        out.flush();
    }

    private void run() {
        byte[] text = "healthy client, 32 bytes, ping!!".getBytes(StandardCharsets.US_ASCII);
        RawPeer peer = null;
        while (running) {
            try {
                if (peer == null) {
                    peer = RawPeer.open(port, false, tls);
                    peer.socket.setSoTimeout(10_000);
                }
                long start = System.nanoTime();
                peer.send(RawPeer.frame(RawPeer.TEXT, text, true));
                byte[] echo = peer.readMessage(1024);
                long took = System.nanoTime() - start;
                if (echo.length != text.length) {
                    throw new IOException("wrong echo");
                }
                record(took);
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (IOException e) {
                error();
                if (peer != null) {
                    peer.close();
                    peer = null;
                }
                sleepQuietly(100);
            } catch (InterruptedException e) {
                break;
            }
        }
        if (peer != null) {
            peer.close();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        running = false;
    }
}
