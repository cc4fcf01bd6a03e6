package org.communityguard.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Set;
import org.communityguard.hub.auth.Role;
import org.junit.jupiter.api.Test;

class RouterTest {

    private final Route list = Route.authenticated(HttpMethod.GET, "/api/incidents", Set.of(Role.ADMIN), r -> null);
    private final Route one = Route.authenticated(HttpMethod.GET, "/api/incidents/{id}", Set.of(Role.ADMIN), r -> null);
    private final Route ack = Route.authenticated(HttpMethod.POST, "/api/incidents/{id}/ack", Set.of(Role.ADMIN), r -> null);
    private final Router router = new Router(List.of(list, one, ack));

    @Test
    void matchesLiteralAndParameterisedPaths() {
        assertThat(router.route(HttpMethod.GET, "/api/incidents")).isEqualTo(new Router.Match(list, java.util.Map.of()));
        assertThat(router.route(HttpMethod.GET, "/api/incidents/")).isEqualTo(new Router.Match(list, java.util.Map.of()));
        assertThat(router.route(HttpMethod.POST, "/api/incidents/17/ack"))
                .isEqualTo(new Router.Match(ack, java.util.Map.of("id", "17")));
    }

    @Test
    void tellsUnknownPathFromWrongMethod() {
        assertThat(router.route(HttpMethod.GET, "/api/nothing")).isEqualTo(new Router.Miss(false, Set.of()));
        assertThat(router.route(HttpMethod.DELETE, "/api/incidents/17"))
                .isEqualTo(new Router.Miss(true, Set.of("GET")));
        assertThat(router.route(HttpMethod.GET, "/api/incidents//ack")).isInstanceOf(Router.Miss.class);
    }
}
