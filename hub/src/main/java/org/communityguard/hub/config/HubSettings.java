package org.communityguard.hub.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Every hub setting, in one place. docs/configuration.md is generated from this list. */
public final class HubSettings {

    private HubSettings() {
    }

    private static final SettingType.Int PORT = new SettingType.Int(0, 65535, "");

    public static final Setting<String> HTTP_HOST = new Setting<>("http.host", SettingType.Text.any(), "0.0.0.0",
            "address the HTTP API, console and /metrics listen on");
    public static final Setting<Integer> HTTP_PORT = new Setting<>("http.port", PORT, 8080,
            "port of the HTTP API, console and /metrics (0 picks a free port)");

    public static final Setting<String> HTTP_TLS_CERT = new Setting<>("http.tls-cert", SettingType.Text.any(), "",
            "PEM certificate chain of the HTTP port; set with http.tls-key to serve the console, API and /metrics over HTTPS only (with Strict-Transport-Security; docs/hub-install.md)");
    public static final Setting<String> HTTP_TLS_KEY = new Setting<>("http.tls-key", SettingType.Text.any(), "",
            "PEM private key (PKCS#8) of http.tls-cert");

    public static final Setting<Boolean> HTTP_TRUST_PROXY = new Setting<>("http.trust-proxy", new SettingType.Bool(), false,
            "the hub is behind a reverse proxy: take the client address from X-Forwarded-For and HTTPS from X-Forwarded-Proto (session cookies get Secure, login limits count the real client)");

    // Connections nobody may hold open for free (README, Guarantees; docs/uplink.md for the uplink).
    public static final Setting<Integer> HTTP_MAX_CONNECTIONS = new Setting<>("http.max-connections",
            new SettingType.Int(1, 1_000_000, "connections"), 1000,
            "HTTP connections open at once (live streams included); more are answered 503 and closed");
    public static final Setting<Integer> HTTP_MAX_CONNECTIONS_PER_ADDRESS = new Setting<>("http.max-connections-per-address",
            new SettingType.Int(0, 1_000_000, "connections"), 200,
            "HTTP connections open at once from one client address (0: no limit; not applied with http.trust-proxy, where every connection comes from the proxy); more are answered 503 and closed");
    public static final Setting<Duration> HTTP_IDLE_TIMEOUT = new Setting<>("http.idle-timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(60),
            "an HTTP connection with no request for this long is closed (live event streams are kept alive by their heartbeats instead)");
    public static final Setting<Duration> HTTP_REQUEST_TIMEOUT = new Setting<>("http.request-timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(60),
            "a request whose headers and body have not all arrived this long after its first byte is answered 408 and its connection closed (allow a 5 MB photo upload over a slow phone link)");
    public static final Setting<Integer> HTTP_MAX_HEADER_BYTES = new Setting<>("http.max-header-bytes",
            new SettingType.Int(1024, 1024 * 1024, "bytes"), 16 * 1024,
            "largest header block of an HTTP request (cookies and tokens included); larger requests are answered 431 and closed");
    public static final Setting<Integer> HTTP_MAX_BODY_BYTES = new Setting<>("http.max-body-bytes",
            new SettingType.Int(1024, 64 * 1024 * 1024, "bytes"), 64 * 1024,
            "largest request body of every route that takes no upload; larger bodies are answered 413 before they are read");
    public static final Setting<Integer> HTTP_MAX_UPLOAD_BYTES = new Setting<>("http.max-upload-bytes",
            new SettingType.Int(1024, 256 * 1024 * 1024, "bytes"), 6 * 1024 * 1024,
            "largest request body of a route that takes uploads (a resident's report with its photo, at most 5 MB); larger are answered 413 before they are read");
    public static final Setting<Integer> HTTP_UPLOAD_BUDGET_BYTES = new Setting<>("http.upload-budget-bytes",
            new SettingType.Int(1024, 1024 * 1024 * 1024, "bytes"), 64 * 1024 * 1024,
            "bytes of uploads the hub holds at once, all connections together (each counted at its Content-Length); an upload beyond is answered 503 with Retry-After");
    public static final Setting<Boolean> HTTP_METRICS_REQUIRE_KEY = new Setting<>("http.metrics-require-key",
            new SettingType.Bool(), false,
            "/metrics answers only to an API key with the metrics:read scope (or an admin's token); off: anyone who reaches the HTTP port reads it (docs/data-sharing.md)");

