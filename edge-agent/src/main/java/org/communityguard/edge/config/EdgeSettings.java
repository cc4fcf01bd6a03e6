package org.communityguard.edge.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** Every edge agent setting, in one place. docs/configuration.md is generated from this list. */
public final class EdgeSettings {

    private EdgeSettings() {
    }

    private static final SettingType.Int PORT = new SettingType.Int(0, 65535, "");
    private static final SettingType.Text ID = new SettingType.Text(Pattern.compile("[A-Za-z0-9._-]{1,64}"),
            "1-64 characters of A-Z a-z 0-9 . _ -", false);

    public static final Setting<String> GATEWAY_ID = new Setting<>("gateway.id", ID, "gw-1",
            "this gateway's id: its uplink client id and user name at the hub");
    public static final Setting<String> SITE_FILE = new Setting<>("site.file", SettingType.Text.any(), "",
            "site file (docs/site-file.md): the devices this gateway serves; devices not in it are flagged unprovisioned");

    public static final Setting<String> DEVICE_KEYS_FILE = new Setting<>("device.keys-file", SettingType.Text.any(), "",
            "the devices' keys, id:hex-key a line, readable by the agent only (mode 0600): DTLS pre-shared keys and MQTT passwords of the devices with auth: psk (docs/site-file.md); written by edge-agent --provision-device. Never in the site file");

    public static final Setting<String> BROKER_URL = new Setting<>("broker.url", SettingType.Text.any(), "",
            "the gateway's MQTT broker devices connect to (tcp://host:port, Mosquitto in production); empty starts an embedded broker (demo)");
    public static final Setting<String> BROKER_USERNAME = new Setting<>("broker.username", SettingType.Text.any(), "",
            "the agent's account at the broker (deploy/mosquitto/communityguard.acl: edge-agent); empty connects anonymously, or, with the embedded broker, as edge-agent");
    public static final Setting<String> BROKER_PASSWORD = new Setting<>("broker.password", SettingType.Text.secretText(), "",
            "password of broker.username; with the embedded broker, empty makes up one at each start");
    public static final Setting<String> BROKER_EMBEDDED_HOST = new Setting<>("broker.embedded-host", SettingType.Text.any(),
            "0.0.0.0", "address of the embedded broker, when broker.url is empty");
    public static final Setting<Integer> BROKER_EMBEDDED_PORT = new Setting<>("broker.embedded-port", PORT, 1883,
            "port of the embedded broker, when broker.url is empty");

    public static final Setting<String> COAP_HOST = new Setting<>("coap.host", SettingType.Text.any(), "0.0.0.0",
            "address the CoAP server listens on");
    public static final Setting<Integer> COAP_PORT = new Setting<>("coap.port", PORT, 5683,
            "UDP port of plain CoAP, served only when the site file lets some device in without a key (auth: none) (0 picks a free port)");
    public static final Setting<Integer> COAP_DTLS_PORT = new Setting<>("coap.dtls-port", PORT, 5684,
            "UDP port of CoAP over DTLS, with each device's pre-shared key (PSK identity = device id); served when device.keys-file has keys (0 picks a free port)");
    public static final Setting<Integer> DEVICE_MAX_PAYLOAD = new Setting<>("device.max-payload-bytes",
            new SettingType.Int(64, 65536, "bytes"), 1024,
            "largest device message accepted (CoAP answers 4.13 above it)");

    public static final Setting<String> UPLINK_URL = new Setting<>("uplink.url", SettingType.Text.any(), "tcp://localhost:1884",
            "the hub's uplink endpoint: tcp://host:port, or ssl://host:port for TLS (MQTT 5; docs/uplink.md)");
    public static final Setting<String> UPLINK_SECRET = new Setting<>("uplink.secret",
            new SettingType.Text(Pattern.compile("^$|^.{12,}$"), "12 or more characters", true), "",
            "this gateway's secret, as registered at the hub");
    public static final Setting<Integer> UPLINK_BATCH_READINGS = new Setting<>("uplink.batch-readings",
            new SettingType.Int(1, 5000, "readings"), 500, "most readings in one uplink batch");
    public static final Setting<Duration> UPLINK_LINGER = new Setting<>("uplink.linger",
            new SettingType.Time(Duration.ZERO, Duration.ofSeconds(10)), Duration.ofMillis(100),
            "how long a batch waits to fill before it is sent anyway");
    public static final Setting<Integer> UPLINK_WINDOW = new Setting<>("uplink.window",
            new SettingType.Int(1, 1000, "batches"), 16,
            "unacknowledged batches in flight (the hub's Receive Maximum caps it); routine batches leave one place"
                    + " of it to safety events");
    public static final Setting<Duration> UPLINK_RETRY = new Setting<>("uplink.retry",
            new SettingType.Time(Duration.ofMillis(100), Duration.ofMinutes(10)), Duration.ofSeconds(5),
            "wait before resending a batch the hub could not store (PUBACK 0x97), and the longest reconnect back-off");
    public static final Setting<Duration> UPLINK_ACK_TIMEOUT = new Setting<>("uplink.ack-timeout",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(60),
            "a batch without a PUBACK this long means the connection is wedged: it is left and every unacknowledged batch resent on a new one (same ids); keep it above the hub's ingest.retry-timeout");
    public static final Setting<Duration> UPLINK_KEEP_ALIVE = new Setting<>("uplink.keep-alive",
            new SettingType.Time(Duration.ofSeconds(5), Duration.ofMinutes(10)), Duration.ofSeconds(30),
            "MQTT keep-alive of the uplink: an idle connection whose path died is noticed within about twice this");

