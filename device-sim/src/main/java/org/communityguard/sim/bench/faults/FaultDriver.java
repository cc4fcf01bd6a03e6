package org.communityguard.sim.bench.faults;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.communityguard.sim.Alarm;
import org.communityguard.sim.Poison;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.device.Message;
import org.communityguard.sim.ledger.LedgerCounts;
import org.communityguard.sim.ledger.LedgerSnapshot;
import org.communityguard.sim.site.DeviceType;
import org.communityguard.sim.site.SiteLoader;

/**
 * The load and the ledger of one fault of {@code deploy/bench.sh faults}. The script starts the
 * hub and the edge agent, then this driver, and injects the fault itself (kill -9 and restart of
 * a process); the driver runs the site's devices against the agent, raises alarms when told, and
 * at the end counts, with {@link ReadingAudit}, {@link AlarmAudit} and {@link NotificationAudit},
 * what reached the hub. Commands, one a line on standard input:
 * <pre>
 *   alarm            the next smoke detector goes into alarm (Alarms)
 *   black-hole       the relay (--black-hole-proxy) stops forwarding, closing nothing
 *   half-open        the relay's connections open now go silent, closing nothing; new ones are forwarded
 *   resume           ... and forwards again
 *   reboot           every device power-cycles: its seq starts again at 0, 1, 300 or 5000 (REBOOT_SEQS)
 *   poison           the next device (seeded order) sends the next kind of poison reading (Poison)
 *   power-window     the broker's last autosave before a power cut may be from now on
 *   power-cut        broker and agent have been SIGKILLed (sent after the kill): what only the
 *                    broker acknowledged since power-window is in its documented window
 *                    (ReadingAudit.Allowances)
 *   webhook-503      the notification provider (--webhook-port) answers 503 to everything
 *   webhook-refuse   ... refuses connections
 *   webhook-up       ... is back
 *   stop             stop the devices, wait until the hub has everything, count (also at end of input)
 * </pre>
 * Standard output gets {@code READY} once every device is connected, then one line
 * {@code FAULT fault=NAME key=value ...} with the counts; progress and problems go to standard
 * error. Exit codes: 0 counted (whatever the counts), 2 bad command line, 3 the run could not be
 * done (the agent never became healthy, ...).
 */
public final class FaultDriver {

    static final String USAGE = """
            usage: FaultDriver --fault NAME --site FILE --mqtt tcp://H:P --coap coap://H:P --agent http://H:P
                               --db-url JDBC_URL [options]; commands on standard input (see the class comment)
              --db-user NAME             database user (postgres)
              --db-password TEXT         database password (empty)
              --seed N                   seeds the devices and the order of the alarming detectors (1)
              --interval-ms N            each device reports every N ms (100)
              --settle S                 longest wait for the hub to have everything after stop (600)
              --black-hole-proxy L:T     relay 127.0.0.1:L to 127.0.0.1:T (the hub's uplink or its database)
              --webhook-port P           notification provider on 127.0.0.1:P
              --notify-settle S          longest wait for the hub to finish retrying notifications (900)
            """;

    /** Where a rebooted device's seq starts: a counter from 0 or 1, or a boot counter kept in flash. */
    static final long[] REBOOT_SEQS = {0, 1, 300, 5000};