    public static final Setting<String> UPLINK_HOST = new Setting<>("uplink.host", SettingType.Text.any(), "0.0.0.0",
            "address the gateway uplink (MQTT 5) listens on");
    public static final Setting<Integer> UPLINK_PORT = new Setting<>("uplink.port", PORT, 1884,
            "port of the gateway uplink, MQTT 5 per docs/uplink.md (0 picks a free port)");
    public static final Setting<Integer> UPLINK_RECEIVE_MAXIMUM = new Setting<>("uplink.receive-maximum",
            new SettingType.Int(1, 65535, "batches"), 16,
            "unacknowledged batches a gateway may have in flight (MQTT 5 Receive Maximum)");
    public static final Setting<Integer> UPLINK_MAX_PACKET = new Setting<>("uplink.max-packet-bytes",
            new SettingType.Int(4096, 16 * 1024 * 1024, "bytes"), 1024 * 1024,
            "largest uplink packet accepted (MQTT 5 Maximum Packet Size)");
    public static final Setting<Duration> UPLINK_CONNECT_TIMEOUT = new Setting<>("uplink.connect-timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofMinutes(10)), Duration.ofSeconds(10),
            "an uplink connection that has not sent its CONNECT this long after it was opened is closed (checking the credentials is not counted)");
    public static final Setting<Integer> UPLINK_MAX_CONNECTIONS = new Setting<>("uplink.max-connections",
            new SettingType.Int(1, 1_000_000, "connections"), 1000,
            "uplink connections open at once, authenticated or not; more are closed at once");
    public static final Setting<String> UPLINK_GATEWAYS = new Setting<>("uplink.gateways",
            new SettingType.Text(Pattern.compile("^$|^[A-Za-z0-9._-]{1,64}:[^,\\s]{12,}(,[A-Za-z0-9._-]{1,64}:[^,\\s]{12,})*$"),
                    "comma-separated id:secret pairs, secrets of 12+ characters", true), "",
            "gateways registered (or re-keyed) at start-up, as id:secret pairs");

    public static final Setting<String> UPLINK_TLS_CERT = new Setting<>("uplink.tls-cert", SettingType.Text.any(), "",
            "PEM certificate chain of the uplink; set with uplink.tls-key to serve the uplink over TLS only (gateways use ssl://)");
    public static final Setting<String> UPLINK_TLS_KEY = new Setting<>("uplink.tls-key", SettingType.Text.any(), "",
            "PEM private key (PKCS#8) of uplink.tls-cert");
    public static final Setting<String> UPLINK_TLS_CLIENT_CA = new Setting<>("uplink.tls-client-ca", SettingType.Text.any(), "",
            "PEM CA certificate(s): when set, gateways must also present a client certificate signed by it; empty asks for none");

    public static final Setting<String> DB_URL = new Setting<>("db.url", SettingType.Text.any(), "",
            "JDBC URL of PostgreSQL/TimescaleDB; empty starts an embedded PostgreSQL (demo only)");
    public static final Setting<String> DB_USER = new Setting<>("db.user", SettingType.Text.any(), "postgres",
            "database user");
    public static final Setting<String> DB_PASSWORD = new Setting<>("db.password", SettingType.Text.secretText(), "",
            "database password");
    public static final Setting<String> DB_TIMESCALE = new Setting<>("db.timescale",
            new SettingType.Text(Pattern.compile("auto|required|off"), "auto, required, off", false), "auto",
            "readings in a TimescaleDB hypertable: auto (when the server offers the extension), required (refuse to start without it), off (plain table)");
    public static final Setting<Integer> DB_POOL_SIZE = new Setting<>("db.pool-size",
            new SettingType.Int(2, 200, "connections"), 10, "database connection pool size");
    // How a silent database (a half-open connection, a hung server) is noticed: docs/configuration.md.
    public static final Setting<Duration> DB_CONNECT_TIMEOUT = new Setting<>("db.connect-timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofMinutes(5)), Duration.ofSeconds(5),
            "longest a new database connection may take to connect and log in");
    public static final Setting<Duration> DB_STATEMENT_TIMEOUT = new Setting<>("db.statement-timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(30),
            "longest an API, console or background statement may run, and a transaction sit idle, at the server (statement_timeout, idle_in_transaction_session_timeout); the hub gives up on a connection that stays silent 5 s longer. Ingest has its own, ingest.db-timeout; schema migrations have none");
    public static final Setting<Duration> DB_VALIDATION_TIMEOUT = new Setting<>("db.validation-timeout",
            new SettingType.Time(Duration.ofMillis(250), Duration.ofMinutes(1)), Duration.ofSeconds(2),
            "a pooled connection that does not answer a liveness check within this is closed and replaced");
    public static final Setting<Duration> DB_KEEPALIVE = new Setting<>("db.keepalive",
            new SettingType.Time(Duration.ofSeconds(30), Duration.ofHours(1)), Duration.ofSeconds(60),
            "how often an idle pooled connection is checked, so a dead one is replaced before it is needed");
    public static final Setting<Duration> DB_MAX_LIFETIME = new Setting<>("db.max-lifetime",
            new SettingType.Time(Duration.ofMinutes(1), Duration.ofDays(1)), Duration.ofMinutes(30),
            "pooled connections are replaced after this long (keep it below any limit of a proxy or firewall in between)");
    public static final Setting<String> DB_EMBEDDED_DIR = new Setting<>("db.embedded-dir", SettingType.Text.any(), "",
            "data directory of the embedded PostgreSQL; empty uses a temporary one, deleted at exit");

