package org.communityguard.hub;

import org.communityguard.hub.audit.AuditLog;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.communityguard.hub.api.ApiDocs;
import org.communityguard.hub.api.ApiHandler;
import org.communityguard.hub.api.ApiKeyApi;
import org.communityguard.hub.api.KeyAccess;
import org.communityguard.hub.api.ApiRoutes;
import org.communityguard.hub.api.AuthApi;
import org.communityguard.hub.api.Authenticator;
import org.communityguard.hub.api.EventsApi;
import org.communityguard.hub.api.LiveEvents;
import org.communityguard.hub.api.PasswordLogin;
import org.communityguard.hub.api.SessionApi;
import org.communityguard.hub.api.HealthApi;
import org.communityguard.hub.api.HttpInitializer;
import org.communityguard.hub.api.HttpLimits;
import org.communityguard.hub.api.IncidentApi;
import org.communityguard.hub.api.RegistryApi;
import org.communityguard.hub.api.Route;
import org.communityguard.hub.api.Router;
import org.communityguard.hub.api.StaticFiles;
import org.communityguard.hub.api.ThresholdApi;
import org.communityguard.hub.auth.ApiKeys;
import org.communityguard.hub.auth.GatewayRegistry;
import org.communityguard.hub.auth.KeyRateLimiter;
import org.communityguard.hub.auth.LoginLimiter;
import org.communityguard.hub.auth.Sessions;
import org.communityguard.hub.auth.Tokens;
import org.communityguard.hub.auth.Users;
import org.communityguard.hub.config.Config;
import org.communityguard.hub.config.ConfigException;
import org.communityguard.hub.config.HubSettings;
import org.communityguard.hub.console.BoardApi;
import org.communityguard.hub.console.BoardQuery;
import org.communityguard.hub.console.LiveBoard;
import org.communityguard.hub.console.SiteApi;
import org.communityguard.hub.incident.IncidentDetector;
import org.communityguard.hub.incident.IncidentListener;
import org.communityguard.hub.incident.IncidentRecorder;
import org.communityguard.hub.incident.IncidentStore;
import org.communityguard.hub.incident.LivenessMonitor;
import org.communityguard.hub.incident.lifecycle.Loop;
import org.communityguard.hub.incident.threshold.Thresholds;
import org.communityguard.hub.ingest.BatchCodec;
import org.communityguard.hub.ingest.GatewayBinding;
import org.communityguard.hub.ingest.IngestPipeline;
import org.communityguard.hub.ingest.UplinkInitializer;
import org.communityguard.hub.net.TcpServer;
import org.communityguard.hub.net.ServerTls;
import org.communityguard.hub.retention.RetentionApi;
import org.communityguard.hub.retention.RetentionPolicy;
import org.communityguard.hub.retention.RetentionTask;
import org.communityguard.hub.sharing.OpenAggregatesApi;
import org.communityguard.hub.sharing.SharedIncidentApi;
import org.communityguard.hub.site.SiteFile;
import org.communityguard.hub.site.SiteRegistry;
import org.communityguard.hub.storage.Database;
import org.communityguard.hub.storage.ReadingStore;
import org.communityguard.hub.telemetry.HourlyRollup;
import org.communityguard.hub.telemetry.SeriesApi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub: wiring and lifecycle, nothing else. A reading enters at
 * {@code ingest.BatchHandler}, is committed by {@code ingest.IngestPipeline} through
 * {@code storage.ReadingStore}, and raises incidents via {@code incident.IncidentDetector}
 * into {@code incident.IncidentStore}.
 */
