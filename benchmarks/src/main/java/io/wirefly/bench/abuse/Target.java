package io.wirefly.bench.abuse;

import io.wirefly.bench.loadtest.ProcStats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The server under attack: the echo example in its own JVM ({@code java -Xmx64m -jar ws-examples.jar echo}), seen
 * from outside through {@code /proc/<pid>}: resident memory (sampled every 100 ms for the peak), open descriptors
 * and whether it is alive; its standard error goes to a log the report checks for dead threads.
 *
 * <pre>{@code
 * try (Target t = Target.start(List.of(), jar, "64m", List.of(), log)) {
 *     long rss = t.rss();
 * }
 * }</pre>
 */
final class Target implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("echo server on wss?://localhost:(\\d+)/");

    final Process process;
    final int port;
    final Path log;
    private final Thread sampler;
    private volatile long peakRss;

    private Target(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
        this.sampler = new Thread(this::sample, "rss-sampler");
        this.sampler.setDaemon(true);
        this.sampler.start();
    }

    /**
     * @param prefix words before the java command (such as {@code nice -n -10}), or empty
     * @param echoArgs more arguments for the echo command ({@code --tls-cert}, say), or empty
     */
    static Target start(List<String> prefix, Path jar, String heap, List<String> echoArgs, Path log)
            throws IOException, InterruptedException {
        List<String> example = new ArrayList<>(List.of("echo", "--port", "0", "--stop-timeout", "5"));
        example.addAll(echoArgs);
        return start(prefix, jar, heap, example, LISTENING, log);
    }

    /**
     * @param example the example's command line ({@code led --port 0}, say)
     * @param listening what the example prints once it listens, its port as the first group
     */
    static Target start(List<String> prefix, Path jar, String heap, List<String> example, Pattern listening,
            Path log) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx" + heap);
        // Extra server JVM flags for a diagnosis (a GC log, say): ABUSE_SERVER_OPTS="-Xlog:gc:file=/tmp/gc.log"
        String extra = System.getenv("ABUSE_SERVER_OPTS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        cmd.addAll(example);
        Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread out = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = listening.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            port.completeExceptionally(new IOException("the example exited before listening"));
        }, "target-stdout");
        out.setDaemon(true);
        out.start();
        try {
            return new Target(p, port.get(60, TimeUnit.SECONDS), log);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new IOException("could not start " + cmd + ": " + e.getMessage(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** @return resident memory now, or -1 once the process is gone */
    long rss() {
        try {
            return ProcStats.rssBytes(pid());
        } catch (IOException e) {
            return -1;
        }
    }

    /** @return open file descriptors now (sockets, the JVM's own files), or -1 once the process is gone */
    long fds() {
        try (Stream<Path> s = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return s.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Asks the server for a full collection ({@code jcmd <pid> GC.run}) and then for the heap it uses: what is
     * still reachable once the garbage is gone. It pauses the server, so call it between measurement windows.
     *
     * @return live heap in bytes, or -1 if {@code jcmd} gave no answer
     */
    long liveHeap() throws InterruptedException {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        try {
            jcmdOutput(jcmd, "GC.run");
            Matcher m = Pattern.compile("used (\\d+)K").matcher(jcmdOutput(jcmd, "GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) << 10 : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private String jcmdOutput(String jcmd, String command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(jcmd, Long.toString(pid()), command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " failed: " + output);
        }
        return output;
    }

    /** @return the highest resident memory seen since the last call; the next window starts at the current value */
    long takePeakRss() {
        long peak = Math.max(peakRss, rss());
        peakRss = rss();
        return peak;
    }

    /** @return what the server wrote to standard error so far */
    String stderr() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Waits until the descriptor count is back to at most {@code limit}.
     *
     * @return the count when it got there, or when the time ran out
     */
    long awaitFds(long limit, long timeoutMillis) throws InterruptedException {
        long end = System.nanoTime() + timeoutMillis * 1_000_000L;
        long n = fds();
        while (n > limit && System.nanoTime() < end) {
            Thread.sleep(100);
            n = fds();
        }
        return n;
    }

    private void sample() {
        while (process.isAlive()) {
            long r = rss();
            if (r > peakRss) {
                peakRss = r;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        process.destroy();   // SIGTERM: the server stops gracefully (and a diagnosis such as a JFR file is written)
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        sampler.interrupt();
    }
}