    public static final Setting<Integer> INGEST_WRITERS = new Setting<>("ingest.writers",
            new SettingType.Int(1, 64, "threads"), 2,
            "routine database writer threads, plus one for the safety lane (small batches carrying a safety alarm);"
                    + " a gateway's routine batches always go to the same writer, in order");
    public static final Setting<Integer> INGEST_QUEUE_READINGS = new Setting<>("ingest.queue-readings",
            new SettingType.Int(1000, 10_000_000, "readings"), 100_000,
            "readings waiting for the database before the hub stops reading from gateways");
    public static final Setting<Integer> INGEST_TX_READINGS = new Setting<>("ingest.max-readings-per-commit",
            new SettingType.Int(1, 1_000_000, "readings"), 20_000,
            "readings grouped into one database transaction");
    public static final Setting<Duration> INGEST_RETRY_TIMEOUT = new Setting<>("ingest.retry-timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(15),
            "how long a batch is retried against a failing database before the gateway is told to resend later (PUBACK 0x97)");
    public static final Setting<Integer> INGEST_MAX_UNPROVISIONED = new Setting<>("ingest.max-unprovisioned-devices",
            new SettingType.Int(0, 1_000_000, "devices"), 1000,
            "devices in no site file listed in the registry per gateway (GET /api/devices?provisioned=false); readings of further ones are still stored, flagged unprovisioned, but the devices are not listed (a gateway inventing ids cannot fill the registry)");

    public static final Setting<Duration> INGEST_DB_TIMEOUT = new Setting<>("ingest.db-timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofMinutes(10)), Duration.ofSeconds(5),
            "longest one statement of an ingest transaction may run, or the database stay silent, before the writer gives up on the connection and retries on a fresh one; keep it well below ingest.retry-timeout and above hub_ingest_commit_seconds");

    public static final Setting<String> ADMIN_PASSWORD = new Setting<>("admin.password",
            new SettingType.Text(Pattern.compile("^$|^.{8,}$"), "8 or more characters", true), "",
            "password of the admin account; empty keeps the stored one, or generates and prints one on first start");
    public static final Setting<Duration> TOKEN_TTL = new Setting<>("auth.token-ttl",
            new SettingType.Time(Duration.ofMinutes(5), Duration.ofDays(30)), Duration.ofHours(12),
            "lifetime of API bearer tokens");

    public static final Setting<Integer> API_KEY_RATE = new Setting<>("auth.api-key-rate-per-minute",
            new SettingType.Int(1, 100_000, "requests/min"), 120,
            "rate limit of a new API key whose creator sets none: requests a minute, a minute's worth at once (token bucket, per hub)");

