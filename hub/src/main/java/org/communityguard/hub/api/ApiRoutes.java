package org.communityguard.hub.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.console.BoardApi;
import org.communityguard.hub.console.IncidentDetailApi;
import org.communityguard.hub.console.SiteApi;
import org.communityguard.hub.telemetry.SeriesApi;

/** Every HTTP route of the hub, in one table. */
public final class ApiRoutes {

    private ApiRoutes() {
    }

    /** The console's APIs: sign-in, live events, board, incident detail, site map, telemetry charts. */
    public record ConsoleApis(SessionApi sessions, EventsApi events, BoardApi board, IncidentDetailApi incident,
                              SiteApi site, SeriesApi series) {
    }

    /**
     * Who works in the console's incident and site views. Supervisors see aggregates (their
     * dashboard comes with supervision), not individual incidents and devices.
     */
    static final Set<Role> STAFF = EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER, Role.GRID_WORKER, Role.AUDITOR);

    public static List<Route> all(HealthApi health, AuthApi auth, IncidentApi incidents, PrometheusMeterRegistry metrics,
                                  StaticFiles console, ConsoleApis apis) {
        var everyone = EnumSet.allOf(Role.class);
        List<Route> routes = new ArrayList<>(List.of(
                Route.publicRoute(HttpMethod.GET, "/", console::index),
                Route.publicRoute(HttpMethod.GET, "/console/{file}", console::get),
                Route.publicRoute(HttpMethod.GET, "/api/health", health::health),
                Route.publicRoute(HttpMethod.POST, "/api/auth/token", auth::token),
                Route.publicRoute(HttpMethod.GET, "/metrics", req ->
                        Response.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape())),
                Route.authenticated(HttpMethod.GET, "/api/incidents", everyone, incidents::list)));
        routes.addAll(List.of(
                Route.publicRoute(HttpMethod.POST, "/api/auth/login", apis.sessions()::login),
                Route.authenticated(HttpMethod.GET, "/api/auth/session", everyone, apis.sessions()::session),
                Route.authenticated(HttpMethod.POST, "/api/auth/logout", everyone, apis.sessions()::logout),
                Route.authenticated(HttpMethod.GET, "/api/events", STAFF, apis.events()::stream),
                Route.authenticated(HttpMethod.GET, "/api/board", STAFF, apis.board()::snapshot),
                Route.authenticated(HttpMethod.GET, "/api/incidents/{id}", STAFF, apis.incident()::get),
                Route.authenticated(HttpMethod.GET, "/api/site", STAFF, apis.site()::site),
                Route.authenticated(HttpMethod.GET, "/api/devices/{id}", STAFF, apis.site()::device),
                Route.authenticated(HttpMethod.GET, "/api/devices/{id}/series", STAFF, apis.series()::series)));
        return routes;
    }
}
