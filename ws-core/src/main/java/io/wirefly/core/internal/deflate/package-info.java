/**
 * RFC 7692 permessage-deflate: {@link io.wirefly.core.internal.deflate.DeflateParams} negotiates the extension
 * in the opening handshake; {@link io.wirefly.core.internal.deflate.MessageDeflater} and
 * {@link io.wirefly.core.internal.deflate.MessageInflater} compress and decompress whole messages with the JDK's
 * raw DEFLATE ({@link java.util.zip.Deflater} / {@link java.util.zip.Inflater} with {@code nowrap}).
 *
 * <p>Internal to Wirefly: exported only to its own modules.
 */
package io.wirefly.core.internal.deflate;