    public static final Setting<Duration> SESSION_TTL = new Setting<>("auth.session-ttl",
            new SettingType.Time(Duration.ofMinutes(5), Duration.ofDays(7)), Duration.ofHours(12),
            "longest a console sign-in lasts (about a shift)");
    public static final Setting<Duration> SESSION_IDLE = new Setting<>("auth.session-idle-timeout",
            new SettingType.Time(Duration.ofMinutes(1), Duration.ofDays(1)), Duration.ofMinutes(30),
            "a console session ends after this long without a request (an open live board counts as use)");
    public static final Setting<Integer> LOGIN_MAX_FAILURES_USER = new Setting<>("auth.login-max-failures-per-user",
            new SettingType.Int(1, 1000, "failures"), 5,
            "failed sign-ins for one user name within the window before further attempts are refused (429)");
    public static final Setting<Integer> LOGIN_MAX_FAILURES_ADDRESS = new Setting<>("auth.login-max-failures-per-address",
            new SettingType.Int(1, 10_000, "failures"), 20,
            "failed sign-ins from one client address within the window before further attempts are refused (429)");
    public static final Setting<Duration> LOGIN_FAILURE_WINDOW = new Setting<>("auth.login-failure-window",
            new SettingType.Time(Duration.ofSeconds(10), Duration.ofDays(1)), Duration.ofMinutes(15),
            "how long a failed sign-in counts against its user name and address");

    public static final Setting<Duration> LIVE_HEARTBEAT = new Setting<>("live.heartbeat",
            new SettingType.Time(Duration.ofMillis(200), Duration.ofMinutes(5)), Duration.ofSeconds(15),
            "interval of keep-alive lines on live event streams (GET /api/events)");
    public static final Setting<Integer> LIVE_MAX_CLIENTS = new Setting<>("live.max-clients",
            new SettingType.Int(1, 100_000, "streams"), 500,
            "live event streams open at once; more are answered 503");
    public static final Setting<Integer> LIVE_MAX_CLIENTS_PER_USER = new Setting<>("live.max-clients-per-user",
            new SettingType.Int(1, 10_000, "streams"), 10,
            "live event streams one user may have open at once (tabs, phones); more are answered 429");
    public static final Setting<Integer> LIVE_CLIENT_QUEUE = new Setting<>("live.client-queue-events",
            new SettingType.Int(16, 100_000, "events"), 1000,
            "events a live stream may fall behind before it is closed (the browser reconnects and catches up)");
    public static final Setting<Duration> LIVE_RECONCILE = new Setting<>("live.reconcile-interval",
            new SettingType.Time(Duration.ofMillis(100), Duration.ofMinutes(1)), Duration.ofSeconds(2),
            "how often each hub reads new incident changes for its live streams without a database notification: the longest a lost notification delays a live event");

    public static final Setting<Duration> ROLLUP_EVERY = new Setting<>("telemetry.rollup-every",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofMinutes(5),
            "how often ended hours of readings are rolled up for charts over days (readings_hourly)");

    // Retention per kind of data (docs/retention.md), enforced by retention.RetentionTask.
    private static final SettingType.Retention KEEP = new SettingType.Retention(Duration.ofDays(1), Duration.ofDays(100 * 365));
    public static final Setting<Duration> RETENTION_READINGS = new Setting<>("retention.readings", KEEP, Duration.ofDays(400),
            "how long readings (and the uplink's batch keys) are kept; on TimescaleDB dropped a day's chunk at a time; charts over days need readings (series span at most 400d)");
    public static final Setting<Duration> RETENTION_ROLLUPS = new Setting<>("retention.rollups", KEEP, Duration.ofDays(5 * 365),
            "how long the hourly rollup (readings_hourly: the open-data aggregates' source) is kept");
    public static final Setting<Duration> RETENTION_INCIDENTS = new Setting<>("retention.incidents", KEEP, Duration.ofDays(5 * 365),
            "how long a closed or cancelled incident (timeline, deadlines, notifications, report) is kept after its last change; open incidents, and closed ones in a group with an open one, are never removed");
    public static final Setting<Duration> RETENTION_AUDIT = new Setting<>("retention.audit", KEEP, Duration.ofDays(5 * 365),
            "how long audit log entries are kept");
    public static final Setting<Duration> RETENTION_PERSONAL = new Setting<>("retention.personal", KEEP, Duration.ofDays(180),
            "how long personal data is kept: door-access pseudonyms in readings (then removed from the reading, which stays), resident reports and their photos (after their incident's last change; never while it is open)");
    public static final Setting<Duration> RETENTION_INTERVAL = new Setting<>("retention.interval",
            new SettingType.Time(Duration.ofMinutes(1), Duration.ofDays(7)), Duration.ofHours(1),
            "how often a hub enforces retention (once at start, then at this interval; with several hubs on one database one runs at a time)");