public final class Hub implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Hub.class);

    /** Live events kept for browsers that reconnect (Last-Event-ID). */
    private static final int LIVE_EVENTS_KEPT = 1000;
    /** User names and addresses the login limiter remembers at most. */
    private static final int LOGIN_LIMITER_KEYS = 10_000;

    private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
    private final Database database;
    private final PrometheusMeterRegistry metrics;
    private final int httpPort;
    private final int uplinkPort;
    private final boolean uplinkTls;
    private final boolean httpTls;
    private final Optional<String> generatedAdminPassword;
    private final List<Route> routes;

    private Hub(Config config) throws SQLException {
        try {
            metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            new JvmMemoryMetrics().bindTo(metrics);
            new JvmGcMetrics().bindTo(metrics);
            new JvmThreadMetrics().bindTo(metrics);
            new ProcessorMetrics().bindTo(metrics);
            ObjectMapper json = jsonMapper();

            database = Database.open(config.get(HubSettings.DB_URL), config.get(HubSettings.DB_USER),
                    config.get(HubSettings.DB_PASSWORD), config.get(HubSettings.DB_TIMESCALE),
                    config.get(HubSettings.DB_POOL_SIZE),
                    new Database.Timeouts(config.get(HubSettings.DB_CONNECT_TIMEOUT), config.get(HubSettings.DB_STATEMENT_TIMEOUT),
                            config.get(HubSettings.DB_VALIDATION_TIMEOUT), config.get(HubSettings.DB_KEEPALIVE),
                            config.get(HubSettings.DB_MAX_LIFETIME)),
                    config.get(HubSettings.DB_EMBEDDED_DIR));
            closeables.push(database);
            var ds = database.dataSource();

            String siteFile = config.get(HubSettings.SITE_FILE);
            if (!siteFile.isEmpty()) {
                new SiteRegistry(ds).load(SiteFile.load(Path.of(siteFile)));
            }
            Users users = new Users(ds);
            generatedAdminPassword = users.ensureAdmin(config.get(HubSettings.ADMIN_PASSWORD));
            GatewayRegistry gateways = new GatewayRegistry(ds, metrics);
            for (String pair : splitList(config.get(HubSettings.UPLINK_GATEWAYS))) {
                int colon = pair.indexOf(':');
                gateways.register(pair.substring(0, colon), pair.substring(colon + 1));
            }

            // The console's live board follows the incident timeline in the database, so it shows
            // every hub's changes; a commit on this hub (opened incidents, the loop's changes) only
            // makes it look at once. Started before the HTTP server serves a board snapshot.
            LiveEvents liveEvents = new LiveEvents(LIVE_EVENTS_KEPT, config.get(HubSettings.LIVE_MAX_CLIENTS),
                    config.get(HubSettings.LIVE_MAX_CLIENTS_PER_USER), config.get(HubSettings.LIVE_CLIENT_QUEUE), metrics);
            BoardQuery board = new BoardQuery(ds);
            LiveBoard liveBoard = new LiveBoard(ds, () -> database.connectUnpooled("communityguard-hub-live"), board,
                    liveEvents, json, config.get(HubSettings.LIVE_RECONCILE));
            liveBoard.start();
            closeables.push(liveBoard);

            // The closed loop: dispatch, escalation, notifications (docs/incident-loop.md). Closed
            // before the live board (closeables run in reverse), so it never tells a closed board.
            Loop loop = new Loop(ds, json, config, metrics, liveBoard);
            loop.start();
            closeables.push(loop);

            IncidentStore incidents = new IncidentStore(json);
            Thresholds thresholds = new Thresholds(ds, new AuditLog(json));
            thresholds.reload();
            IncidentDetector detector = new IncidentDetector(thresholds);
            IncidentRecorder recorder = new IncidentRecorder(incidents, thresholds, json, metrics);
            IncidentListener listener = IncidentListener.all(loop.listener(), liveBoard);
            IngestPipeline pipeline = new IngestPipeline(ds,
                    new ReadingStore(json, config.get(HubSettings.INGEST_MAX_UNPROVISIONED), metrics), detector,
                    recorder, listener, config.get(HubSettings.INGEST_WRITERS),
                    config.get(HubSettings.INGEST_QUEUE_READINGS), config.get(HubSettings.INGEST_TX_READINGS),
                    config.get(HubSettings.INGEST_RETRY_TIMEOUT), config.get(HubSettings.INGEST_DB_TIMEOUT), metrics);
            pipeline.start();
            closeables.push(pipeline);

            EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("hub-accept"));
            EventLoopGroup workers = new NioEventLoopGroup(0, new DefaultThreadFactory("hub-io"));
            closeables.push(() -> {
                boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
                workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            });
            ExecutorService blocking = boundedPool("hub-api", 8, 1000);
            closeables.push(blocking::shutdownNow);
            // Gateway CONNECTs are checked on a pool of their own, so a reconnect storm's Argon2
            // hashing neither takes the API's threads nor more than half the cores from ingest. Its
            // queue holds what that pool checks within a gateway's 10 s CONNACK wait (~0.1 s each);
            // past it a CONNECT is refused as server busy and the gateway backs off.
            int authThreads = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
            ExecutorService gatewayChecks = boundedPool("hub-gateway-auth", authThreads, 100 * authThreads);
            closeables.push(gatewayChecks::shutdownNow);

            // Which gateway each device belongs to, followed across hubs: read before the uplink opens.
            GatewayBinding binding = new GatewayBinding(ds, metrics);
            binding.start(() -> database.connectUnpooled("communityguard-hub-registry"));
            closeables.push(binding);

            // null: plain TCP (ServerTls decides; the start-up banner asks it, not the settings again).
            SslContext uplinkSsl = ServerTls.serverContext(config, new ServerTls.Files("uplink", HubSettings.UPLINK_TLS_CERT,
                    HubSettings.UPLINK_TLS_KEY, HubSettings.UPLINK_TLS_CLIENT_CA));
            UplinkInitializer uplinkInitializer = new UplinkInitializer(new BatchCodec(json), binding, pipeline,
                    gateways::authenticate, gatewayChecks, config.get(HubSettings.UPLINK_RECEIVE_MAXIMUM),
                    config.get(HubSettings.UPLINK_MAX_PACKET),
                    new UplinkInitializer.Limits(config.get(HubSettings.UPLINK_CONNECT_TIMEOUT),
                            config.get(HubSettings.UPLINK_MAX_CONNECTIONS)),
                    uplinkSsl,
                    metrics);
            var uplink = new TcpServer("uplink", HubSettings.UPLINK_PORT.envName(), config.get(HubSettings.UPLINK_HOST),
                    config.get(HubSettings.UPLINK_PORT), boss, workers, uplinkInitializer);
            uplinkPort = uplink.start();
            uplinkTls = uplinkSsl != null;
            closeables.push(uplink);

            HourlyRollup rollup = new HourlyRollup(ds, database.timescale(), config.get(HubSettings.ROLLUP_EVERY),
                    Clock.systemUTC(), metrics);
            rollup.start();
            closeables.push(rollup);

            // Retention per kind of data (docs/retention.md); hubs sharing the database take turns.
            RetentionPolicy retention = RetentionPolicy.from(config);
            RetentionTask retentionTask = new RetentionTask(() -> database.connectUnpooled("communityguard-hub-retention"),
                    database.timescale(), retention, new AuditLog(json), config.get(HubSettings.RETENTION_INTERVAL),
                    Clock.systemUTC(), metrics);
            retentionTask.start();
            closeables.push(retentionTask);

            LivenessMonitor liveness = new LivenessMonitor(ds, detector, recorder, thresholds, listener,
                    uplinkInitializer::connectedGateways, config.get(HubSettings.INCIDENT_LIVENESS_INTERVAL));
            liveness.start();
            closeables.push(liveness);

            Tokens tokens = new Tokens(ds, config.get(HubSettings.TOKEN_TTL), Clock.systemUTC());
            Sessions sessions = new Sessions(ds, config.get(HubSettings.SESSION_TTL), config.get(HubSettings.SESSION_IDLE),
                    Clock.systemUTC());
            sessions.purgeExpired();
            PasswordLogin passwordLogin = new PasswordLogin(users, new LoginLimiter(
                    config.get(HubSettings.LOGIN_MAX_FAILURES_USER), config.get(HubSettings.LOGIN_MAX_FAILURES_ADDRESS),
                    config.get(HubSettings.LOGIN_FAILURE_WINDOW), LOGIN_LIMITER_KEYS, System::currentTimeMillis), metrics);
            // API keys for other systems (docs/data-sharing.md): every use checked and audited by KeyAccess.
            ApiKeys apiKeys = new ApiKeys(ds);
            AuditLog audit = new AuditLog(json);
            KeyAccess keyAccess = new KeyAccess(ds, apiKeys, new KeyRateLimiter(System::nanoTime), audit, Clock.systemUTC(),
                    metrics);
            Authenticator authenticator = new Authenticator(tokens, sessions, apiKeys, Clock.systemUTC(), metrics);
            Router router = new Router(ApiRoutes.all(
                    new HealthApi(ds, database.timescale(), pipeline::queuedReadings),
                    new AuthApi(passwordLogin, tokens),
                    new IncidentApi(ds, incidents),
                    new ThresholdApi(thresholds),
                    new RegistryApi(ds, uplinkInitializer::isConnected),
                    metrics,
                    new StaticFiles(),
                    new ApiDocs(),
                    loop.apis(),
                    new ApiRoutes.ConsoleApis(
                            new SessionApi(passwordLogin, sessions, tokens),
                            new EventsApi(liveEvents, authenticator, blocking, config.get(HubSettings.LIVE_HEARTBEAT), ds),
                            new BoardApi(board, liveEvents),
                            new SiteApi(ds, Clock.systemUTC()),
                            new SeriesApi(ds, database.timescale(), rollup, Clock.systemUTC()),
                            new RetentionApi(ds, retention, config.get(HubSettings.RETENTION_INTERVAL))),
                    new ApiRoutes.SharingApis(
                            new ApiKeyApi(ds, apiKeys, audit, config.get(HubSettings.API_KEY_RATE), Clock.systemUTC()),
                            new SharedIncidentApi(ds),
                            new OpenAggregatesApi(ds),
                            config.get(HubSettings.HTTP_METRICS_REQUIRE_KEY))));
            routes = router.routes();
            SslContext httpSsl = ServerTls.serverContext(config, new ServerTls.Files("HTTP port", HubSettings.HTTP_TLS_CERT,
                    HubSettings.HTTP_TLS_KEY, null));
            var http = new TcpServer("HTTP", HubSettings.HTTP_PORT.envName(), config.get(HubSettings.HTTP_HOST),
                    config.get(HubSettings.HTTP_PORT), boss, workers,
                    new HttpInitializer(new ApiHandler(router, authenticator, keyAccess, blocking, json, metrics,
                            config.get(HubSettings.HTTP_TRUST_PROXY)),
                            new HttpLimits(config.get(HubSettings.HTTP_MAX_CONNECTIONS),
                                    // Behind a reverse proxy every connection comes from the proxy's address.
                                    config.get(HubSettings.HTTP_TRUST_PROXY) ? 0 : config.get(HubSettings.HTTP_MAX_CONNECTIONS_PER_ADDRESS),
                                    config.get(HubSettings.HTTP_IDLE_TIMEOUT), config.get(HubSettings.HTTP_REQUEST_TIMEOUT),
                                    new HttpLimits.Sizes(config.get(HubSettings.HTTP_MAX_HEADER_BYTES),
                                            config.get(HubSettings.HTTP_MAX_BODY_BYTES), config.get(HubSettings.HTTP_MAX_UPLOAD_BYTES),
                                            config.get(HubSettings.HTTP_UPLOAD_BUDGET_BYTES)),
                                    router::takesUploads, metrics),
                            httpSsl));
            httpPort = http.start();
            httpTls = httpSsl != null;
            closeables.push(http);
        } catch (RuntimeException | SQLException e) {
            close();
            throw e;
        }
    }

    /** Starts a hub; failures are {@link ConfigException}s with a message that says what to change. */
    public static Hub start(Config config) throws SQLException {
        return new Hub(config);
    }

    public int httpPort() {
        return httpPort;
    }

    public int uplinkPort() {
        return uplinkPort;
    }

    /** Every HTTP route, as registered (the OpenAPI test checks each is documented). */
    public List<Route> routes() {
        return routes;
    }

    public Database database() {
        return database;
    }

    /** The Prometheus text of /metrics. */
    public String scrapeMetrics() {
        return metrics.scrape();
    }

    /** The admin password generated on first start (no {@code HUB_ADMIN_PASSWORD}), to print once. */
    public Optional<String> generatedAdminPassword() {
        return generatedAdminPassword;
    }

    /** Closes in reverse start order: stop listening, drain the ingest queue, then the database. */
    @Override
    public void close() {
        while (!closeables.isEmpty()) {
            try {
                closeables.pop().close();
            } catch (Exception e) {
                log.warn("error while stopping the hub: {}", e.toString());
            }
        }
    }

    public static ObjectMapper jsonMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .build();
    }

    private static ExecutorService boundedPool(String name, int threads, int queue) {
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                new DefaultThreadFactory(name, true));
    }

    private static List<String> splitList(String text) {
        return text.isBlank() ? List.of() : List.of(text.split(","));
    }

    public static void main(String[] args) {
        Path configFile = null;
        if (args.length == 1 && args[0].equals("--config-reference")) {
            // The table in docs/configuration.md comes from here (a test keeps the two equal).
            System.out.print(Config.markdownTable(HubSettings.ALL));
            return;
        }
        if (args.length == 2 && args[0].equals("--config")) {
            configFile = Path.of(args[1]);
        } else if (args.length != 0) {
            System.err.println("usage: hub [--config hub.yaml | --config-reference]   (settings: docs/configuration.md)");
            System.exit(2);
        } else if (System.getenv("HUB_CONFIG") != null) {
            configFile = Path.of(System.getenv("HUB_CONFIG"));
        }
        Hub hub;
        try {
            hub = start(Config.load(HubSettings.ALL, configFile, System.getenv()));
        } catch (ConfigException e) {
            System.err.println("hub: " + e.getMessage());
            System.exit(2);
            return;
        } catch (SQLException e) {
            System.err.println("hub: database error at start-up: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("hub stopping");
            hub.close();
        }, "hub-shutdown"));
        System.out.println();
        System.out.println("  CommunityGuard hub is running");
        String http = (hub.httpTls ? "https" : "http") + "://localhost:" + hub.httpPort();
        System.out.println("  console and API : " + http + "/");
        System.out.println("  API explorer    : " + http + "/api/docs/");
        System.out.println("  health          : " + http + "/api/health/live, /api/health/ready");
        System.out.println("  metrics         : " + http + "/metrics");
        System.out.println("  gateway uplink  : " + (hub.uplinkTls ? "mqtts" : "mqtt") + "://localhost:" + hub.uplinkPort()
                + " (MQTT 5" + (hub.uplinkTls ? " over TLS" : "") + ", docs/uplink.md)");
        hub.generatedAdminPassword().ifPresent(pw ->
                System.out.println("  admin login     : admin / " + pw + "   (generated; set HUB_ADMIN_PASSWORD to choose)"));
        System.out.println();
    }
}
