package io.wirefly.core.internal.frame;

import java.security.SecureRandom;

/**
 * Where a client gets the masking key of each frame it sends.
 *
 * <p>RFC 6455 §5.3: "The masking key needs to be unpredictable; thus, the masking key MUST be derived from a
 * strong source of entropy, and the masking key for a given frame MUST NOT make it simple for a server or proxy
 * to predict the masking key for a subsequent frame." Production code therefore uses {@link #secure()};
 * {@link #fixed(int)} exists so that tests can reproduce exact wire bytes.
 *
 * <pre>{@code
 * FrameEncoder client = new FrameEncoder(Role.CLIENT, MaskKeys.secure());
 * FrameEncoder rfcExample = new FrameEncoder(Role.CLIENT, MaskKeys.fixed(0x37fa213d));
 * }</pre>
 */
@FunctionalInterface
public interface MaskKeys {

    /**
     * Returns the key for the next frame. Implementations returned by this interface's factories are
     * thread-safe.
     *
     * @return the four masking-key octets as a big-endian int (the first octet sent is {@code key >>> 24})
     */
    int nextKey();

    /**
     * Keys from a {@link SecureRandom}, as RFC 6455 §5.3 requires. Any value, 0 included, may come out (0 is a
     * legal key; masking with it leaves the payload unchanged). Each thread draws its keys from its own batch of
     * random bytes, refilled from the {@code SecureRandom} every 64 keys, so a key costs no allocation and no lock.
     *
     * @return a new thread-safe source of unpredictable keys
     */
    static MaskKeys secure() {
        return new SecureMaskKeys(new SecureRandom());
    }

    /**
     * The same key for every frame; for tests only (a predictable key defeats the purpose of masking).
     *
     * @param key the four masking-key octets as a big-endian int
     * @return a source that always returns {@code key}
     */
    static MaskKeys fixed(int key) {
        return () -> key;
    }
}
