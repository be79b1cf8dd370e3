/**
 * The RFC 6455 §5 framing layer, free of protocol rules: {@link io.wirefly.core.internal.frame.FrameDecoder}
 * tokenises bytes into header, payload and frame-end calls on a {@link io.wirefly.core.internal.frame.FrameSink};
 * {@link io.wirefly.core.internal.frame.FrameEncoder} writes frames; {@link io.wirefly.core.internal.frame.Masking}
 * is the in-place, word-at-a-time masking transform.
 *
 * <p>Internal to Wirefly: exported only to its own modules.
 */
package io.wirefly.core.internal.frame;
