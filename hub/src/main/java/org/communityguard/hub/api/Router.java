package org.communityguard.hub.api;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Matches a method and path against the route table. */
public final class Router {

    /** A match: the route and the values of its {placeholders}. */
    public record Match(Route route, Map<String, String> params) {
    }

    /** No route for the path (404), or a route for the path but not this method (405, with the allowed ones). */
    public record Miss(boolean pathKnown, Set<String> allowed) {
    }

    private final List<Route> routes;
    private final List<String[]> patterns = new ArrayList<>();

    public Router(List<Route> routes) {
        this.routes = List.copyOf(routes);
        for (Route r : this.routes) {
            patterns.add(split(r.pattern()));
        }
    }

    /** The route table, in registration order. */
    public List<Route> routes() {
        return routes;
    }

    /** Whether the route of this request takes uploads ({@link Route#upload}); false for no route. */
    public boolean takesUploads(HttpMethod method, String uri) {
        return route(method, new io.netty.handler.codec.http.QueryStringDecoder(uri).path()) instanceof Match m && m.route().upload();
    }

    public Object route(HttpMethod method, String path) {
        String[] parts = split(path);
        Set<String> allowed = new TreeSet<>();
        for (int i = 0; i < routes.size(); i++) {
            Map<String, String> params = match(patterns.get(i), parts);
            if (params == null) {
                continue;
            }
            Route r = routes.get(i);
            if (r.method().equals(method)) {
                return new Match(r, params);
            }
            allowed.add(r.method().name());
        }
        return new Miss(!allowed.isEmpty(), allowed);
    }

    private static Map<String, String> match(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>(2);
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("}")) {
                if (parts[i].isEmpty()) {
                    return null;
                }
                params.put(p.substring(1, p.length() - 1), parts[i]);
            } else if (!p.equals(parts[i])) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String trimmed = path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return trimmed.split("/", -1);
    }
}
