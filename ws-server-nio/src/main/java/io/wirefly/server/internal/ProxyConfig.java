package io.wirefly.server.internal;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Which HTTP proxy a client connection goes through, if any: a fixed one, or the first HTTP proxy a
 * {@link ProxySelector} offers for the server's {@code http://} or {@code https://} URI (as the JDK's HTTP client
 * asks it), with optional Basic credentials.
 *
 * <pre>{@code
 * ProxyConfig proxy = new ProxyConfig(null, ProxySelector.getDefault(), "user", "secret");
 * InetSocketAddress via = proxy.select(URI.create("wss://example.com/feed"));   // null: go direct
 * }</pre>
 *
 * @param fixed the proxy to use for every connection, or null
 * @param selector asked per connection when there is no fixed proxy, or null
 * @param user the proxy user, or null
 * @param password the proxy password, or null
 */
public record ProxyConfig(Proxy fixed, ProxySelector selector, String user, String password) {

    /** No proxy. */
    public static final ProxyConfig DIRECT = new ProxyConfig(null, null, null, null);

    /**
     * @param server the {@code ws://} or {@code wss://} URI being opened
     * @return the proxy's address, or null to connect directly
     */
    public InetSocketAddress select(URI server) {
        if (fixed != null) {
            return address(fixed);   // NO_PROXY: null, direct
        }
        if (selector == null) {
            return null;
        }
        boolean secure = "wss".equalsIgnoreCase(server.getScheme());
        URI asHttp = URI.create((secure ? "https" : "http") + "://" + server.getRawAuthority() + "/");
        List<Proxy> proxies = selector.select(asHttp);
        for (Proxy p : proxies == null ? List.<Proxy>of() : proxies) {
            InetSocketAddress a = address(p);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    private static InetSocketAddress address(Proxy p) {
        if (p.type() != Proxy.Type.HTTP) {
            return null;
        }
        SocketAddress a = p.address();
        if (!(a instanceof InetSocketAddress i)) {
            return null;
        }
        return i.isUnresolved() ? new InetSocketAddress(i.getHostString(), i.getPort()) : i;
    }
}
