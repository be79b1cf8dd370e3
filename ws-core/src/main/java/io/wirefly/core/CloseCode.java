package io.wirefly.core;

/**
 * A WebSocket close status code (RFC 6455 §7.4). Codes 1000–2999 are defined by the protocol and its IANA
 * registry; 3000–3999 are registered for libraries and frameworks; 4000–4999 are for private use between
 * applications. Instances are value-based: compare them with {@link #equals} or by {@link #code()}.
 *
 * <pre>{@code
 * ws.close(CloseCode.GOING_AWAY.code(), "server restart");
 * CloseCode received = CloseCode.of(4001);       // an application code
 * assert received.isValidToReceive();
 * }</pre>
 */
public final class CloseCode {
    /** 1000: the purpose of the connection has been fulfilled. */
    public static final CloseCode NORMAL = new CloseCode(1000);
    /** 1001: an endpoint is going away (server shutdown, browser navigation). */
    public static final CloseCode GOING_AWAY = new CloseCode(1001);
    /** 1002: the peer broke the protocol. */
    public static final CloseCode PROTOCOL_ERROR = new CloseCode(1002);
    /** 1003: a data type that the endpoint cannot accept (for example binary where only text is understood). */
    public static final CloseCode UNSUPPORTED_DATA = new CloseCode(1003);
    /** 1005: reserved, never sent: no status code was present in the close frame. */
    public static final CloseCode NO_STATUS = new CloseCode(1005);
    /** 1006: reserved, never sent: the connection closed without a close frame. */
    public static final CloseCode ABNORMAL = new CloseCode(1006);
    /** 1007: a message's data was not consistent with its type (for example text that is not UTF-8). */
    public static final CloseCode INVALID_PAYLOAD = new CloseCode(1007);
    /** 1008: a message violated the endpoint's policy. */
    public static final CloseCode POLICY_VIOLATION = new CloseCode(1008);
    /** 1009: a message was too big to process. */
    public static final CloseCode MESSAGE_TOO_BIG = new CloseCode(1009);
    /** 1010: the client expected an extension that the server did not negotiate. */
    public static final CloseCode MANDATORY_EXTENSION = new CloseCode(1010);
    /** 1011: the server met an unexpected condition. */
    public static final CloseCode INTERNAL_ERROR = new CloseCode(1011);
    /** 1012: the service is restarting. */
    public static final CloseCode SERVICE_RESTART = new CloseCode(1012);
    /** 1013: try again later. */
    public static final CloseCode TRY_AGAIN_LATER = new CloseCode(1013);
    /** 1014: a gateway or proxy received an invalid response from upstream. */
    public static final CloseCode BAD_GATEWAY = new CloseCode(1014);
    /** 1015: reserved, never sent: the TLS handshake failed. */
    public static final CloseCode TLS_HANDSHAKE = new CloseCode(1015);

    private static final CloseCode[] DEFINED = {
        NORMAL, GOING_AWAY, PROTOCOL_ERROR, UNSUPPORTED_DATA, null, NO_STATUS, ABNORMAL, INVALID_PAYLOAD,
        POLICY_VIOLATION, MESSAGE_TOO_BIG, MANDATORY_EXTENSION, INTERNAL_ERROR, SERVICE_RESTART, TRY_AGAIN_LATER,
        BAD_GATEWAY, TLS_HANDSHAKE
    };

    private final int code;

    private CloseCode(int code) {
        this.code = code;
    }

    /**
     * Returns the close code with this number; the constants for defined codes, a new value otherwise.
     *
     * @param code a number from 0 to 65535 (a close frame carries two bytes)
     * @return the close code
     * @throws IllegalArgumentException if the number does not fit in two bytes
     */
    public static CloseCode of(int code) {
        if (code < 0 || code > 0xFFFF) {
            throw new IllegalArgumentException("close code must be 0..65535, was " + code);
        }
        int index = code - 1000;
        if (index >= 0 && index < DEFINED.length && DEFINED[index] != null) {
            return DEFINED[index];
        }
        return new CloseCode(code);
    }

    /** @return the numeric code */
    public int code() {
        return code;
    }

    /**
     * Whether an endpoint may accept this code in a close frame from its peer (RFC 6455 §7.4.1 and §7.4.2):
     * 1000–1003, 1007–1014 and 3000–4999. 1004 and 1016–2999 are reserved; 1005, 1006 and 1015 must never
     * appear on the wire.
     *
     * @return true if a received close frame may carry this code
     */
    public boolean isValidToReceive() {
        return isValidOnWire(code);
    }

    /**
     * Whether this endpoint may put this code in a close frame. Same set as {@link #isValidToReceive()}.
     *
     * @return true if this code may be sent
     */
    public boolean isValidToSend() {
        return isValidOnWire(code);
    }

    /**
     * @param code a close code
     * @return true if the code may appear in a close frame (1000–1003, 1007–1014, 3000–4999)
     */
    public static boolean isValidOnWire(int code) {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CloseCode c && c.code == code;
    }

    @Override
    public int hashCode() {
        return Integer.hashCode(code);
    }

    @Override
    public String toString() {
        return switch (code) {
            case 1000 -> "1000 NORMAL";
            case 1001 -> "1001 GOING_AWAY";
            case 1002 -> "1002 PROTOCOL_ERROR";
            case 1003 -> "1003 UNSUPPORTED_DATA";
            case 1005 -> "1005 NO_STATUS";
            case 1006 -> "1006 ABNORMAL";
            case 1007 -> "1007 INVALID_PAYLOAD";
            case 1008 -> "1008 POLICY_VIOLATION";
            case 1009 -> "1009 MESSAGE_TOO_BIG";
            case 1010 -> "1010 MANDATORY_EXTENSION";
            case 1011 -> "1011 INTERNAL_ERROR";
            case 1012 -> "1012 SERVICE_RESTART";
            case 1013 -> "1013 TRY_AGAIN_LATER";
            case 1014 -> "1014 BAD_GATEWAY";
            case 1015 -> "1015 TLS_HANDSHAKE";
            default -> Integer.toString(code);
        };
    }
}