    private FaultDriver() {
    }

    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.out, System.err);
        } catch (Exception e) {
            System.err.println("FaultDriver: the run could not be done: " + e);
            e.printStackTrace();
            code = 3;
        }
        // Exit explicitly: Paho's and Californium's threads must not keep bench.sh waiting.
        System.exit(code);
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
        Map<String, String> o;
        try {
            o = options(args);
        } catch (IllegalArgumentException e) {
            err.println("FaultDriver: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        String fault = o.get("fault");
        long seed = Long.parseLong(o.getOrDefault("seed", "1"));
        URI agent = URI.create(o.get("agent"));
        URI agentMetrics = agent.resolve("/metrics");
        Settle.ConnectionSource db = () -> DriverManager.getConnection(o.get("db-url"),
                o.getOrDefault("db-user", "postgres"), o.getOrDefault("db-password", ""));

        BlackHoleProxy proxy = null;
        if (o.containsKey("black-hole-proxy")) {
            String[] ports = o.get("black-hole-proxy").split(":");
            proxy = new BlackHoleProxy(Integer.parseInt(ports[0]), new InetSocketAddress("127.0.0.1", Integer.parseInt(ports[1])));
        }
        WebhookReceiver webhook = o.containsKey("webhook-port")
                ? new WebhookReceiver(Integer.parseInt(o.get("webhook-port"))) : null;
        // The script starts the driver first (its relay may be the hub's way to the database), then hub and agent.
        if (!awaitHealthy(agent.resolve("/health"), Duration.ofSeconds(300))) {
            err.println("FaultDriver: the edge agent at " + agent + " did not become healthy in 300 s");
            return 3;
        }
        SimConfig config = SimConfig.of(SiteLoader.load(Path.of(o.get("site"))), o.get("mqtt"), URI.create(o.get("coap")))
                .withInterval(Duration.ofMillis(Long.parseLong(o.getOrDefault("interval-ms", "100"))))
                .withSeed(seed)
                .withAckTimeout(Duration.ofSeconds(5));
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fault-driver-progress");
            t.setDaemon(true);
            return t;
        });
        Instant outageFrom = null;
        Instant outageTo = null;
        LedgerSnapshot ledger;
        List<Alarm> alarmsSent;
        List<PoisonAudit.Sent> poisonSent = new ArrayList<>();
        Map<String, Set<Long>> brokerWindow = new TreeMap<>();
        LedgerSnapshot windowFrom = null;
        int reboots = 0;
        Function<String, List<String>> gatewayErrors;
        try (Simulation sim = new Simulation(config)) {
            gatewayErrors = sim::gatewayErrors;
            List<String> devices = new ArrayList<>(sim.deviceIds());
            Collections.shuffle(devices, new Random(seed));
            sim.start();
            if (!sim.awaitConnected(Duration.ofSeconds(60))) {
                err.println("FaultDriver: not every MQTT device connected to " + config.mqttBroker() + " in 60 s");
                return 3;
            }
            Alarms alarms = new Alarms(sim, seed);
            progress.scheduleAtFixedRate(() -> err.println(progressLine(fault, sim.counts(), alarms)), 10, 10, TimeUnit.SECONDS);
            out.println("READY");
            out.flush();
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = commands.readLine()) != null && !line.trim().equals("stop")) {
                String command = line.trim();
                switch (command) {
                    case "alarm" -> {
                        Optional<Alarm> alarm = alarms.raise();
                        err.println(alarm.map(a -> "alarm: " + a.deviceId() + " seq " + a.seq())
                                .orElse("alarm: every detector has alarmed already; none raised"));
                    }
                    case "black-hole" -> require(proxy, "--black-hole-proxy").blackHole();
                    case "half-open" -> require(proxy, "--black-hole-proxy").silenceOpen();
                    case "reboot" -> {
                        for (int i = 0; i < devices.size(); i++) {
                            sim.reboot(devices.get(i), REBOOT_SEQS[(reboots + i) % REBOOT_SEQS.length]);
                        }
                        reboots++;
                    }
                    case "poison" -> {
                        int n = poisonSent.size();
                        Poison poison = Poison.values()[n % Poison.values().length];
                        Message m = sim.sendPoison(devices.get(n % devices.size()), poison);
                        poisonSent.add(new PoisonAudit.Sent(poison, m));
                        err.println("poison: " + m.deviceId() + " seq " + m.seq() + " " + poison);
                    }
                    case "power-window" -> windowFrom = sim.ledger();
                    case "power-cut" -> {
                        LedgerSnapshot at = sim.ledger();
                        addWindow(brokerWindow, windowFrom == null ? at : windowFrom, at, mqttDevices(config));
                        windowFrom = null;
                    }
                    case "resume" -> require(proxy, "--black-hole-proxy").resume();
                    case "webhook-503", "webhook-refuse" -> {
                        require(webhook, "--webhook-port").mode(command.equals("webhook-503")
                                ? WebhookReceiver.Mode.ANSWER_503 : WebhookReceiver.Mode.REFUSE);
                        outageFrom = outageFrom == null ? Instant.now() : outageFrom;
                    }
                    case "webhook-up" -> {
                        require(webhook, "--webhook-port").mode(WebhookReceiver.Mode.UP);
                        outageTo = Instant.now();
                    }
                    case "" -> {
                        // Blank lines are harmless.
                    }
                    default -> err.println("FaultDriver: unknown command '" + command + "' ignored");
                }
                err.println(Instant.now() + " " + fault + ": " + command);
            }
            if (proxy != null) {
                proxy.resume();
            }
            err.println(progressLine(fault, sim.counts(), alarms));
            sim.close();
            progress.shutdownNow();
            ledger = sim.ledger();
            alarmsSent = alarms.sent();
        }
        Duration settle = Duration.ofSeconds(Long.parseLong(o.getOrDefault("settle", "600")));
        long settleStart = System.nanoTime();
        // What the hub need not hold: the poison readings, and what only the broker had acknowledged
        // in its last autosave window before a power cut (those it does hold count as stored).
        ReadingAudit.Allowances allowances = PoisonAudit.allowances(poisonSent, ledger, brokerWindow);
        boolean settled = Settle.await(db, agentMetrics, ledger, allowances, alarmsSent, settle);
        err.printf(Locale.ROOT, "%s: %s after %.1f s%n", fault, settled ? "settled" : "NOT settled (counted as it stands)",
                (System.nanoTime() - settleStart) / 1e9);
        NotificationAudit.Tally notifications = null;
        if (webhook != null && outageFrom != null) {
            Instant to = outageTo == null ? Instant.now() : outageTo;
            boolean done = NotificationAudit.awaitSettled(db, outageFrom, to,
                    Duration.ofSeconds(Long.parseLong(o.getOrDefault("notify-settle", "900"))));
            try (Connection c = db.open()) {
                notifications = NotificationAudit.audit(c, outageFrom, to, webhook.acceptedDeliveries());
            }
            err.println(fault + ": notifications " + (done ? "settled" : "still being retried at the deadline")
                    + "; provider answered 503 " + webhook.answered503() + " times");
        }
        ReadingAudit.Tally readings;
        AlarmAudit.Tally alarms;
        PoisonAudit.Tally poison;
        try (Connection c = db.open()) {
            readings = ReadingAudit.audit(c, ledger, allowances);
            alarms = AlarmAudit.audit(c, alarmsSent, ledger);
            poison = PoisonAudit.audit(c, poisonSent, ledger, gatewayErrors);
        }
        readings.problems().forEach(p -> err.println(fault + ": reading problem: " + p));
        alarms.problems().forEach(p -> err.println(fault + ": alarm problem: " + p));
        poison.problems().forEach(p -> err.println(fault + ": poison problem: " + p));
        if (poison.sent() > 0) {
            err.println(fault + ": poison refusals by reason " + poison.reasons());
        }
        out.println(faultLine(fault, ledger, readings, alarms, poison, reboots, notifications));
        if (proxy != null) {
            proxy.close();
        }
        if (webhook != null) {
            webhook.close();
        }
        return 0;
    }

    /** The machine-readable row; deploy/lib/bench-faults.sh reads it by key. */
    static String faultLine(String fault, LedgerSnapshot ledger, ReadingAudit.Tally r, AlarmAudit.Tally a,
                            PoisonAudit.Tally p, int reboots, NotificationAudit.Tally n) {
        // A poison reading dropped in silence is a reading lost: the device was told nothing.
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "FAULT fault=%s alarms_sent=%d alarms_acknowledged=%d alarms_raised=%d alarms_raised_by_later_reading=%d"
                        + " alarm_delay_max_ms=%d alarms_lost=%d alarms_duplicated=%d"
                        + " readings_sent=%d readings_acknowledged=%d readings_stored=%d readings_lost=%d"
                        + " readings_lost_in_broker_window=%d readings_duplicated=%d readings_unexpected=%d"
                        + " readings_poison=%d readings_refused=%d readings_poison_stored=%d reboots=%d",
                fault, a.sent(), a.acknowledged(), a.raised(), a.byLaterReading(), a.delayMaxMs(), a.lost(), a.duplicated(),
                ledger.sentCount(), r.acknowledged(), r.stored(), r.lost() + p.lost(), r.lostInBrokerWindow(),
                r.duplicated(), r.unexpected(), p.sent(), p.refused(), p.stored(), reboots));
        if (n != null) {
            line.append(String.format(Locale.ROOT, " notifications_sent=%d notifications_delivered=%d notifications_lost=%d"
                    + " notifications_pending_at_end=%d", n.sent(), n.delivered(), n.lost(), n.pendingAtEnd()));
        }
        return line.toString();
    }

    /** Adds to {@code window} what MQTT devices had acknowledged in {@code to} and not yet in {@code from}. */
    static void addWindow(Map<String, Set<Long>> window, LedgerSnapshot from, LedgerSnapshot to, Set<String> mqttDevices) {
        to.acknowledged().forEach((key, seqs) -> {
            String device = to.boots().getOrDefault(key, LedgerSnapshot.Boot.only(key)).deviceId();
            if (!mqttDevices.contains(device)) {
                return; // CoAP devices are acknowledged by the agent after its fsync: no window
            }
            Set<Long> before = from.acknowledged(key);
            for (long seq : seqs) {
                if (!before.contains(seq)) {
                    window.computeIfAbsent(key, k -> new TreeSet<>()).add(seq);
                }
            }
        });
    }

    private static Set<String> mqttDevices(SimConfig config) {
        Set<String> ids = new TreeSet<>();
        config.site().devices().stream()
                .filter(d -> d.type().transport() == DeviceType.Transport.MQTT)
                .forEach(d -> ids.add(d.id()));
        return ids;
    }

    private static String progressLine(String fault, LedgerCounts c, Alarms alarms) {
        return String.format(Locale.ROOT, "%s %s: sent %d, acknowledged %d, failed %d, pending %d; alarms %d",
                Instant.now(), fault, c.sent(), c.acknowledged(), c.failed(), c.pending(), alarms.sent().size());
    }

    private static <T> T require(T thing, String option) {
        if (thing == null) {
            throw new IllegalStateException("that command needs " + option);
        }
        return thing;
    }

    private static boolean awaitHealthy(URI health, Duration timeout) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
            } catch (java.io.IOException e) {
                // Not listening yet.
            }
            Thread.sleep(200);
        }
        return false;
    }

    private static final Set<String> REQUIRED = Set.of("fault", "site", "mqtt", "coap", "agent", "db-url");
    private static final Set<String> KNOWN = Set.of("fault", "site", "mqtt", "coap", "agent", "db-url", "db-user",
            "db-password", "seed", "interval-ms", "settle", "black-hole-proxy", "webhook-port", "notify-settle");

    static Map<String, String> options(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            String key = args[i].startsWith("--") ? args[i].substring(2) : "";
            if (!KNOWN.contains(key)) {
                throw new IllegalArgumentException("unknown option: " + args[i]);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            o.put(key, args[i + 1]);
        }
        for (String key : REQUIRED) {
            if (!o.containsKey(key)) {
                throw new IllegalArgumentException("--" + key + " is required");
            }
        }
        return o;
    }
}
