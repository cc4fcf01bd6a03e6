package org.communityguard.hub.api;

import org.communityguard.hub.audit.AuditApi;
import org.communityguard.hub.dispatch.RoutingApi;
import org.communityguard.hub.escalation.SlaApi;
import org.communityguard.hub.incident.lifecycle.LifecycleApi;
import org.communityguard.hub.report.ReportApi;
import org.communityguard.hub.report.ResidentApi;
import org.communityguard.hub.supervision.SupervisionApi;

/** The handlers of the incident loop's routes (docs/incident-loop.md), handed to {@link ApiRoutes} as one. */
public record LoopApis(LifecycleApi lifecycle, ReportApi reports, ResidentApi residents, UserApi users,
                       RoutingApi routing, SlaApi slas, SupervisionApi supervision, AuditApi audit, OpenApi openApi) {
}
