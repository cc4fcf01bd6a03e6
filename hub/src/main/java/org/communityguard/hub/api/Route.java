package org.communityguard.hub.api;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.auth.Scope;

/**
 * A route is data: method, path pattern ({@code /api/incidents/{id}}), who may call it, and
 * the handler. All routes are listed in one place, {@link ApiRoutes}.
 *
 * @param roles  roles allowed; empty means public (no token needed)
 * @param scopes API-key scopes that open the route too ({@link #openToKeys}); empty: no API key
 *               may call it. A handler of a route with scopes must not need a user: for a key
 *               its request has no principal.
 * @param upload the route takes uploads (a resident's photo): bodies up to {@code http.max-upload-bytes}
 *               within the hub's upload budget, instead of {@code http.max-body-bytes} ({@link HttpLimits})
 */
public record Route(HttpMethod method, String pattern, Set<Role> roles, Set<Scope> scopes, Handler handler, boolean upload) {

    @FunctionalInterface
    public interface Handler {
        Response handle(Request request) throws Exception;
    }

    public static Route publicRoute(HttpMethod method, String pattern, Handler handler) {
        return new Route(method, pattern, Set.of(), Set.of(), handler, false);
    }

    public static Route authenticated(HttpMethod method, String pattern, Set<Role> roles, Handler handler) {
        if (roles.isEmpty()) {
            throw new IllegalArgumentException("an authenticated route needs at least one role: " + pattern);
        }
        return new Route(method, pattern, Set.copyOf(roles), Set.of(), handler, false);
    }

    /** The same route, open also to API keys with any of these scopes (docs/data-sharing.md). */
    public Route openToKeys(Scope... keyScopes) {
        if (isPublic() || keyScopes.length == 0) {
            throw new IllegalArgumentException("only an authenticated route opens to keys, with a scope: " + pattern);
        }
        return new Route(method, pattern, roles, Collections.unmodifiableSet(EnumSet.copyOf(List.of(keyScopes))), handler, upload);
    }

    /** The same route, taking uploads: bodies of megabytes (a photo), not kilobytes. */
    public Route takingUploads() {
        return new Route(method, pattern, roles, scopes, handler, true);
    }

    public boolean isPublic() {
        return roles.isEmpty();
    }
}