    public static final Setting<String> SITE_FILE = new Setting<>("site.file", SettingType.Text.any(), "",
            "site file (docs/site-file.md) loaded into the registry at start; empty loads none");

    // Detection thresholds are per community, in the database (docs/incidents.md), not settings.
    public static final Setting<Duration> INCIDENT_LIVENESS_INTERVAL = new Setting<>("incident.liveness-interval",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofMinutes(5)), Duration.ofSeconds(15),
            "how often last-seen times are saved, silent devices and disconnected gateways checked, and thresholds reloaded");

    // The incident loop (docs/incident-loop.md): dispatch, escalation, notifications.
    public static final Setting<Duration> LOOP_POLL = new Setting<>("loop.poll-interval",
            new SettingType.Time(Duration.ofMillis(100), Duration.ofMinutes(1)), Duration.ofSeconds(1),
            "how often the loop looks for due deadlines (escalation), undispatched incidents and confirmed fires, and the sender for due notifications");
    public static final Setting<String> NOTIFY_WEBHOOK_URL = new Setting<>("notify.webhook.url",
            new SettingType.Text(Pattern.compile("^$|^https?://\\S+$"), "empty, or an http(s) URL", false), "",
            "URL told (HTTP POST, JSON) of every dispatch and escalation, e.g. the street office's system; empty: none");
    public static final Setting<String> NOTIFY_WEBHOOK_SECRET = new Setting<>("notify.webhook.secret",
            new SettingType.Text(Pattern.compile("^$|^.{16,}$"), "16 or more characters", true), "",
            "shared secret of the X-CommunityGuard-Signature HMAC-SHA256 on every webhook (hub-wide and departments'); required for webhooks");
    public static final Setting<String> NOTIFY_SMTP_HOST = new Setting<>("notify.smtp.host", SettingType.Text.any(), "",
            "SMTP server for e-mail notifications; empty: no e-mail");
    public static final Setting<Integer> NOTIFY_SMTP_PORT = new Setting<>("notify.smtp.port", new SettingType.Int(1, 65535, ""), 587,
            "SMTP server port");
    public static final Setting<String> NOTIFY_SMTP_TLS = new Setting<>("notify.smtp.tls",
            new SettingType.Text(Pattern.compile("none|starttls|ssl"), "none, starttls, ssl", false), "starttls",
            "how the SMTP connection is protected: starttls (required, never downgraded), ssl (SMTPS), none (a relay on the same host)");
    public static final Setting<String> NOTIFY_SMTP_USER = new Setting<>("notify.smtp.user", SettingType.Text.any(), "",
            "SMTP user; empty: no authentication");
    public static final Setting<String> NOTIFY_SMTP_PASSWORD = new Setting<>("notify.smtp.password", SettingType.Text.secretText(), "",
            "SMTP password");
    public static final Setting<String> NOTIFY_SMTP_FROM = new Setting<>("notify.smtp.from", SettingType.Text.any(),
            "communityguard@localhost", "sender address of notification e-mails");
    public static final Setting<String> NOTIFY_SMS_URL = new Setting<>("notify.sms.url",
            new SettingType.Text(Pattern.compile("^$|^https?://\\S+$"), "empty, or an http(s) URL", false), "",
            "SMS gateway endpoint (POST {\"to\", \"text\"}); empty: no SMS");
    public static final Setting<String> NOTIFY_SMS_TOKEN = new Setting<>("notify.sms.token", SettingType.Text.secretText(), "",
            "bearer token for the SMS gateway; empty: none sent");
    public static final Setting<Duration> NOTIFY_RETRY_BASE = new Setting<>("notify.retry-base",
            new SettingType.Time(Duration.ofMillis(100), Duration.ofMinutes(10)), Duration.ofSeconds(5),
            "wait before the first retry; doubled for each further one, at most 5m (a receiver's Retry-After is honoured)");
    public static final Setting<Duration> NOTIFY_RETRY_BUDGET = new Setting<>("notify.retry-budget",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofDays(7)), Duration.ofMinutes(10),
            "how long after it was queued a notification (of an incident that is not critical) is still retried; then it is undeliverable and escalated to the next role");
    public static final Setting<Duration> NOTIFY_RETRY_BUDGET_CRITICAL = new Setting<>("notify.retry-budget-critical",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofDays(7)), Duration.ofHours(2),
            "the same for a critical incident's notifications (a fire): tried far longer, unless the step it calls for is met first");
    public static final Setting<Integer> NOTIFY_SENDERS = new Setting<>("notify.senders",
            new SettingType.Int(1, 64, "attempts"), 8,
            "notifications sent at once by each hub: a receiver that is slow to answer holds up one, not the others");
    public static final Setting<Duration> NOTIFY_LEASE = new Setting<>("notify.lease",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofMinutes(10)), Duration.ofSeconds(30),
            "how long a hub's claim on a notification it is sending lasts unless renewed (it is, while the attempt lasts); a hub that stops mid-send leaves it to another after this; at least 3 loop.poll-interval");
    public static final Setting<Duration> NOTIFY_TIMEOUT = new Setting<>("notify.timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofMinutes(2)), Duration.ofSeconds(10),
            "connect and answer timeout of one notification attempt: webhook and SMS gateway (the whole exchange is cut off at twice this), SMTP (connecting, each read, each write)");

    public static final List<Setting<?>> ALL = List.of(
            HTTP_HOST, HTTP_PORT, HTTP_TLS_CERT, HTTP_TLS_KEY, HTTP_TRUST_PROXY, HTTP_METRICS_REQUIRE_KEY,
            HTTP_MAX_CONNECTIONS, HTTP_MAX_CONNECTIONS_PER_ADDRESS, HTTP_IDLE_TIMEOUT, HTTP_REQUEST_TIMEOUT,
            HTTP_MAX_HEADER_BYTES, HTTP_MAX_BODY_BYTES, HTTP_MAX_UPLOAD_BYTES, HTTP_UPLOAD_BUDGET_BYTES,
            UPLINK_HOST, UPLINK_PORT, UPLINK_RECEIVE_MAXIMUM, UPLINK_MAX_PACKET, UPLINK_CONNECT_TIMEOUT, UPLINK_MAX_CONNECTIONS,
            UPLINK_GATEWAYS,
            UPLINK_TLS_CERT, UPLINK_TLS_KEY, UPLINK_TLS_CLIENT_CA,
            DB_URL, DB_USER, DB_PASSWORD, DB_TIMESCALE, DB_POOL_SIZE,
            DB_CONNECT_TIMEOUT, DB_STATEMENT_TIMEOUT, DB_VALIDATION_TIMEOUT, DB_KEEPALIVE, DB_MAX_LIFETIME, DB_EMBEDDED_DIR,
            INGEST_WRITERS, INGEST_QUEUE_READINGS, INGEST_TX_READINGS, INGEST_RETRY_TIMEOUT, INGEST_DB_TIMEOUT,
            INGEST_MAX_UNPROVISIONED,
            ADMIN_PASSWORD, TOKEN_TTL, API_KEY_RATE, SESSION_TTL, SESSION_IDLE,
            LOGIN_MAX_FAILURES_USER, LOGIN_MAX_FAILURES_ADDRESS, LOGIN_FAILURE_WINDOW,
            LIVE_HEARTBEAT, LIVE_MAX_CLIENTS, LIVE_MAX_CLIENTS_PER_USER, LIVE_CLIENT_QUEUE, LIVE_RECONCILE, ROLLUP_EVERY,
            RETENTION_READINGS, RETENTION_ROLLUPS, RETENTION_INCIDENTS, RETENTION_AUDIT, RETENTION_PERSONAL, RETENTION_INTERVAL,
            SITE_FILE,
            INCIDENT_LIVENESS_INTERVAL,
            LOOP_POLL, NOTIFY_WEBHOOK_URL, NOTIFY_WEBHOOK_SECRET, NOTIFY_SMTP_HOST, NOTIFY_SMTP_PORT, NOTIFY_SMTP_TLS,
            NOTIFY_SMTP_USER, NOTIFY_SMTP_PASSWORD, NOTIFY_SMTP_FROM, NOTIFY_SMS_URL, NOTIFY_SMS_TOKEN,
            NOTIFY_RETRY_BASE, NOTIFY_RETRY_BUDGET, NOTIFY_RETRY_BUDGET_CRITICAL, NOTIFY_SENDERS, NOTIFY_LEASE,
            NOTIFY_TIMEOUT);
}
