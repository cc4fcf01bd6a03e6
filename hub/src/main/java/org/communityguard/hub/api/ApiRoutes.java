package org.communityguard.hub.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import java.util.EnumSet;
import java.util.List;
import org.communityguard.hub.auth.Role;

/** Every HTTP route of the hub, in one table. */
public final class ApiRoutes {

    private ApiRoutes() {
    }

    public static List<Route> all(HealthApi health, AuthApi auth, IncidentApi incidents, RegistryApi registry,
                                  PrometheusMeterRegistry metrics, StaticFiles console) {
        var everyone = EnumSet.allOf(Role.class);
        return List.of(
                Route.publicRoute(HttpMethod.GET, "/", console::index),
                Route.publicRoute(HttpMethod.GET, "/console/{file}", console::get),
                Route.publicRoute(HttpMethod.GET, "/api/health", health::health),
                Route.publicRoute(HttpMethod.POST, "/api/auth/token", auth::token),
                Route.publicRoute(HttpMethod.GET, "/metrics", req ->
                        Response.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape())),
                Route.authenticated(HttpMethod.GET, "/api/incidents", everyone, incidents::list),
                Route.authenticated(HttpMethod.GET, "/api/devices", everyone, registry::devices),
                Route.authenticated(HttpMethod.GET, "/api/gateways", everyone, registry::gateways));
    }
}
