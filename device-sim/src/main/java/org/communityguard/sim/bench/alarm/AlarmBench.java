package org.communityguard.sim.bench.alarm;

import org.communityguard.sim.bench.HubHistogram;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.communityguard.sim.SimConfig;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.bench.BenchOptions;
import org.communityguard.sim.bench.DriverMain;
import org.communityguard.sim.bench.Throughput;
import org.communityguard.sim.bench.UplinkLoad;
import org.communityguard.sim.link.Outcome;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteLoader;

/**
 * {@code deploy/bench.sh alarm}'s driver. {@code site} writes the site file (the run's smoke
 * detectors); {@code run}, against a running hub and edge agent: background telemetry from
 * simulated gateways straight onto the hub's uplink at each level, and meanwhile alarms from the
 * site's detectors over CoAP to the edge agent, each timed from its send to its
 * {@code incident.opened} on a signed-in console live stream. Both ends are this JVM's
 * {@link System#nanoTime}: no clock between two machines or processes enters the figure.
 *
 * <p>Exit codes: 0 measured (lost or duplicated alarms are figures, in the RESULT line); 2 bad
 * command line; 3 the benchmark could not run.
 */
public final class AlarmBench {

    static final String USAGE = """
            usage: AlarmBench site --out FILE --gateway ID --detectors N
                   AlarmBench run --hub URL --uplink tcp://HOST:PORT --site FILE --mqtt tcp://HOST:PORT
                                  --coap coap://HOST:PORT [options]
              background gateways and secrets: %s (id:secret,...), as given to the hub; the admin password:
              BENCH_ADMIN_PASSWORD
              --alarms N       alarms per level (200)
              --levels LIST    background readings/s offered per level, max for as fast as the windows allow
                               (10000,50000,max)
              --seed N         the detectors' order and the gaps between alarms (1)
              --warmup S       seconds of a level's background before its first alarm (10)
              --gap-ms N       mean gap between two alarms, drawn from 0.5 to 1.5 times it (250)
              --timeout S      an alarm whose event has not come this long after its send is lost (30)
              --batch N        readings per background batch (500)
              --window N       background batches in flight per gateway (2)
            """.formatted(BenchOptions.GATEWAYS_VARIABLE);

    private AlarmBench() {
    }

