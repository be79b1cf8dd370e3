package io.wirefly.server.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Finds the handler of a request path. Three kinds of route, tried in this order:
 * <ul>
 *   <li>exact: {@code /echo} matches {@code /echo} only;</li>
 *   <li>templates: {@code /chat/{room}} matches {@code /chat/lobby} with {@code room = lobby} (a {@code {name}}
 *       segment matches one non-empty segment, percent-decoded), tried in the order they were added;</li>
 *   <li>prefixes: {@code /files/*} matches {@code /files} and everything below it, with the rest (decoded) as the
 *       parameter {@code *}; the longest prefix wins. A prefix may contain {@code {name}} segments too.</li>
 * </ul>
 *
 * <pre>{@code
 * Router<WebSocketHandler> router = Router.of(Map.of("/chat/{room}", chat));
 * Router.Match<WebSocketHandler> m = router.match("/chat/lobby");   // m.value() == chat, {room=lobby}
 * }</pre>
 */
public final class Router<T> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]+");

    /**
     * A route found: what it leads to and the values of its parameters.
     *
     * @param value the route's value (its handler)
     * @param parameters the path parameters, decoded
     * @param path the request's path; for an exact route, the route's own string (equal to it), so that a
     *     connection that keeps its path does not keep a copy of it
     * @param <T> the value's type
     */
    record Match<T>(T value, Map<String, String> parameters, String path) {
    }

    private record Template<T>(String route, String[] segments, boolean prefix, T value) {
    }

    /** Exact routes, each with its match made once. */
    private final Map<String, Match<T>> exact = new HashMap<>();
    private final List<Template<T>> templates = new ArrayList<>();
    private final List<Template<T>> prefixes = new ArrayList<>();

    private Router() {
    }

    /**
     * @param routes values (handlers) by route, in the order they were added
     * @param <T> the values' type
     * @return the router
     * @throws IllegalArgumentException naming the route if one is malformed
     */
    public static <T> Router<T> of(Map<String, T> routes) {
        Router<T> r = new Router<>();
        routes.forEach((route, handler) -> {
            check(route);
            boolean prefix = route.endsWith("/*");
            String body = prefix ? route.substring(0, route.length() - 2) : route;
            if (!prefix && !body.contains("{")) {
                r.exact.put(route, new Match<>(handler, Map.of(), route));
                return;
            }
            Template<T> t = new Template<>(route, segments(body), prefix, handler);
            (prefix ? r.prefixes : r.templates).add(t);
        });
        r.prefixes.sort(Comparator.comparingInt((Template<T> t) -> t.segments().length).reversed());
        return r;
    }

    /**
     * Checks a route's syntax, for {@code build()}.
     *
     * @throws IllegalArgumentException naming the route
     */
    public static void check(String route) {
        if (!route.startsWith("/")) {
            throw new IllegalArgumentException("route path must start with '/', was " + route);
        }
        boolean prefix = route.endsWith("/*");
        String body = prefix ? route.substring(0, route.length() - 2) : route;
        if (body.contains("*")) {
            throw new IllegalArgumentException("route '" + route + "': '*' may only end a route, as '/*'");
        }
        Set<String> names = new HashSet<>();
        for (String segment : segments(body)) {
            boolean open = segment.startsWith("{");
            boolean close = segment.endsWith("}");
            if (open || close || segment.contains("{") || segment.contains("}")) {
                String name = open && close ? segment.substring(1, segment.length() - 1) : "";
                if (!NAME.matcher(name).matches()) {
                    throw new IllegalArgumentException("route '" + route + "': a parameter is a whole segment "
                            + "{name} of letters, digits or '_', was '" + segment + "'");
                }
                if (!names.add(name)) {
                    throw new IllegalArgumentException("route '" + route + "': parameter '" + name + "' twice");
                }
            }
        }
    }

    /**
     * @param path the request path, percent-encoded as sent
     * @return the handler and parameters, or null if no route matches
     * @throws io.wirefly.core.HandshakeException 400 if a parameter has a malformed escape
     */
    Match<T> match(String path) {
        Match<T> found = exact.get(path);
        if (found != null) {
            return found;
        }
        String[] parts = segments(path);
        for (Template<T> t : templates) {
            if (t.segments().length == parts.length) {
                Map<String, String> values = bind(t, parts);
                if (values != null) {
                    return new Match<>(t.value(), values, path);
                }
            }
        }
        for (Template<T> t : prefixes) {
            if (parts.length >= t.segments().length) {
                Map<String, String> values = bind(t, parts);
                if (values != null) {
                    StringBuilder rest = new StringBuilder();
                    for (int i = t.segments().length; i < parts.length; i++) {
                        rest.append(i == t.segments().length ? "" : "/").append(parts[i]);
                    }
                    if (path.endsWith("/") && parts.length > t.segments().length) {
                        rest.append('/');
                    }
                    values.put("*", RequestView.decode(rest.toString(), false));
                    return new Match<>(t.value(), values, path);
                }
            }
        }
        return null;
    }

    /** @return the parameters if the first segments of {@code parts} fit the template, else null */
    private static Map<String, String> bind(Template<?> t, String[] parts) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < t.segments().length; i++) {
            String s = t.segments()[i];
            if (s.startsWith("{")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                values.put(s.substring(1, s.length() - 1), RequestView.decode(parts[i], false));
            } else if (!s.equals(parts[i])) {
                return null;
            }
        }
        return values;
    }

    /** @return the segments after the leading '/': {@code /a/b} gives [a, b], {@code /} gives [] */
    private static String[] segments(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }
}
