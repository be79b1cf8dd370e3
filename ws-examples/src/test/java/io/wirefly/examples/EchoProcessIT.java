package io.wirefly.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The echo example as an operator runs it: its own JVM from the shaded jar, then attacked or stopped from outside.
 * Each test starts a fresh process and kills it at the end whatever happens.
 */
class EchoProcessIT {
    private static final Pattern LISTENING = Pattern.compile("echo server on ws://localhost:(\\d+)/");

    /** One child JVM running {@code echo --port 0}, its output collected for the assertions. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final int port;
        final StringBuffer stdout = new StringBuffer();
        private final Path errFile;

        Child(String... jvmOptions) throws Exception {
            Path jar = Path.of("target", "ws-examples.jar");
            assertTrue(Files.isRegularFile(jar), "the shaded jar is built before the ITs run: " + jar.toAbsolutePath());
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.addAll(List.of(jvmOptions));
            cmd.addAll(List.of("-jar", jar.toString(), "echo", "--port", "0", "--stop-timeout", "5"));
            errFile = Files.createTempFile("echo-stderr", ".txt");
            process = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
            CompletableFuture<Integer> found = new CompletableFuture<>();
            Thread out = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        stdout.append(line).append('\n');
                        Matcher m = LISTENING.matcher(line);
                        if (m.find()) {
                            found.complete(Integer.parseInt(m.group(1)));
                        }
                    }
                } catch (IOException e) {
                    found.completeExceptionally(e);
                }
                found.completeExceptionally(new IOException("the echo server exited: " + stderr()));
            }, "child-stdout");
            out.setDaemon(true);
            out.start();
            port = found.get(30, TimeUnit.SECONDS);
        }

        /** @return what the process wrote to stderr so far */
        String stderr() {
            try {
                return Files.readString(errFile);
            } catch (IOException e) {
                return "(stderr unreadable: " + e + ")";
            }
        }

