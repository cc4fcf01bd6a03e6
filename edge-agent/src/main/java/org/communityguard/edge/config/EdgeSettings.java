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

    public static final Setting<String> BROKER_URL = new Setting<>("broker.url", SettingType.Text.any(), "",
            "the gateway's MQTT broker devices connect to (tcp://host:port, Mosquitto in production); empty starts an embedded broker (demo)");
    public static final Setting<String> BROKER_EMBEDDED_HOST = new Setting<>("broker.embedded-host", SettingType.Text.any(),
            "0.0.0.0", "address of the embedded broker, when broker.url is empty");
    public static final Setting<Integer> BROKER_EMBEDDED_PORT = new Setting<>("broker.embedded-port", PORT, 1883,
            "port of the embedded broker, when broker.url is empty");

    public static final Setting<String> COAP_HOST = new Setting<>("coap.host", SettingType.Text.any(), "0.0.0.0",
            "address the CoAP server listens on");
    public static final Setting<Integer> COAP_PORT = new Setting<>("coap.port", PORT, 5683,
            "UDP port of the CoAP server (0 picks a free port)");
    public static final Setting<Integer> DEVICE_MAX_PAYLOAD = new Setting<>("device.max-payload-bytes",
            new SettingType.Int(64, 65536, "bytes"), 1024,
            "largest device message accepted (CoAP answers 4.13 above it)");

    public static final Setting<String> UPLINK_URL = new Setting<>("uplink.url", SettingType.Text.any(), "tcp://localhost:1884",
            "the hub's uplink endpoint (tcp://host:port, MQTT 5; docs/uplink.md)");
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
            "unacknowledged batches in flight (the hub's Receive Maximum caps it)");
    public static final Setting<Duration> UPLINK_RETRY = new Setting<>("uplink.retry",
            new SettingType.Time(Duration.ofMillis(100), Duration.ofMinutes(10)), Duration.ofSeconds(5),
            "wait before resending a batch the hub could not store (PUBACK 0x97), and the longest reconnect back-off");

    public static final Setting<Integer> BUFFER_READINGS = new Setting<>("buffer.max-readings",
            new SettingType.Int(100, 100_000_000, "readings"), 200_000,
            "readings held for the hub before devices are told to retry later (CoAP 5.03, MQTT not acknowledged)");

    public static final Setting<String> PSEUDONYM_KEY = new Setting<>("privacy.pseudonym-key",
            new SettingType.Text(Pattern.compile("^.{32,}$"), "32 or more characters", true), "",
            "the community's secret for door-access pseudonyms (same on every gateway of the community); required");

    public static final Setting<String> METRICS_HOST = new Setting<>("metrics.host", SettingType.Text.any(), "0.0.0.0",
            "address of the /metrics and /health endpoint");
    public static final Setting<Integer> METRICS_PORT = new Setting<>("metrics.port", PORT, 9100,
            "port of the /metrics (Prometheus) and /health endpoint (0 picks a free port)");

    public static final List<Setting<?>> ALL = List.of(
            GATEWAY_ID, SITE_FILE,
            BROKER_URL, BROKER_EMBEDDED_HOST, BROKER_EMBEDDED_PORT,
            COAP_HOST, COAP_PORT, DEVICE_MAX_PAYLOAD,
            UPLINK_URL, UPLINK_SECRET, UPLINK_BATCH_READINGS, UPLINK_LINGER, UPLINK_WINDOW, UPLINK_RETRY,
            BUFFER_READINGS,
            PSEUDONYM_KEY,
            METRICS_HOST, METRICS_PORT);
}
