package io.wirefly.core;

import java.util.Objects;

/**
 * The peer broke a rule of RFC 6455 or RFC 7692, or a configured limit was exceeded. The connection is failed
 * with {@link #closeCode()}: 1002 for a protocol error, 1007 for invalid payload data, 1009 for a message
 * that is too big, 1011 for an unexpected condition.
 *
 * <pre>{@code
 * try {
 *     protocol.receive(bytes);
 * } catch (ProtocolException e) {
 *     // never thrown by Protocol.receive: it closes the connection itself; other codecs may throw it
 *     System.out.println(e.closeCode() + " " + e.getMessage());
 * }
 * }</pre>
 */
public class ProtocolException extends WebSocketException {
    private static final long serialVersionUID = 1L;

    private final transient CloseCode closeCode;

    /**
     * @param closeCode the close code the violation earns
     * @param detail which rule was broken, for logs (it may be sent to the peer as the close reason, so it must
     *     never hold user data or an internal exception's message)
     */
    public ProtocolException(CloseCode closeCode, String detail) {
        super(detail);
        this.closeCode = Objects.requireNonNull(closeCode, "closeCode");
    }

    /**
     * @param closeCode the close code the failure earns (usually {@link CloseCode#INTERNAL_ERROR})
     * @param detail what happened, for logs
     * @param cause the unexpected exception behind it; its message is never sent to the peer
     */
    public ProtocolException(CloseCode closeCode, String detail, Throwable cause) {
        super(detail, cause);
        this.closeCode = Objects.requireNonNull(closeCode, "closeCode");
    }

    /** @return the close code that this violation earns */
    public CloseCode closeCode() {
        return closeCode;
    }
}
