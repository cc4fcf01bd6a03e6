package org.communityguard.hub.api;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpMethod;
import java.util.EnumSet;
import java.util.List;
import org.communityguard.hub.auth.Role;
import org.communityguard.hub.auth.Scope;
import org.communityguard.hub.console.BoardApi;
import org.communityguard.hub.console.SiteApi;
import org.communityguard.hub.incident.lifecycle.Action;
import org.communityguard.hub.incident.lifecycle.Lifecycle;
import org.communityguard.hub.retention.RetentionApi;
import org.communityguard.hub.sharing.OpenAggregatesApi;
import org.communityguard.hub.sharing.SharedIncidentApi;
import org.communityguard.hub.telemetry.SeriesApi;

/** Every HTTP route of the hub, in one table. */
public final class ApiRoutes {

    private ApiRoutes() {
    }

    private static Route action(Action action, Route.Handler handler) {
        return Route.authenticated(HttpMethod.POST, "/api/incidents/{id}/" + action.path(),
                Lifecycle.transition(action).who(), handler);
    }

    /** The console's APIs: sign-in, live events, board, site map, telemetry charts, retention (settings). */
    public record ConsoleApis(SessionApi sessions, EventsApi events, BoardApi board, SiteApi site, SeriesApi series,
                              RetentionApi retention) {
    }

    /**
     * Data sharing (docs/data-sharing.md): API keys for other systems and what they read.
     *
     * @param metricsNeedKey {@code http.metrics-require-key}: /metrics only with a metrics:read key (or an admin)
     */
    public record SharingApis(ApiKeyApi keys, SharedIncidentApi incidents, OpenAggregatesApi aggregates,
                              boolean metricsNeedKey) {
    }

