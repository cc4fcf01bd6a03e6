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
    public static final Setting<String> DB_EMBEDDED_DIR = new Setting<>("db.embedded-dir", SettingType.Text.any(), "",
            "data directory of the embedded PostgreSQL; empty uses a temporary one, deleted at exit");

    public static final Setting<Integer> INGEST_WRITERS = new Setting<>("ingest.writers",
            new SettingType.Int(1, 64, "threads"), 2,
            "database writer threads; a gateway's batches always go to the same writer, in order");
    public static final Setting<Integer> INGEST_QUEUE_READINGS = new Setting<>("ingest.queue-readings",
            new SettingType.Int(1000, 10_000_000, "readings"), 100_000,
            "readings waiting for the database before the hub stops reading from gateways");
    public static final Setting<Integer> INGEST_TX_READINGS = new Setting<>("ingest.max-readings-per-commit",
            new SettingType.Int(1, 1_000_000, "readings"), 20_000,
            "readings grouped into one database transaction");
    public static final Setting<Duration> INGEST_RETRY_TIMEOUT = new Setting<>("ingest.retry-timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(15),
            "how long a batch is retried against a failing database before the gateway is told to resend later (PUBACK 0x97)");

    public static final Setting<String> ADMIN_PASSWORD = new Setting<>("admin.password",
            new SettingType.Text(Pattern.compile("^$|^.{8,}$"), "8 or more characters", true), "",
            "password of the admin account; empty keeps the stored one, or generates and prints one on first start");
    public static final Setting<Duration> TOKEN_TTL = new Setting<>("auth.token-ttl",
            new SettingType.Time(Duration.ofMinutes(5), Duration.ofDays(30)), Duration.ofHours(12),
            "lifetime of API bearer tokens");

    public static final Setting<String> SITE_FILE = new Setting<>("site.file", SettingType.Text.any(), "",
            "site file (docs/site-file.md) loaded into the registry at start; empty loads none");

    public static final Setting<Double> FIRE_OBSCURATION = new Setting<>("incident.fire.obscuration-pct-m",
            new SettingType.Decimal(0.1, 100, "%/m"), 10.0,
            "smoke obscuration at or above which a smoke detector's telemetry opens a FIRE incident");

    public static final List<Setting<?>> ALL = List.of(
            HTTP_HOST, HTTP_PORT,
            UPLINK_HOST, UPLINK_PORT, UPLINK_RECEIVE_MAXIMUM, UPLINK_MAX_PACKET, UPLINK_GATEWAYS,
            UPLINK_TLS_CERT, UPLINK_TLS_KEY, UPLINK_TLS_CLIENT_CA,
            DB_URL, DB_USER, DB_PASSWORD, DB_TIMESCALE, DB_POOL_SIZE, DB_EMBEDDED_DIR,
            INGEST_WRITERS, INGEST_QUEUE_READINGS, INGEST_TX_READINGS, INGEST_RETRY_TIMEOUT,
            ADMIN_PASSWORD, TOKEN_TTL,
            SITE_FILE,
            FIRE_OBSCURATION);
}
