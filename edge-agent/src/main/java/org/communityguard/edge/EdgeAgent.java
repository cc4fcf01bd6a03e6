package org.communityguard.edge;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.communityguard.edge.broker.BrokerAccounts;
import org.communityguard.edge.broker.EmbeddedBroker;
import org.communityguard.edge.buffer.UplinkBuffer;
import org.communityguard.edge.coap.CoapDeviceServer;
import org.communityguard.edge.config.Config;
import org.communityguard.edge.config.ConfigException;
import org.communityguard.edge.config.EdgeSettings;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceIngest;
import org.communityguard.edge.identity.DeviceAccess;
import org.communityguard.edge.identity.DeviceAuth;
import org.communityguard.edge.identity.DeviceKeys;
import org.communityguard.edge.metrics.MetricsServer;
import org.communityguard.edge.mqtt.MqttDeviceListener;
import org.communityguard.edge.privacy.Pseudonyms;
import org.communityguard.edge.site.Site;
import org.communityguard.edge.uplink.BatchEncoder;
import org.communityguard.edge.uplink.ReadingJson;
import org.communityguard.edge.uplink.UplinkTls;
import org.communityguard.edge.linkage.Linkage;
import org.communityguard.edge.liveness.GatewayHealth;
import org.communityguard.edge.liveness.Liveness;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.communityguard.edge.uplink.UplinkClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge agent: wiring and lifecycle only. A device message enters at
 * {@code mqtt.MqttDeviceListener} or {@code coap.CoapDeviceServer}, is checked by
 * {@code device.DeviceIngest}, pseudonymized by {@code privacy.Pseudonyms}, acted on by
 * {@code linkage.Linkage} (alarms), watched by {@code liveness.Liveness}, held on disk in
 * {@code buffer.UplinkBuffer}, and sent to the hub by {@code uplink.UplinkClient}.
 */
