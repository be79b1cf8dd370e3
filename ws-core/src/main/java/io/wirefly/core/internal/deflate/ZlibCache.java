package io.wirefly.core.internal.deflate;

import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The zlib objects of one thread, lent to connections that do not take context over from one message to the next.
 * Without context takeover a compressor holds no state between messages, so one per thread (an event loop) serves
 * every such connection; a decompressor holds state only while a message is arriving, so it is taken when a
 * message starts and given back when it ends. A server with thousands of compressed connections then holds a few
 * zlib states per loop, not one or two per connection (each is about 64-256 KiB of native memory that the heap
 * limit does not see).
 *
 * <p>Confined to its thread, like the connections that use it; what a dead thread held is freed by the objects'
 * cleaners.
 *
 * <pre>{@code
 * ZlibCache cache = ZlibCache.get();
 * Deflater deflater = cache.deflater(6, false);   // this thread's, reset before it is used again
 * Inflater inflater = cache.takeInflater();
 * ...
 * cache.giveBack(inflater);
 * }</pre>
 */
final class ZlibCache {
    /** Decompressors kept for reuse; more in use at once are made and, when given back, ended. */
    static final int IDLE_INFLATERS = 4;
    /** The size of the array decompressed bytes pass through (see {@link #scratch}). */
    static final int SCRATCH_SIZE = 8192;
    private static final int LEVELS = 11;   // -1 (the default) and 0..9
    private static final ThreadLocal<ZlibCache> CACHE = ThreadLocal.withInitial(ZlibCache::new);

    /** One compressor per level and strategy, made on first use: [huffmanOnly ? 1 : 0][level + 1]. */
    private final Deflater[] deflaters = new Deflater[2 * LEVELS];
    private final Inflater[] idle = new Inflater[IDLE_INFLATERS];
    private int idleCount;
    /** Where decompressed bytes land before a sink copies them; nothing is kept in it between calls. */
    final byte[] scratch = new byte[SCRATCH_SIZE];

    private ZlibCache() {
    }

    /** @return the calling thread's cache */
    static ZlibCache get() {
        return CACHE.get();
    }

    /**
     * @param level the DEFLATE level, -1..9
     * @param huffmanOnly whether the compressor uses no back-references
     * @return this thread's raw-DEFLATE compressor for them; the caller leaves it reset when its call ends
     */
    Deflater deflater(int level, boolean huffmanOnly) {
        int slot = (huffmanOnly ? LEVELS : 0) + level + 1;
        Deflater d = deflaters[slot];
        if (d == null) {
            d = new Deflater(level, true);
            if (huffmanOnly) {
                d.setStrategy(Deflater.HUFFMAN_ONLY);
            }
            deflaters[slot] = d;
        }
        return d;
    }

    /** @return a raw-DEFLATE decompressor in its initial state, for one message */
    Inflater takeInflater() {
        if (idleCount == 0) {
            return new Inflater(true);
        }
        Inflater i = idle[--idleCount];
        idle[idleCount] = null;
        return i;
    }

    /** @param inflater taken with {@link #takeInflater()}, in any state; reset and kept, or ended */
    void giveBack(Inflater inflater) {
        if (idleCount < IDLE_INFLATERS) {
            inflater.reset();
            idle[idleCount++] = inflater;
        } else {
            inflater.end();
        }
    }

    /** @return decompressors kept for reuse (for tests) */
    int idleInflaters() {
        return idleCount;
    }
}
