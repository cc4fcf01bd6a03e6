package org.communityguard.hub.api;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Set;
import org.communityguard.hub.auth.Role;

/**
 * A route is data: method, path pattern ({@code /api/incidents/{id}}), who may call it, and
 * the handler. All routes are listed in one place, {@link ApiRoutes}.
 *
 * @param roles roles allowed; empty means public (no token needed)
 */
public record Route(HttpMethod method, String pattern, Set<Role> roles, Handler handler) {

    @FunctionalInterface
    public interface Handler {
        Response handle(Request request) throws Exception;
    }

    public static Route publicRoute(HttpMethod method, String pattern, Handler handler) {
        return new Route(method, pattern, Set.of(), handler);
    }

    public static Route authenticated(HttpMethod method, String pattern, Set<Role> roles, Handler handler) {
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("an authenticated route needs at least one role: " + pattern);
        }
        return new Route(method, pattern, Set.copyOf(roles), handler);
    }

    public boolean isPublic() {
        return roles.isEmpty();
    }
}