public final class EdgeAgent implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EdgeAgent.class);

    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final String brokerUrl;
    private final boolean embeddedBroker;
    private final int coapPort;
    private final int coapDtlsPort;
    private final int metricsPort;
    private final UplinkBuffer buffer;
    private final UplinkClient uplink;
    private final MqttDeviceListener mqtt;
    private final PrometheusMeterRegistry metrics;

    private EdgeAgent(Config config) {
        try {
            String gatewayId = config.get(EdgeSettings.GATEWAY_ID);
            String pseudonymKey = config.get(EdgeSettings.PSEUDONYM_KEY);
            if (pseudonymKey.isEmpty()) {
                throw new ConfigException(EdgeSettings.PSEUDONYM_KEY.envName() + " is required: the community's secret"
                        + " (32+ characters, the same on all its gateways) that turns door-access card ids into pseudonyms");
            }
            if (config.get(EdgeSettings.UPLINK_SECRET).isEmpty()) {
                throw new ConfigException(EdgeSettings.UPLINK_SECRET.envName()
                        + " is required: the secret this gateway was registered with at the hub");
            }
            Clock clock = Clock.systemUTC();
            metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(metrics);
            new ProcessorMetrics().bindTo(metrics);

            String siteFile = config.get(EdgeSettings.SITE_FILE);
            Site site = siteFile.isEmpty() ? Site.empty() : Site.load(Path.of(siteFile), gatewayId);
            if (siteFile.isEmpty()) {
                log.warn("no site file (EDGE_SITE_FILE): every device will be flagged unprovisioned");
            }

            DeviceKeys keys = deviceKeys(config.get(EdgeSettings.DEVICE_KEYS_FILE));
            DeviceAccess access = site.access();
            List<String> keyless = site.devices().values().stream()
                    .filter(d -> d.auth() == DeviceAuth.PSK && keys.key(d.id()).isEmpty()).map(Site.Device::id).sorted().toList();
            if (!keyless.isEmpty()) {
                log.warn("{} devices of the site file need a key and have none in {} (edge-agent --provision-device): {}",
                        keyless.size(), EdgeSettings.DEVICE_KEYS_FILE.envName(), keyless);
            }

            embeddedBroker = config.get(EdgeSettings.BROKER_URL).isEmpty();
            String brokerUser = config.get(EdgeSettings.BROKER_USERNAME);
            String brokerPassword = config.get(EdgeSettings.BROKER_PASSWORD);
            BrokerAccounts accounts = null;
            if (embeddedBroker) {
                // The agent's account at its own broker: a password made up now unless one is set.
                brokerUser = brokerUser.isEmpty() ? "edge-agent" : brokerUser;
                brokerPassword = brokerPassword.isEmpty() ? randomPassword() : brokerPassword;
                accounts = new BrokerAccounts(brokerUser, brokerPassword, keys, metrics);
                EmbeddedBroker broker = new EmbeddedBroker(config.get(EdgeSettings.BROKER_EMBEDDED_HOST),
                        config.get(EdgeSettings.BROKER_EMBEDDED_PORT), accounts);
                broker.start();
                closeables.push(broker);
                brokerUrl = "tcp://127.0.0.1:" + broker.port();
                log.info("embedded MQTT broker on port {} (set EDGE_BROKER_URL to use Mosquitto)", broker.port());
            } else {
                brokerUrl = config.get(EdgeSettings.BROKER_URL);
            }

            ObjectMapper json = new ObjectMapper();
            buffer = new UplinkBuffer(new UplinkBuffer.Settings(Path.of(config.get(EdgeSettings.BUFFER_DIR), "buffer.db"),
                    gatewayId, config.get(EdgeSettings.BUFFER_DISK_BUDGET) * 1_000_000L,
                    config.get(EdgeSettings.BUFFER_DISK_RESERVE) * 1_000_000L, config.get(EdgeSettings.UPLINK_DRAIN_RATE)), new ReadingJson(json), clock, metrics);
            closeables.push(buffer);
            DeviceCommands commands = new DeviceCommands(16, Duration.ofMinutes(10), clock, metrics);
            // Device readings pass: pseudonyms (before anything is written), linkage (acts on
            // alarms at once), liveness (offline/online), then the buffer on disk.
            Liveness liveness = new Liveness(buffer, site, config.get(EdgeSettings.LIVENESS_SILENT_INTERVALS), clock, metrics);
            Linkage linkage = new Linkage(liveness, site, commands, gatewayId, clock, metrics);
            DeviceIngest ingest = new DeviceIngest(new Pseudonyms(pseudonymKey, linkage), site.provisioning(), access, commands,
                    metrics, clock, new DeviceIngest.Settings(config.get(EdgeSettings.DEVICE_MAX_PAYLOAD), 10_000,
                    Duration.ofMinutes(1), Duration.ofSeconds(30)));
            int recalled = buffer.forDuplicateDetection(ingest::recall);
            log.info("duplicate detection remembers {} readings from the buffer", recalled);

            String uplinkUrl = config.get(EdgeSettings.UPLINK_URL);
            SocketFactory tls = uplinkUrl.startsWith("ssl://")
                    ? UplinkTls.socketFactory(config.get(EdgeSettings.UPLINK_TLS_CA),
                            config.get(EdgeSettings.UPLINK_TLS_CLIENT_KEYSTORE),
                            config.get(EdgeSettings.UPLINK_TLS_CLIENT_KEYSTORE_PASSWORD))
                    : null;
            uplink = new UplinkClient(new UplinkClient.Settings(uplinkUrl, gatewayId, config.get(EdgeSettings.UPLINK_SECRET),
                    config.get(EdgeSettings.UPLINK_BATCH_READINGS), config.get(EdgeSettings.UPLINK_LINGER),
                    config.get(EdgeSettings.UPLINK_WINDOW), config.get(EdgeSettings.UPLINK_RETRY),
                    config.get(EdgeSettings.UPLINK_ACK_TIMEOUT), config.get(EdgeSettings.UPLINK_KEEP_ALIVE)),
                    buffer, new BatchEncoder(json), tls, metrics);
            uplink.start();
            closeables.push(uplink);

            MqttDeviceListener.Settings anonymous = MqttDeviceListener.Settings.of(brokerUrl, "edge-" + gatewayId);
            mqtt = new MqttDeviceListener(brokerUser.isEmpty() ? anonymous
                    : new MqttDeviceListener.Settings(brokerUrl, anonymous.clientId(), brokerUser,
                            brokerPassword, anonymous.pauseWhenFull(), anonymous.maxReconnectDelay()),
                    ingest, commands, metrics, accounts == null ? topic -> true : accounts::vouchesForEvent);
            mqtt.start();
            closeables.push(mqtt);

            // Plain CoAP only where the site file lets a device in without a key; DTLS for the devices with one.
            String coapHost = config.get(EdgeSettings.COAP_HOST);
            InetSocketAddress plainCoap = access.allowsPlain() ? new InetSocketAddress(coapHost, config.get(EdgeSettings.COAP_PORT)) : null;
            InetSocketAddress dtlsCoap = keys.isEmpty() ? null : new InetSocketAddress(coapHost, config.get(EdgeSettings.COAP_DTLS_PORT));
            if (plainCoap == null && dtlsCoap == null) {
                log.warn("no CoAP served: the site file lets no device in without a key, and {} has no keys",
                        EdgeSettings.DEVICE_KEYS_FILE.envName());
                coapPort = -1;
                coapDtlsPort = -1;
            } else {
                CoapDeviceServer coap = new CoapDeviceServer(plainCoap, dtlsCoap, keys, ingest, commands, 2);
                coap.start();
                closeables.push(coap);
                coapPort = coap.port();
                coapDtlsPort = coap.dtlsPort();
            }

            GatewayHealth health = new GatewayHealth(gatewayId, buffer, uplink::isConnected, clock);
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "edge-timer");
                t.setDaemon(true);
                return t;
            });
            closeables.push(timer::shutdownNow);
            timer.scheduleWithFixedDelay(() -> guarded("liveness check", liveness::check), 5, 5, TimeUnit.SECONDS);
            long healthMs = config.get(EdgeSettings.HEALTH_INTERVAL).toMillis();
            timer.scheduleWithFixedDelay(() -> guarded("health report", () -> {
                try {
                    health.report();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }), Math.min(healthMs, 5_000), healthMs, TimeUnit.MILLISECONDS);

            MetricsServer metricsServer = new MetricsServer(config.get(EdgeSettings.METRICS_HOST),
                    config.get(EdgeSettings.METRICS_PORT), metrics, this::health);
            closeables.push(metricsServer);
            metricsPort = metricsServer.port();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static DeviceKeys deviceKeys(String file) {
        if (file.isEmpty()) {
            log.warn("no device keys ({}): no device can use DTLS or an MQTT account", EdgeSettings.DEVICE_KEYS_FILE.envName());
            return DeviceKeys.empty();
        }
        return DeviceKeys.load(Path.of(file));
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A timer task must not die of one failure: the next run comes as usual. */
    private static void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.error("{} failed", what, e);
        }
    }

    /** Starts an agent; failures are {@link ConfigException}s with a message that says what to change. */
    public static EdgeAgent start(Config config) {
        return new EdgeAgent(config);
    }

    /** The gateway's MQTT broker, as devices see it. */
    public String brokerUrl() {
        return brokerUrl;
    }

    /** The plain CoAP port, -1 when the site file lets no device in without a key. */
    public int coapPort() {
        return coapPort;
    }

    /** The CoAP-over-DTLS port, -1 when there are no device keys. */
    public int coapDtlsPort() {
        return coapDtlsPort;
    }

    public int metricsPort() {
        return metricsPort;
    }

    public UplinkBuffer buffer() {
        return buffer;
    }

    public boolean uplinkConnected() {
        return uplink.isConnected();
    }

    /** Subscribed on the device broker: devices' MQTT messages from now on reach this agent. */
    public boolean deviceBrokerListening() {
        return mqtt.isListening();
    }

    public String scrapeMetrics() {
        return metrics.scrape();
    }

    /** Devices can be served (MQTT up): "ok". The hub being away is normal: readings wait in the buffer. */
    private String health() {
        return "{\"status\":\"" + (mqtt.isConnected() ? "ok" : "degraded") + "\""
                + ",\"device_mqtt\":" + mqtt.isConnected()
                + ",\"device_broker_open\":" + mqtt.brokerOpen()
                + ",\"uplink_connected\":" + uplink.isConnected()
                + ",\"buffer_pending_readings\":" + buffer.pendingReadings()
                + ",\"buffer_dead_letter_readings\":" + buffer.deadLetterReadings()
                + ",\"buffer_disk_used_bytes\":" + buffer.usedBytes()
                + ",\"buffer_disk_budget_bytes\":" + buffer.budgetBytes() + "}";
    }

    @Override
    public void close() {
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                log.warn("error while stopping the edge agent: {}", e.toString());
            }
        }
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("--config-reference")) {
            // The table in docs/configuration.md comes from here (a test keeps the two equal).
            System.out.print(Config.markdownTable(EdgeSettings.ALL));
            return;
        }
        Path configFile = null;
        List<String> rest = List.of(args);
        if (rest.size() >= 2 && rest.get(0).equals("--config")) {
            configFile = Path.of(rest.get(1));
            rest = rest.subList(2, rest.size());
        } else if (System.getenv("EDGE_CONFIG") != null) {
            configFile = Path.of(System.getenv("EDGE_CONFIG"));
        }
        if (!rest.isEmpty() && !EdgeCommands.isCommand(rest.get(0))) {
            System.err.print(EdgeCommands.USAGE);
            System.exit(2);
        }
        Config config;
        try {
            config = Config.load(EdgeSettings.ALL, configFile, System.getenv());
        } catch (ConfigException e) {
            System.err.println("edge-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!rest.isEmpty()) {
            System.exit(EdgeCommands.run(rest, config, System.out, System.err));
        }
        EdgeAgent agent;
        try {
            agent = start(config);
        } catch (ConfigException e) {
            System.err.println("edge-agent: " + e.getMessage());
            System.exit(2);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("edge agent stopping");
            agent.close();
        }, "edge-shutdown"));
        System.out.println();
        System.out.println("  CommunityGuard edge agent is running");
        System.out.println("  devices, MQTT   : " + agent.brokerUrl() + (agent.embeddedBroker ? " (embedded broker)" : ""));
        if (agent.coapDtlsPort() > 0) {
            System.out.println("  devices, DTLS   : coaps://localhost:" + agent.coapDtlsPort() + " (a pre-shared key per device)");
        }
        if (agent.coapPort() > 0) {
            System.out.println("  devices, CoAP   : coap://localhost:" + agent.coapPort() + " (plain: devices of auth: none)");
        }
        System.out.println("  metrics, health : http://localhost:" + agent.metricsPort() + "/metrics  /health");
        System.out.println();
    }
}