    public static final Setting<Integer> UPLINK_DRAIN_RATE = new Setting<>("uplink.drain-rate",
            new SettingType.Int(0, 1_000_000, "readings/s"), 2000,
            "most routine readings sent to the hub per second, so a backlog drains steadily after an outage; safety events are never held back (0: no limit)");
    public static final Setting<String> UPLINK_TLS_CA = new Setting<>("uplink.tls-ca", SettingType.Text.any(), "",
            "with an ssl:// uplink.url: PEM file of the CA that signed the hub's certificate; empty trusts the JVM's CAs. The hub's certificate and host name are always verified");
    public static final Setting<String> UPLINK_TLS_CLIENT_KEYSTORE = new Setting<>("uplink.tls-client-keystore",
            SettingType.Text.any(), "",
            "with an ssl:// uplink.url: PKCS#12 file with this gateway's client certificate and key, for hubs that ask for one; empty sends none");
    public static final Setting<String> UPLINK_TLS_CLIENT_KEYSTORE_PASSWORD = new Setting<>(
            "uplink.tls-client-keystore-password", SettingType.Text.secretText(), "",
            "password of uplink.tls-client-keystore");

    public static final Setting<String> BUFFER_DIR = new Setting<>("buffer.dir", SettingType.Text.any(), "edge-data",
            "directory of the durable uplink buffer (buffer.db, SQLite; docs/edge-storage.md); relative to the working directory");
    public static final Setting<Integer> BUFFER_DISK_BUDGET = new Setting<>("buffer.disk-budget-mb",
            new SettingType.Int(1, 1_000_000, "MB"), 2000,
            "disk the buffer may use; the default holds a week of a 500-device site at one reading a minute. When full the oldest telemetry is dropped (and reported); events never are");
    public static final Setting<Integer> BUFFER_DISK_RESERVE = new Setting<>("buffer.disk-reserve-mb",
            new SettingType.Int(0, 1_000_000, "MB"), 200,
            "disk left free for the rest of the gateway: when the buffer's filesystem has less room than buffer.disk-budget-mb plus this, the budget shrinks to what is left (health shows the budget in force)");

    public static final Setting<Integer> LIVENESS_SILENT_INTERVALS = new Setting<>("liveness.silent-intervals",
            new SettingType.Int(1, 1000, "intervals"), 3,
            "a device not heard for this many of its reporting intervals (site file interval_s) is reported offline");
    public static final Setting<Duration> HEALTH_INTERVAL = new Setting<>("health.interval",
            new SettingType.Time(Duration.ofSeconds(1), Duration.ofHours(1)), Duration.ofSeconds(60),
            "how often the gateway reports its own health (CPU, memory, disk, buffer, uplink) to the hub");

    public static final Setting<String> PSEUDONYM_KEY = new Setting<>("privacy.pseudonym-key",
            new SettingType.Text(Pattern.compile("^.{32,}$"), "32 or more characters", true), "",
            "the community's secret for door-access pseudonyms (same on every gateway of the community); required");

    public static final Setting<String> METRICS_HOST = new Setting<>("metrics.host", SettingType.Text.any(), "0.0.0.0",
            "address of the /metrics and /health endpoint");
    public static final Setting<Integer> METRICS_PORT = new Setting<>("metrics.port", PORT, 9100,
            "port of the /metrics (Prometheus) and /health endpoint (0 picks a free port)");

    public static final List<Setting<?>> ALL = List.of(
            GATEWAY_ID, SITE_FILE, DEVICE_KEYS_FILE,
            BROKER_URL, BROKER_USERNAME, BROKER_PASSWORD, BROKER_EMBEDDED_HOST, BROKER_EMBEDDED_PORT,
            COAP_HOST, COAP_PORT, COAP_DTLS_PORT, DEVICE_MAX_PAYLOAD,
            UPLINK_URL, UPLINK_SECRET, UPLINK_BATCH_READINGS, UPLINK_LINGER, UPLINK_WINDOW, UPLINK_RETRY,
            UPLINK_ACK_TIMEOUT, UPLINK_KEEP_ALIVE,
            UPLINK_DRAIN_RATE, UPLINK_TLS_CA, UPLINK_TLS_CLIENT_KEYSTORE, UPLINK_TLS_CLIENT_KEYSTORE_PASSWORD,
            BUFFER_DIR, BUFFER_DISK_BUDGET, BUFFER_DISK_RESERVE,
            LIVENESS_SILENT_INTERVALS, HEALTH_INTERVAL,
            PSEUDONYM_KEY,
            METRICS_HOST, METRICS_PORT);
}
