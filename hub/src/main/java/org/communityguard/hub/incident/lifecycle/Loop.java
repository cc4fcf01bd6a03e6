package org.communityguard.hub.incident.lifecycle;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import org.communityguard.hub.api.LoopApis;
import org.communityguard.hub.api.OpenApi;
import org.communityguard.hub.api.UserApi;
import org.communityguard.hub.audit.AuditApi;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.config.Config;
import org.communityguard.hub.config.ConfigException;
import org.communityguard.hub.config.HubSettings;
import org.communityguard.hub.dispatch.Dispatcher;
import org.communityguard.hub.dispatch.Routing;
import org.communityguard.hub.dispatch.RoutingApi;
import org.communityguard.hub.escalation.Deadlines;
import org.communityguard.hub.escalation.Escalator;
import org.communityguard.hub.escalation.SlaApi;
import org.communityguard.hub.escalation.SlaPolicies;
import org.communityguard.hub.incident.IncidentListener;
import org.communityguard.hub.incident.Timeline;
import org.communityguard.hub.notify.EmailChannel;
import org.communityguard.hub.notify.NotificationChannel;
import org.communityguard.hub.notify.NotificationSender;
import org.communityguard.hub.notify.Outbox;
import org.communityguard.hub.notify.ResidentAlerts;
import org.communityguard.hub.notify.SmsChannel;
import org.communityguard.hub.notify.WebhookChannel;
import org.communityguard.hub.report.ReportApi;
import org.communityguard.hub.report.ResidentApi;
import org.communityguard.hub.supervision.SupervisionApi;

/**
 * The incident loop's wiring (docs/incident-loop.md), kept out of {@code Hub} so the hub only
 * starts it, hands {@link #listener()} to ingest and {@link #apis()} to the routes, and closes it.
 * <pre>
 *   ingest commit ─► LoopScheduler (hub-loop thread) ─► Dispatcher ─┐
 *   API action ───► IncidentLoop ───────────────────────────────────┼─► timeline, deadlines, audit, outbox
 *                   LoopScheduler ─► Escalator, ResidentAlerts ─────┘                                 │
 *                                                     NotificationSender (hub-notify thread) ◄───────────┘
 *                                                      └─► senders (bounded pool): webhook / e-mail / SMS,
 *                                                          each attempt recorded; undeliverable -> Escalator
 * </pre>
 */
public final class Loop implements AutoCloseable {

    private final NotificationSender sender;
    private final LoopScheduler scheduler;
    private final LoopApis apis;

    /** @param listener told after every committed change of an incident's status, dispatch or escalation */
    public Loop(DataSource ds, ObjectMapper json, Config config, MeterRegistry metrics, LoopListener listener) {
        var timeout = config.get(HubSettings.NOTIFY_TIMEOUT);
        Map<String, NotificationChannel> channels = new HashMap<>();
        String secret = config.get(HubSettings.NOTIFY_WEBHOOK_SECRET);
        String hubWebhook = config.get(HubSettings.NOTIFY_WEBHOOK_URL);
        if (!hubWebhook.isEmpty() && secret.isEmpty()) {
            throw new ConfigException(HubSettings.NOTIFY_WEBHOOK_SECRET.envName() + " is required when "
                    + HubSettings.NOTIFY_WEBHOOK_URL.envName() + " is set: receivers check the signature");
        }
        if (!secret.isEmpty()) {
            channels.put("webhook", new WebhookChannel(secret, timeout));
        }
        if (!config.get(HubSettings.NOTIFY_SMTP_HOST).isEmpty()) {
            try {
                channels.put("email", new EmailChannel(config.get(HubSettings.NOTIFY_SMTP_HOST),
                        config.get(HubSettings.NOTIFY_SMTP_PORT),
                        EmailChannel.Tls.valueOf(config.get(HubSettings.NOTIFY_SMTP_TLS).toUpperCase(java.util.Locale.ROOT)),
                        config.get(HubSettings.NOTIFY_SMTP_USER), config.get(HubSettings.NOTIFY_SMTP_PASSWORD),
                        config.get(HubSettings.NOTIFY_SMTP_FROM), timeout));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(HubSettings.NOTIFY_SMTP_FROM.envName() + ": " + e.getMessage());
            }
        }
        if (!config.get(HubSettings.NOTIFY_SMS_URL).isEmpty()) {
            channels.put("sms", new SmsChannel(URI.create(config.get(HubSettings.NOTIFY_SMS_URL)),
                    config.get(HubSettings.NOTIFY_SMS_TOKEN), timeout, json));
        }
        var poll = config.get(HubSettings.LOOP_POLL);
        Outbox outbox = new Outbox(channels.keySet(), hubWebhook, json);
        AuditLog audit = new AuditLog(json);
        Timeline timeline = new Timeline(json);
        SlaPolicies policies = new SlaPolicies();
        Deadlines deadlines = new Deadlines(policies);
        Dispatcher dispatcher = new Dispatcher(new Routing(), deadlines, timeline, outbox, audit);
        Escalator escalator = new Escalator(timeline, outbox, audit);
        var lease = config.get(HubSettings.NOTIFY_LEASE);
        if (lease.compareTo(poll.multipliedBy(3)) < 0) {
            // The sender renews its leases from its polling thread: a lease must outlast a few polls.
            throw new ConfigException(HubSettings.NOTIFY_LEASE.envName() + " must be at least three times "
                    + HubSettings.LOOP_POLL.envName());
        }
        sender = new NotificationSender(ds, channels, new NotificationSender.Policy(config.get(HubSettings.NOTIFY_RETRY_BASE),
                config.get(HubSettings.NOTIFY_RETRY_BUDGET), config.get(HubSettings.NOTIFY_RETRY_BUDGET_CRITICAL), lease,
                config.get(HubSettings.NOTIFY_SENDERS)), poll, escalator::undelivered,
                ids -> LoopListener.tell(listener, ids), metrics);
        scheduler = new LoopScheduler(ds, dispatcher, escalator, new ResidentAlerts(timeline, outbox), sender, poll, listener,
                metrics);
        IncidentLoop loop = new IncidentLoop(ds, dispatcher, deadlines, timeline, outbox, audit, scheduler::wake,
                sender::wake, listener);
        apis = new LoopApis(new LifecycleApi(ds, loop, new IncidentReader(json, audit)),
                new ReportApi(ds, timeline, audit, scheduler::wake), new ResidentApi(ds, audit), new UserApi(ds, audit),
                new RoutingApi(ds, audit), new SlaApi(ds, policies, audit), new SupervisionApi(ds), new AuditApi(ds),
                new OpenApi());
    }

    public void start() {
        sender.start();
        scheduler.start();
    }

    /** For ingest: dispatch newly opened incidents at once. */
    public IncidentListener listener() {
        return scheduler;
    }

    public LoopApis apis() {
        return apis;
    }

    @Override
    public void close() {
        scheduler.close();
        sender.close();
    }
}