    public static void main(String[] args) {
        DriverMain.exit("AlarmBench", USAGE, () -> run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        if (args.length == 0 || !List.of("site", "run").contains(args[0])) {
            throw new IllegalArgumentException("site or run first");
        }
        Map<String, String> o = flags(args);
        if (args[0].equals("site")) {
            Files.writeString(Path.of(required(o, "out")),
                    AlarmSite.yaml(required(o, "gateway"), Integer.parseInt(required(o, "detectors"))));
            return 0;
        }
        String password = env.getOrDefault("BENCH_ADMIN_PASSWORD", "");
        if (password.isEmpty()) {
            throw new IllegalArgumentException("BENCH_ADMIN_PASSWORD is not set");
        }
        List<BenchOptions.Gateway> gateways;
        try {
            gateways = BenchOptions.gateways(env.getOrDefault(BenchOptions.GATEWAYS_VARIABLE, ""));
        } catch (BenchOptions.UsageException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (gateways.isEmpty()) {
            throw new IllegalArgumentException(BenchOptions.GATEWAYS_VARIABLE + " names no background gateway");
        }
        Plan plan = new Plan(Level.parse(o.getOrDefault("levels", "10000,50000,max")),
                positive(o, "alarms", 200), Long.parseLong(o.getOrDefault("seed", "1")),
                Duration.ofSeconds(positive(o, "warmup", 10)), positive(o, "gap-ms", 250),
                Duration.ofSeconds(positive(o, "timeout", 30)));
        Site site = SiteLoader.load(Path.of(required(o, "site")));
        SimConfig config = SimConfig.of(site, required(o, "mqtt"), URI.create(required(o, "coap")))
                // No periodic reports: a detector speaks only when it alarms, so it has nothing open before.
                .withInterval(Duration.ZERO)
                .withAmbientEvents(false)
                .withSeed(plan.seed());
        UplinkLoad load = new UplinkLoad(required(o, "uplink"), gateways, positive(o, "batch", 500), positive(o, "window", 2));
        return measure(plan, config, load, required(o, "hub"), password, out, err);
    }

    /** What the run does: levels in order, {@code alarms} per level, paced from the seed. */
    record Plan(List<Level> levels, int alarms, long seed, Duration warmup, int gapMs, Duration timeout) {
    }

    private static int measure(Plan plan, SimConfig config, UplinkLoad load, String hub, String password,
                               PrintStream out, PrintStream err) throws Exception {
        List<String> detectors = new ArrayList<>(config.site().devices().stream().map(d -> d.id()).sorted().toList());
        int needed = plan.alarms() * plan.levels().size();
        if (detectors.size() < needed) {
            throw new IllegalArgumentException("the site has " + detectors.size() + " detectors, the run needs " + needed);
        }
        Random random = new Random(plan.seed());
        Collections.shuffle(detectors, random);
        AlarmLedger ledger = new AlarmLedger();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        List<LevelResult> results = new ArrayList<>();
        HubHistogram hubLane = new HubHistogram(http, hub, HubHistogram.INGEST_LATENCY, "safety");
        try (Simulation sim = new Simulation(config);
             LiveStream stream = LiveStream.open(http, hub, "admin", password, ledger)) {
            sim.start();
            out.printf(Locale.ROOT, "console live stream open; %d detectors over CoAP to the edge agent at %s%n",
                    detectors.size(), config.coapBase());
            load.start();
            out.printf(Locale.ROOT, "background: %d gateways on the uplink, window %d batches each%n",
                    load.gatewayCount(), load.effectiveWindow());
            int next = 0;
            for (Level level : plan.levels()) {
                List<String> mine = detectors.subList(next, next + plan.alarms());
                next += plan.alarms();
                results.add(level(plan, level, mine, sim, load, ledger, hubLane, random, out));
            }
            load.stop(Duration.ofMinutes(2));
            // Late duplicates of the last level's alarms still count.
            Thread.sleep(2000);
            List<LevelResult> tallied = new ArrayList<>();
            out.println();
            out.println("summary (events up to the end of the run counted, so a late duplicate is too):");
            for (LevelResult r : results) {
                AlarmLedger.Tally t = ledger.tally(r.level().key(), plan.timeout().toNanos());
                LevelResult done = LevelResult.of(r.level(), r.achievedRps(), t, r.hubLane());
                tallied.add(done);
                out.println(AlarmReport.levelLine(done));
                t.problems().stream().limit(20).forEach(p -> out.println("  problem: " + p));
            }
            List<String> unexpected = ledger.unexpected();
            if (!unexpected.isEmpty()) {
                out.println("FIRE incidents of devices that sent no alarm: " + unexpected.stream().limit(10).toList());
            }
            stream.broken().ifPresent(b -> out.println("problem: the live stream broke: " + b));
            if (stream.resets() > 0) {
                out.println("problem: the hub sent this client " + stream.resets() + " reset events (it fell behind)");
            }
            if (load.failureCount() > 0) {
                out.println("problem: " + load.failureCount() + " background batches or connections failed, first: "
                        + load.firstFailures());
            }
            out.println(AlarmReport.resultLine(tallied, unexpected.size(), load.failureCount(), plan.seed()));
        }
        return 0;
    }

    /**
     * One level: the background offered, a warm-up, then the alarms at seeded gaps, then until every
     * one is answered or the timeout after the last.
     */
    private static LevelResult level(Plan plan, Level level, List<String> detectors, Simulation sim, UplinkLoad load,
                                     AlarmLedger ledger, HubHistogram hubLane, Random random, PrintStream out)
            throws InterruptedException, IOException {
        load.offer(level.readingsPerSecond());
        out.printf(Locale.ROOT, "%nlevel %s: background %s, %d s warm-up, then %d alarms about %d ms apart%n", level.key(),
                level.max() ? "as fast as the windows allow" : String.format(Locale.ROOT, "%,d readings/s offered",
                        Math.round(level.readingsPerSecond())), plan.warmup().toSeconds(), detectors.size(), plan.gapMs());
        // The stored rate is measured from halfway through the warm-up (the ramp is over by then) to
        // the last alarm's answer: a longer window than the alarms' alone, so that a low rate's few
        // large batches do not make the figure jump with where the window's edges fall.
        Thread.sleep(plan.warmup().toMillis() / 2);
        Throughput stored = Throughput.start(load::ackedReadings);
        Thread.sleep(plan.warmup().toMillis() - plan.warmup().toMillis() / 2);
        HubHistogram.Snapshot laneBefore = hubLane.snapshot();
        for (String detector : detectors) {
            Thread.sleep((long) (plan.gapMs() * (0.5 + random.nextDouble())));
            long sentAt = System.nanoTime();
            Simulation.SentAlarm sent = sim.raiseAlarmAnswered(detector);
            ledger.sent(detector, level.key(), sentAt);
            sent.answer().thenAccept(o -> {
                if (o.status() == Outcome.Status.ACKNOWLEDGED) {
                    ledger.answered(detector, System.nanoTime());
                }
            });
        }
        long deadline = System.nanoTime() + plan.timeout().toNanos();
        while (!ledger.allSeen(level.key()) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        Throughput.Rate rate = stored.stop();
        HubHistogram.Snapshot lane = hubLane.snapshot().since(laneBefore);
        AlarmLedger.Tally t = ledger.tally(level.key(), plan.timeout().toNanos());
        LevelResult r = LevelResult.of(level, rate.perSecond(), t, lane);
        out.println(AlarmReport.levelLine(r));
        return r;
    }

    /** "--name value" pairs after the subcommand. */
    static Map<String, String> flags(String[] args) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 1; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --flag value, got '" + args[i] + "'");
            }
            flags.put(args[i].substring(2), args[i + 1]);
        }
        return flags;
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    private static int positive(Map<String, String> o, String name, int dflt) {
        String v = o.get(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < 1) {
                throw new IllegalArgumentException("--" + name + " must be at least 1, not " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, not '" + v + "'");
        }
    }
}