        @Override
        public void close() throws IOException {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(errFile);
        }
    }

    /** A raw client: the handshake by hand, then whatever bytes the test wants, however wrong. */
    private static Socket upgraded(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        byte[] nonce = new byte[16];
        ThreadLocalRandom.current().nextBytes(nonce);
        String request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(nonce)
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
        s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the handshake: " + head);
            }
            head.append((char) b);
        }
        if (!head.toString().startsWith("HTTP/1.1 101")) {
            throw new IOException("not upgraded: " + head);
        }
        return s;
    }

    /** The header of a masked binary frame that announces {@code length} bytes, with its mask key (all zero). */
    private static byte[] binaryHeader(long length) {
        ByteBuffer b = ByteBuffer.allocate(14);
        b.put((byte) 0x82).put((byte) (0x80 | 127)).putLong(length).putInt(0);
        return b.array();
    }

    /**
     * @return the close code of the first close frame the server sends (frames before it are skipped), -1 if the
     *     connection ended without one, or -2 if nothing came within the socket timeout
     */
    private static int closeCode(Socket s) {
        try {
            InputStream in = s.getInputStream();
            while (true) {
                int b0 = in.read();
                int b1 = in.read();
                if (b0 < 0 || b1 < 0) {
                    return -1;
                }
                long len = b1 & 0x7F;
                if (len == 126) {
                    len = (in.read() << 8) | in.read();
                } else if (len == 127) {
                    len = ByteBuffer.wrap(in.readNBytes(8)).getLong();
                }
                byte[] payload = in.readNBytes((int) len);
                if ((b0 & 0x0F) == 0x8) {
                    return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
                }
            }
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Sends one text with the JDK client and waits for its echo. */
    private static String echo(int port, String text) throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        StringBuilder sb = new StringBuilder();
        WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        sb.append(data);
                        if (last) {
                            reply.complete(sb.toString());
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
        String r = reply.get(10, TimeUnit.SECONDS);
        ws.sendClose(1000, "").get(10, TimeUnit.SECONDS);
        return r;
    }

    private static void assertNoThreadDied(Child child) {
        String err = child.stderr();
        assertFalse(err.contains("Exception in thread"), "a thread died:\n" + err);
        assertFalse(err.contains("OutOfMemoryError"), "the heap ran out:\n" + err);
        assertTrue(child.process.isAlive(), "the server is still running");
    }

    /**
     * The transport issue's first finding: under a 48 MiB heap, connections that each announced a 1 MiB frame and
     * sent one byte killed both event loops. Memory now follows the bytes received, under a server-wide budget
     * (a quarter of the heap): the liars cost nothing, the greedy ones are closed with 1013 (their 1 MiB messages would
     * fit a quieter server), and everyone else is served throughout.
     */
    @Test
    void underA64MiBHeapHugeFrameClaimsKillNothingAndAFreshClientIsServed() throws Exception {
        try (Child child = new Child("-Xmx64m")) {
            List<Socket> liars = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    Socket s = upgraded(child.port);
                    OutputStream out = s.getOutputStream();
                    out.write(binaryHeader(1 << 20));
                    out.write(0x42);
                    out.flush();
                    liars.add(s);
                }
                assertEquals("still here", echo(child.port, "still here"), "200 claims of 1 MiB cost nothing");

                // Now make 200 of them really send 256 KiB of their megabyte: 50 MiB, over the 16 MiB budget.
                List<Socket> greedy = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    Socket s = upgraded(child.port);
                    s.getOutputStream().write(binaryHeader(1 << 20));
                    greedy.add(s);
                }
                ExecutorService pool = Executors.newFixedThreadPool(16);
                AtomicInteger cut = new AtomicInteger();
                try {
                    List<Future<?>> sends = new ArrayList<>();
                    byte[] chunk = new byte[256 * 1024];
                    for (Socket s : greedy) {
                        sends.add(pool.submit(() -> {
                            try {
                                s.getOutputStream().write(chunk);
                            } catch (IOException e) {
                                cut.incrementAndGet();   // closed by the server while sending: expected for some
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : sends) {
                        f.get(120, TimeUnit.SECONDS);
                    }
                    assertEquals("served during the flood", echo(child.port, "served during the flood"));
                    int refused = 0;
                    for (Socket s : greedy) {
                        s.setSoTimeout(500);
                        if (closeCode(s) == 1013) {
                            refused++;
                        }
                    }
                    assertTrue(refused > 0, "the server-wide budget closed some with 1013");
                    assertTrue(refused < greedy.size(), "but not everyone: " + refused
                            + " of 200 were refused");
                } finally {
                    pool.shutdownNow();
                    for (Socket s : greedy) {
                        s.close();
                    }
                }
                // The budget comes back when they are gone: a 1 MiB message fits again.
                String big = "x".repeat(1 << 20);
                assertEquals(big.length(), echo(child.port, big).length());
                assertNoThreadDied(child);
            } finally {
                for (Socket s : liars) {
                    s.close();
                }
            }
        }
    }

    /**
     * systemd and Kubernetes stop services with SIGTERM. With 200 clients in the middle of an echo conversation,
     * the server stops accepting, finishes writing what it queued, and closes every connection with 1001.
     */
    @Test
    void sigtermClosesTwoHundredBusyConnectionsWith1001AfterEveryQueuedEcho() throws Exception {
        try (Child child = new Child("-Xmx256m")) {
            HttpClient http = HttpClient.newHttpClient();
            AtomicBoolean stopping = new AtomicBoolean();
            List<Conversation> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Conversation c = new Conversation(stopping);
                c.ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + child.port + "/"), c)
                        .get(10, TimeUnit.SECONDS);
                all.add(c);
            }
            all.forEach(Conversation::next);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (all.stream().mapToInt(c -> c.echoed.get()).min().orElse(0) < 20 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertTrue(all.stream().allMatch(c -> c.echoed.get() >= 20), "every conversation is under way: "
                    + all.stream().mapToInt(c -> c.echoed.get()).summaryStatistics() + " "
                    + all.stream().flatMap(c -> c.problems.stream()).limit(3).toList());

            stopping.set(true);   // nothing new is sent from here on; what is in flight may still come back
            child.process.destroy();   // SIGTERM
            assertTrue(child.process.waitFor(20, TimeUnit.SECONDS), "the server exits after its stop timeout");
            for (Conversation c : all) {
                c.closed.get(10, TimeUnit.SECONDS);
            }
            long goingAway = all.stream().filter(c -> c.closeCode == 1001).count();
            assertTrue(goingAway >= 190, goingAway + " of 200 got 1001 \"going away\"; stderr:\n" + child.stderr());
            for (Conversation c : all) {
                assertTrue(c.inOrder, "echoes arrive in order, none missing");
                assertTrue(c.sent.get() - c.echoed.get() <= 1,
                        "at most the one message in flight at the signal is unanswered: sent " + c.sent + ", echoed "
                                + c.echoed);
            }
            String err = child.stderr();
            assertTrue(err.contains("connections closed with 1001"), "the hook reports the stop: " + err + " exit " + child.process.exitValue() + " out " + child.stdout);
            assertFalse(err.contains("Exception in thread"), err);
        }
    }

    /** One client that sends numbered texts one after another, each after the echo of the last. */
    private static final class Conversation implements WebSocket.Listener {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger echoed = new AtomicInteger();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean stopping;
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket ws;
        private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
        volatile boolean inOrder = true;
        volatile int closeCode = -1;

        Conversation(AtomicBoolean stopping) {
            this.stopping = stopping;
        }

        void next() {
            if (stopping.get()) {
                return;
            }
            // The JDK client allows one send at a time: chain on the previous one's completion.
            lastSend = lastSend.thenCompose(x -> {
                int n = sent.getAndIncrement();
                return ws.sendText("message " + n + " " + "y".repeat(200), true);
            }).exceptionally(e -> {
                problems.add(String.valueOf(e));
                return null;
            });
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (!text.startsWith("message " + echoed.get() + " ")) {
                    inOrder = false;
                }
                echoed.incrementAndGet();
                next();
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
            closeCode = code;
            closed.complete(null);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            problems.add(String.valueOf(error));
            closed.complete(null);
        }
    }
}
