/**
 * The RFC 6455 §4 opening handshake, sans-I/O: {@link io.wirefly.core.internal.handshake.HandshakeParser} reads
 * an HTTP/1.1 head incrementally and within limits; {@link io.wirefly.core.internal.handshake.ServerHandshake}
 * validates an upgrade request and writes the 101 response (or an error response);
 * {@link io.wirefly.core.internal.handshake.ClientHandshake} writes the request and verifies the response.
 *
 * <p>Internal to Wirefly: exported only to its own modules.
 */
package io.wirefly.core.internal.handshake;