    public static List<Route> all(HealthApi health, AuthApi auth, IncidentApi incidents, ThresholdApi thresholds,
                                  RegistryApi registry, PrometheusMeterRegistry metrics, StaticFiles console,
                                  ApiDocs docs, LoopApis loop, ConsoleApis apis, SharingApis sharing) {
        // Residents are "everyone" only where the handler narrows what they see to their own reports.
        var everyone = EnumSet.allOf(Role.class);
        var staff = EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER, Role.GRID_WORKER);
        var managers = EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER);
        var overseers = EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER, Role.SUPERVISOR, Role.AUDITOR);
        var notResidents = EnumSet.complementOf(EnumSet.of(Role.RESIDENT));
        // Who works in the console's board and site views. Supervisors see aggregates, not
        // individual incidents and devices.
        var consoleStaff = EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER, Role.GRID_WORKER, Role.AUDITOR);
        // Who sees every incident (the shared view ignores grid workers' queues).
        var allIncidents = EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER, Role.AUDITOR);
        var lifecycle = loop.lifecycle();
        Route.Handler scrape = req -> Response.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
        return List.of(
                Route.publicRoute(HttpMethod.GET, "/", console::index),
                Route.publicRoute(HttpMethod.GET, "/console/{file}", console::get),
                // Liveness and readiness (HealthApi); /api/health is readiness, as it always was.
                Route.publicRoute(HttpMethod.GET, "/api/health", health::ready),
                Route.publicRoute(HttpMethod.GET, "/api/health/live", health::live),
                Route.publicRoute(HttpMethod.GET, "/api/health/ready", health::ready),
                Route.publicRoute(HttpMethod.POST, "/api/auth/token", auth::token),
                sharing.metricsNeedKey()
                        ? Route.authenticated(HttpMethod.GET, "/metrics", EnumSet.of(Role.ADMIN), scrape)
                                .openToKeys(Scope.METRICS_READ)
                        : Route.publicRoute(HttpMethod.GET, "/metrics", scrape),
                Route.authenticated(HttpMethod.GET, "/api/incidents", everyone, incidents::list),
                Route.publicRoute(HttpMethod.GET, "/api/openapi.json", loop.openApi()::get),
                // The API explorer on that document (/api/docs and /api/docs/ both match; ApiDocs adds the slash).
                Route.publicRoute(HttpMethod.GET, "/api/docs/", docs::index),
                Route.publicRoute(HttpMethod.GET, "/api/docs/{file}", docs::get),

                // The closed loop: one incident, its actions (transition table: incident.lifecycle.Lifecycle).
                Route.authenticated(HttpMethod.GET, "/api/incidents/{id}", everyone, lifecycle::get),
                // Who may take each action is a column of the table (the console shows the same).
                action(Action.DISPATCH, lifecycle::dispatch),
                action(Action.ACKNOWLEDGE, lifecycle::acknowledge),
                action(Action.CHECK_IN, lifecycle::checkIn),
                action(Action.RESOLVE, lifecycle::resolve),
                action(Action.CLOSE, lifecycle::close),
                action(Action.REOPEN, lifecycle::reopen),
                action(Action.CANCEL, lifecycle::cancel),

                // Resident reports and the residents register.
                Route.authenticated(HttpMethod.GET, "/api/report-categories", everyone, loop.reports()::categories),
                // With a photo (report.Photo, up to 5 MB): the only routes whose bodies are megabytes.
                Route.authenticated(HttpMethod.POST, "/api/reports", EnumSet.of(Role.RESIDENT), loop.reports()::submit).takingUploads(),
                Route.authenticated(HttpMethod.POST, "/api/reports/phone", staff, loop.reports()::phone).takingUploads(),
                Route.authenticated(HttpMethod.GET, "/api/reports/{id}/photo",
                        EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER, Role.GRID_WORKER, Role.RESIDENT), loop.reports()::photo),
                Route.authenticated(HttpMethod.GET, "/api/residents", staff, loop.residents()::list),
                Route.authenticated(HttpMethod.POST, "/api/residents", staff, loop.residents()::create),
                Route.authenticated(HttpMethod.GET, "/api/residents/{id}", staff, loop.residents()::get),

                // Configuration: staff accounts, routing, SLAs.
                Route.authenticated(HttpMethod.GET, "/api/users", EnumSet.of(Role.ADMIN), loop.users()::list),
                Route.authenticated(HttpMethod.POST, "/api/users", EnumSet.of(Role.ADMIN), loop.users()::create),
                Route.authenticated(HttpMethod.GET, "/api/routing", overseers, loop.routing()::get),
                Route.authenticated(HttpMethod.PUT, "/api/routing/rules/{type}", managers, loop.routing()::putRule),
                Route.authenticated(HttpMethod.DELETE, "/api/routing/rules/{type}", managers, loop.routing()::deleteRule),
                Route.authenticated(HttpMethod.PUT, "/api/routing/duty/{grid}/{department}", managers, loop.routing()::putDuty),
                Route.authenticated(HttpMethod.DELETE, "/api/routing/duty/{grid}/{department}", managers,
                        loop.routing()::deleteDuty),
                Route.authenticated(HttpMethod.PUT, "/api/departments/{id}", EnumSet.of(Role.ADMIN), loop.routing()::putDepartment),
                Route.authenticated(HttpMethod.GET, "/api/slas", EnumSet.complementOf(EnumSet.of(Role.RESIDENT)),
                        loop.slas()::list),
                Route.authenticated(HttpMethod.PUT, "/api/slas/{severity}", managers, loop.slas()::put),
                Route.authenticated(HttpMethod.GET, "/api/communities/{id}/thresholds", managers, thresholds::get),
                // Retention per kind of data: set in the hub's configuration, shown in the settings.
                Route.authenticated(HttpMethod.GET, "/api/retention", overseers, apis.retention()::get),
                Route.authenticated(HttpMethod.PUT, "/api/communities/{id}/thresholds", managers, thresholds::put),

                // Supervision (read-only for the street office) and the audit log.
                Route.authenticated(HttpMethod.GET, "/api/supervision", overseers, loop.supervision()::get)
                        .openToKeys(Scope.AGGREGATES_READ),
                Route.authenticated(HttpMethod.GET, "/api/audit", EnumSet.of(Role.ADMIN, Role.AUDITOR), loop.audit()::list),

                // The registry: devices (unprovisioned ones too) and gateways with their health.
                Route.authenticated(HttpMethod.GET, "/api/devices", notResidents, registry::devices),
                Route.authenticated(HttpMethod.GET, "/api/gateways", notResidents, registry::gateways),

                // The console: browser sign-in, live events, the board, the site map and device charts.
                Route.publicRoute(HttpMethod.POST, "/api/auth/login", apis.sessions()::login),
                Route.authenticated(HttpMethod.GET, "/api/auth/session", everyone, apis.sessions()::session),
                Route.authenticated(HttpMethod.POST, "/api/auth/logout", everyone, apis.sessions()::logout),
                Route.authenticated(HttpMethod.GET, "/api/events", consoleStaff, apis.events()::stream),
                Route.authenticated(HttpMethod.GET, "/api/board", consoleStaff, apis.board()::snapshot),
                Route.authenticated(HttpMethod.GET, "/api/site", consoleStaff, apis.site()::site),
                Route.authenticated(HttpMethod.GET, "/api/devices/{id}", consoleStaff, apis.site()::device),
                Route.authenticated(HttpMethod.GET, "/api/devices/{id}/series", consoleStaff, apis.series()::series),

                // Data sharing: keys made by managers (auditors see which exist), and what keys read.
                Route.authenticated(HttpMethod.GET, "/api/keys", EnumSet.of(Role.ADMIN, Role.PROPERTY_MANAGER, Role.AUDITOR),
                        sharing.keys()::list),
                Route.authenticated(HttpMethod.POST, "/api/keys", managers, sharing.keys()::create),
                Route.authenticated(HttpMethod.DELETE, "/api/keys/{id}", managers, sharing.keys()::revoke),
                Route.authenticated(HttpMethod.GET, "/api/shared/incidents", allIncidents, sharing.incidents()::list)
                        .openToKeys(Scope.INCIDENTS_READ),
                Route.authenticated(HttpMethod.GET, "/api/shared/incidents/{id}", allIncidents, sharing.incidents()::get)
                        .openToKeys(Scope.INCIDENTS_READ),
                Route.authenticated(HttpMethod.GET, "/api/open/incidents", notResidents, sharing.incidents()::export)
                        .openToKeys(Scope.OPENDATA_READ),
                Route.authenticated(HttpMethod.GET, "/api/open/aggregates", notResidents, sharing.aggregates()::export)
                        .openToKeys(Scope.OPENDATA_READ, Scope.AGGREGATES_READ));
    }
}
