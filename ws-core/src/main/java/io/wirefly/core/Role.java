package io.wirefly.core;

/**
 * Which end of a connection an endpoint is. RFC 6455 treats the two ends differently: a client masks every
 * frame it sends and a server must not; a server rejects unmasked frames and a client rejects masked ones.
 *
 * <pre>{@code
 * boolean mustMask = role == Role.CLIENT;
 * }</pre>
 */
public enum Role {
    /** The end that opened the connection and sent the handshake request. */
    CLIENT,
    /** The end that accepted the connection and answered the handshake. */
    SERVER;

    /** @return the role of the other end of the connection */
    public Role peer() {
        return this == CLIENT ? SERVER : CLIENT;
    }
}
