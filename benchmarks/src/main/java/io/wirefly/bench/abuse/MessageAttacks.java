package io.wirefly.bench.abuse;

import io.wirefly.bench.abuse.Attacks.Tally;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.Deflater;

/**
 * The attacks made of what upgraded peers send: messages that inflate to far more than they weigh, compressed
 * messages left half sent, frames that announce more than they bring, messages split into a fragment per byte, and
 * random bytes. Like {@link Attacks}, whose attacker pool and helpers they use, every one is bounded in connections
 * and in time and talks to 127.0.0.1 only.
 *
 * <pre>{@code
 * MessageAttacks messages = new MessageAttacks(attacks, target);
 * Tally t = messages.garbage(10_000, 4096);
 * }</pre>
 */
final class MessageAttacks {
    private final Attacks attacks;
    private final Target target;
    private final int port;

    /**
     * @param attacks the attacks whose pool and helpers these share
     * @param target the server, for its port and its resident memory
     */
    MessageAttacks(Attacks attacks, Target target) {
        this.attacks = attacks;
        this.target = target;
        this.port = target.port;
    }

    /**
     * @param inflatedBytes what the message inflates to
     * @return a permessage-deflate payload (RFC 7692 §7.2.1: the trailing {@code 00 00 ff ff} removed) of that
     *     many zero bytes
     */
    static byte[] bomb(long inflatedBytes) {
        Deflater deflater = new Deflater(Deflater.BEST_COMPRESSION, true);
        byte[] zeros = new byte[1 << 16];
        byte[] buf = new byte[1 << 16];
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long left = inflatedBytes; left > 0; left -= zeros.length) {
            deflater.setInput(zeros, 0, (int) Math.min(zeros.length, left));
            while (!deflater.needsInput()) {
                out.write(buf, 0, deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
            }
        }
        int n;
        while ((n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH)) > 0) {
            out.write(buf, 0, n);
            if (n < buf.length) {
                break;
            }
        }
        deflater.end();
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, all.length - 4);
    }

    /** {@code n} connections that each send one compressed message that inflates to {@code bomb}'s size. */
    Tally decompressionBomb(int n, byte[] bomb) throws InterruptedException {
        Tally tally = new Tally();
        attacks.parallel(n, 120, i -> {
            try (RawPeer p = RawPeer.open(port, true)) {
                if (!p.deflate) {
                    tally.add("deflate not negotiated");
                    return;
                }
                try {
                    p.send(RawPeer.frame(RawPeer.BINARY, bomb, true, true));
                } catch (IOException e) {
                    tally.add("cut while sending");
                }
                tally.code(p.awaitClose(20_000));
            }
        }, tally);
        return tally;
    }

    /**
     * {@code n} connections that each negotiate permessage-deflate, exchange one compressed message of 16 KiB of text
     * with the server, and stay; every other one then sends the first frame of a second compressed message (half of
     * it) and nothing more. All are held {@code seconds}. zlib's memory is native, outside the heap limit: the echo
     * example before {@code 9ff5ecf} kept a compressor and a decompressor per connection after its first message,
     * and its RSS grew by 638 MiB with 3,000 such connections (this suite's bar is 256 MiB); since then, by 62 MiB.
     * The half messages each hold a decompressor and the half message's text: the server answers 1013 to those its
     * inbound budget has no room for (1009 before {@code InboundBudget.refusal}), and the others wait, open, for the
     * rest of their message.
     */
    Tally compressedThenIdle(int n, int seconds) throws InterruptedException {
        Tally tally = new Tally();
        byte[] whole = RawPeer.frame(RawPeer.TEXT, compressedText(16 << 10, 1), true, true);
        byte[] compressed = compressedText(64 << 10, 2);
        byte[] half = RawPeer.frame(RawPeer.TEXT, java.util.Arrays.copyOf(compressed, compressed.length / 2), false,
                true);
        System.gc();
        long before = target.rss();
        ConcurrentLinkedQueue<RawPeer> open = new ConcurrentLinkedQueue<>();
        attacks.parallel(n, 600, i -> {
            RawPeer p = RawPeer.open(port, true);
            if (!p.deflate) {
                tally.add("deflate not negotiated");
                p.close();
                return;
            }
            p.send(whole);
            RawPeer.Frame echo = p.readFrame(1 << 20);   // compressed by the server, in one frame
            if (echo.opcode() == RawPeer.CLOSE) {
                tally.add("close " + echo.closeCode() + " at the first message");
                p.close();
                return;
            }
            open.add(p);
        }, tally);
        Thread.sleep(2_000);
        long idle = target.rss();
        List<RawPeer> all = new ArrayList<>(open);
        for (int i = 1; i < all.size(); i += 2) {
            try {
                all.get(i).send(half);
            } catch (IOException e) {
                tally.add("cut while sending");
            }
        }
        Thread.sleep(Math.max(0, seconds - 2) * 1000L);
        long after = target.rss();
        tally.notes.add(String.format("server RSS %+.1f MiB with %d connections idle after a compressed echo, then "
                + "%+.1f MiB once %d of them were mid-message", (idle - before) / 1048576.0, all.size(),
                (after - idle) / 1048576.0, all.size() / 2));
        attacks.parallel(all.size(), 300, i -> {
            RawPeer p = all.get(i);
            try {
                tally.code(p.awaitClose(200));   // a 1013 is there already; "no answer": still open
            } finally {
                p.reset();
            }
        }, tally);
        return tally;
    }

    /**
     * {@code n} connections that each announce a binary frame of {@code announced} bytes, send {@code sent} of them
     * and then one more byte a second for {@code seconds} (so that no idle timeout ends them): the lie makes the
     * server hold a part message per connection, in its inbound budget, for as long as the liar likes. Halfway
     * through, a fresh client sends a 64 KiB message of its own in two writes, so that it needs room in the same
     * budget; the note says what it got. Before {@code SharedBudget}, the first liars kept the budget full and the
     * fresh client got 1009; now a message in progress for a second gives way to newer ones (1013).
     */
    Tally lyingLengths(int n, int announced, int sent, int seconds) throws InterruptedException {
        Tally tally = new Tally();
        byte[] whole = RawPeer.frame(RawPeer.BINARY, new byte[announced], true);
        byte[] opening = java.util.Arrays.copyOf(whole, whole.length - announced + sent);
        System.gc();
        long before = target.rss();
        ConcurrentLinkedQueue<RawPeer> open = new ConcurrentLinkedQueue<>();
        attacks.parallel(n, 600, i -> {
            RawPeer p = RawPeer.open(port, false);
            p.send(opening);
            open.add(p);
        }, tally);
        List<RawPeer> all = new ArrayList<>(open);
        int[] at = new int[all.size()];
        java.util.Arrays.fill(at, opening.length);
        String fresh = null;
        for (int second = 0; second < seconds; second++) {
            Thread.sleep(1_000);
            for (int i = 0; i < all.size(); i++) {
                RawPeer p = all.get(i);
                if (p.socket.isClosed() || at[i] >= whole.length) {
                    continue;
                }
                try {
                    if (p.socket.getInputStream().available() > 0) {
                        tally.code(p.awaitClose(200));   // the server said something: its close, read before
                        p.close();                        // a byte more would make its kernel reset us
                        continue;
                    }
                    p.send(java.util.Arrays.copyOfRange(whole, at[i], at[i] + 1));
                    at[i]++;
                } catch (IOException e) {
                    tally.add("reset");
                    p.close();
                }
            }
            if (second == seconds / 2) {
                fresh = attacks.freshClientSends(64 << 10);
            }
        }
        long after = target.rss();
        tally.notes.add(String.format("a fresh client's 64 KiB message, sent while the liars held on: %s; server RSS"
                + " %+.1f MiB with %d liars", fresh, (after - before) / 1048576.0, all.size()));
        attacks.parallel(all.size(), 300, i -> {
            RawPeer p = all.get(i);
            if (p.socket.isClosed()) {
                return;   // tallied above
            }
            try {
                tally.code(p.awaitClose(200));   // "no answer": still holding its part message
            } finally {
                p.reset();
            }
        }, tally);
        return tally;
    }

    /**
     * @param textBytes how much JSON-like text to compress
     * @param seed which text
     * @return its permessage-deflate payload (raw DEFLATE, sync-flushed, the trailing {@code 00 00 ff ff} removed)
     */
    private static byte[] compressedText(int textBytes, long seed) {
        StringBuilder text = new StringBuilder(textBytes);
        java.util.Random random = new java.util.Random(seed);
        while (text.length() < textBytes) {
            text.append("{\"id\":").append(random.nextInt(1_000_000)).append(",\"v\":").append(random.nextDouble())
                    .append("} ");
        }
        try (io.wirefly.core.internal.deflate.MessageDeflater deflater =
                new io.wirefly.core.internal.deflate.MessageDeflater(6, true)) {
            java.nio.ByteBuffer payload = deflater.compress(java.nio.ByteBuffer.wrap(
                    text.toString().getBytes(StandardCharsets.US_ASCII)));
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            return bytes;
        }
    }

    /** {@code n} connections that each send one text message in {@code fragments} one-byte frames, then read it. */
    Tally fragments(int n, int fragments) throws InterruptedException {
        Tally tally = new Tally();
        ByteArrayOutputStream stream = new ByteArrayOutputStream(fragments * 7);
        byte[] one = {'f'};
        for (int i = 0; i < fragments; i++) {
            int opcode = i == 0 ? RawPeer.TEXT : RawPeer.CONTINUATION;
            stream.writeBytes(RawPeer.frame(opcode, one, i == fragments - 1));
        }
        byte[] bytes = stream.toByteArray();
        attacks.parallel(n, 300, i -> {
            try (RawPeer p = RawPeer.open(port, false)) {
                p.socket.setSoTimeout(60_000);
                p.send(bytes);
                try {
                    byte[] echo = p.readMessage(16 << 20);
                    tally.add(echo.length == fragments ? "echoed whole" : "echoed " + echo.length + " bytes");
                } catch (IOException e) {
                    tally.add(String.valueOf(e.getMessage()));
                }
                p.send(RawPeer.close(1000));
                p.awaitClose(10_000);
            }
        }, tally);
        return tally;
    }

    /** {@code n} connections that upgrade and then send {@code bytes} random bytes. */
    Tally garbage(int n, int bytes) throws InterruptedException {
        Tally tally = new Tally();
        attacks.parallel(n, 300, i -> {
            try (RawPeer p = RawPeer.open(port, false)) {
                byte[] junk = new byte[bytes];
                ThreadLocalRandom.current().nextBytes(junk);
                try {
                    p.send(junk);
                } catch (IOException e) {
                    tally.add("cut while sending");
                }
                tally.code(p.awaitClose(5_000));
            }
        }, tally);
        return tally;
    }
}
