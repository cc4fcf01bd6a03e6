package org.communityguard.sim.bench.gateways;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.communityguard.sim.bench.DriverMain;
import org.communityguard.sim.bench.Fleet;
import org.communityguard.sim.bench.Report;
import org.communityguard.sim.bench.Throughput;

/**
 * {@code deploy/bench.sh gateways}'s driver: many small gateways on one hub. Every gateway is a
 * {@link SmallGateway} on a few shared Netty event loops (one JVM holds thousands of connections
 * with two threads; Paho's client would take threads per connection). In order: every gateway
 * connects at once; a steady state of a reading per device per minute, measured; a reconnect
 * storm (every socket closed at once, every gateway redialling at once and resending what was
 * unacknowledged under the same keys), watched until all are back; a drain; then a check of
 * the readings table against every acknowledged (device, seq). Ends with the RESULT line
 * (docs/benchmarks.md, section Gateways).
 *
 * <p>Exit codes: 0 measured; 1 the hub lost or duplicated readings, or answered a batch with
 * anything but Success (RESULT printed all the same); 2 bad command line; 3 the benchmark could
 * not run.
 */
public final class GatewaysBench {

    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(2);

    private GatewaysBench() {
    }

    public static void main(String[] args) {
        DriverMain.exit("GatewaysBench", GatewaysOptions.USAGE, () -> run(args, System.getenv(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        GatewaysOptions o = GatewaysOptions.parse(args, env);
        int n = o.gateways().size();
        int devices = new Fleet("probe", 0, 0, () -> 0).deviceCount();
        out.printf(Locale.ROOT, "load: %,d gateways of %d devices each, a reading per device every %d s: %s offered;"
                        + " a batch leaves %d ms after its first reading fell due; window %d batches; %s; seed %d%n",
                n, devices, o.readingEvery().toSeconds(), Report.rate(o.offeredReadingsPerSecond(devices)),
                o.linger().toMillis(), o.window(),
                o.alarmEvery().isZero() ? "no alarms" : "a smoke alarm every " + o.alarmEvery().toSeconds() + " s hub-wide",
                o.seed());

        Tally tally = new Tally(n);
        EventLoopGroup group = new NioEventLoopGroup(o.ioThreads(), new DefaultThreadFactory("gateways-io"));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HubProbe hub = new HubProbe(http, o.hub(), o.hubPid());
        List<SmallGateway> gateways = new ArrayList<>();
        InetSocketAddress address = new InetSocketAddress(o.uplink().getHost(), o.uplink().getPort());
        for (int i = 0; i < n; i++) {
            gateways.add(new SmallGateway(o.gateways().get(i), address, group.next(), tally, o.window(), o.readingEvery(),
                    o.linger(), o.seed() + i));
        }
        Map<String, BitSet> acked = new HashMap<>();
        Phases phases;
        try {
            phases = phases(o, tally, gateways, hub, http, out);
        } finally {
            gateways.forEach(g -> g.loop().execute(g::close));
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        // The loops have ended: their state is final and visible here.
        gateways.forEach(g -> acked.putAll(g.acked()));

        StoredCheck.Result stored = StoredCheck.run(o.dbUrl(), o.dbUser(), o.dbPassword(),
                o.gateways().stream().map(g -> g.id()).toList(), acked);
        out.println();
        out.printf(Locale.ROOT, "check: %,d readings in %,d batches acknowledged; stored %,d rows of the gateways'"
                        + " devices; lost %,d, duplicated %,d, stored but never acknowledged %,d; %,d batch keys%n",
                stored.acked(), tally.ackedBatches(), stored.stored(), stored.lost(), stored.duplicated(),
                stored.storedUnacknowledged(), stored.batchKeys());

        List<String> problems = new ArrayList<>();
        if (tally.failureCount() > 0) {
            problems.add(tally.failureCount() + " batches or packets failed, first: " + String.join("; ", tally.firstFailures()));
        }
        if (stored.lost() > 0) {
            problems.add(stored.lost() + " acknowledged readings are not in the readings table");
        }
        if (stored.duplicated() > 0) {
            problems.add(stored.duplicated() + " readings are stored more than once");
        }
        if (stored.batchKeys() != tally.ackedBatches()) {
            problems.add("uplink_batches holds " + stored.batchKeys() + " keys of these gateways, "
                    + tally.ackedBatches() + " batches were acknowledged");
        }
        if (!phases.drained()) {
            problems.add(tally.pendingBatches() + " batches were still unacknowledged " + DRAIN_TIMEOUT.toSeconds()
                    + " s after the load stopped");
        }
        out.println(GatewaysReport.resultLine(phases.outcome(o, devices, stored)));
        if (!problems.isEmpty()) {
            err.println("GatewaysBench: FAILED, the hub did not store exactly what it acknowledged, or refused batches:");
            problems.forEach(p -> err.println("  - " + p));
            return 1;
        }
        return 0;
    }

    /** What the phases measured, before the check. */
    private record Phases(int connectionsHeld, double connectAllS, Throughput.Rate steady, Histogram latency,
                          long rssMb, long rssPeakMb, int stormReturned, double stormAllBackS,
                          StallMeter.Stall stall, ApiProbe.Result api, boolean drained) {

        GatewaysReport.Outcome outcome(GatewaysOptions o, int devices, StoredCheck.Result stored) {
            return new GatewaysReport.Outcome(o.gateways().size(), o.offeredReadingsPerSecond(devices), connectionsHeld,
                    connectAllS, steady.perSecond(), GatewaysReport.percentileMs(latency, 50),
                    GatewaysReport.percentileMs(latency, 99), rssMb, rssPeakMb, stormReturned, stormAllBackS,
                    stall.longestNanos() / 1e9, api.slowestMs(), stored.lost(), stored.duplicated());
        }
    }

    private static Phases phases(GatewaysOptions o, Tally tally, List<SmallGateway> gateways, HubProbe hub,
                                 HttpClient http, PrintStream out) throws Exception {
        int n = gateways.size();

        // 1. Every gateway connects at once: the hub checks each secret with Argon2, off its event loops.
        out.println();
        out.printf(Locale.ROOT, "connect: %,d gateways at once%n", n);
        Map<String, Long> connectBefore = tally.events();
        long connectStart = System.nanoTime();
        gateways.forEach(g -> g.loop().execute(g::connect));
        await(() -> tally.allUpNanos() != 0, o.connectTimeout(), () -> out.printf(Locale.ROOT,
                "  %4.0f s: %,d of %,d up; %s%n", (System.nanoTime() - connectStart) / 1e9, tally.up(), n,
                GatewaysReport.events(GatewaysReport.grown(connectBefore, tally.events()))));
        double connectAllS = GatewaysReport.secondsUntil(connectStart, tally.allUpNanos());
        out.printf(Locale.ROOT, "  %s; %s%n", Double.isNaN(connectAllS)
                        ? String.format(Locale.ROOT, "NOT all up after %d s: %,d of %,d", o.connectTimeout().toSeconds(), tally.up(), n)
                        : String.format(Locale.ROOT, "all %,d up in %.1f s (%.0f CONNECTs accepted per second)", n, connectAllS,
                        n / connectAllS),
                GatewaysReport.events(GatewaysReport.grown(connectBefore, tally.events())));

        // 2. The steady state: every device on its schedule, an alarm now and then.
        long loadStart = System.nanoTime();
        gateways.forEach(g -> g.loop().execute(() -> g.startLoad(loadStart)));
        AtomicInteger alarms = new AtomicInteger();
        ScheduledFuture<?> alarming = o.alarmEvery().isZero() ? null : gateways.get(0).loop().scheduleAtFixedRate(() -> {
            SmallGateway g = gateways.get(alarms.getAndIncrement() % n);
            g.loop().execute(g::raiseAlarm);
        }, o.alarmEvery().toMillis(), o.alarmEvery().toMillis(), TimeUnit.MILLISECONDS);
        out.println();
        out.printf(Locale.ROOT, "steady: %d s of warm-up, then %d s measured%n", o.warmup().toSeconds(), o.steady().toSeconds());
        Thread.sleep(o.warmup().toMillis());
        tally.latencyMicros().reset();
        tally.measuring(true);
        Throughput acked = Throughput.start(tally::ackedReadings);
        Thread.sleep(o.steady().toMillis());
        Throughput.Rate steady = acked.stop();
        tally.measuring(false);
        Histogram latency = tally.latencyMicros().copy();
        long rssMb = hub.memoryMib("VmRSS");
        int held = connectionsHeld(hub, tally, out);
        out.printf(Locale.ROOT, "  %s readings acknowledged (%,d in %.1f s; per 5 s: %s), %,d batches;"
                        + " ack p50 %.1f ms, p99 %.1f ms, max %.1f ms; hub RSS %s MiB; %,d gateways connected at the hub%n",
                Report.rate(steady.perSecond()), steady.count(), steady.seconds(), Report.slices(steady.slices()),
                latency.getTotalCount(), GatewaysReport.percentileMs(latency, 50), GatewaysReport.percentileMs(latency, 99),
                latency.getMaxValue() / 1000.0, rssMb < 0 ? "n/a" : Long.toString(rssMb), held);

        // 3. The storm: every socket closed at once, every gateway redialling at once.
        out.println();
        out.printf(Locale.ROOT, "storm: %,d connections closed at once; each gateway redials at once and resends"
                + " what was unacknowledged, same keys%n", n);
        tally.resetReturned();
        Map<String, Long> stormBefore = tally.events();
        long stormStart = System.nanoTime();
        tally.stall().start(stormStart);
        long ackedBeforeStorm = tally.ackedReadings();
        Throughput stormAcked = Throughput.start(tally::ackedReadings);
        ApiProbe api = new ApiProbe(http, o.hub());
        gateways.forEach(g -> g.loop().execute(g::drop));
        await(() -> tally.allBackNanos() != 0, o.stormTimeout(), () -> out.printf(Locale.ROOT,
                "  %4.0f s: %,d of %,d back; %,d readings acknowledged since the drop; %s%n",
                (System.nanoTime() - stormStart) / 1e9, tally.returned(), n, tally.ackedReadings() - ackedBeforeStorm,
                GatewaysReport.events(GatewaysReport.grown(stormBefore, tally.events()))));
        double allBackS = GatewaysReport.secondsUntil(stormStart, tally.allBackNanos());
        if (!Double.isNaN(allBackS)) {
            Thread.sleep(o.settle().toMillis());
        }
        StallMeter.Stall stall = tally.stall().end(System.nanoTime());
        Throughput.Rate stormRate = stormAcked.stop();
        ApiProbe.Result apiResult = api.stop();
        long rssPeakMb = hub.memoryMib("VmHWM");
        out.printf(Locale.ROOT, "  %s; longest time no batch of any gateway was acknowledged: %.1f s, from %.1f s after"
                        + " the drop; %,d readings acknowledged in the %.0f s watched (per 5 s: %s)%n",
                Double.isNaN(allBackS) ? String.format(Locale.ROOT, "NOT all back after %d s: %,d of %,d",
                        o.stormTimeout().toSeconds(), tally.returned(), n)
                        : String.format(Locale.ROOT, "all %,d back in %.1f s", n, allBackS),
                stall.longestNanos() / 1e9, stall.beganAfterNanos() / 1e9, stormRate.count(), stormRate.seconds(),
                Report.slices(stormRate.slices()));
        out.printf(Locale.ROOT, "  connections: %s%n", GatewaysReport.events(GatewaysReport.grown(stormBefore, tally.events())));
        out.printf(Locale.ROOT, "  the hub's API meanwhile (GET /api/health/live every 250 ms): %,d requests, slowest %.0f ms,"
                + " answers %s; hub RSS peak %s MiB%n", apiResult.requests(), apiResult.slowestMs(), apiResult.outcomes(),
                rssPeakMb < 0 ? "n/a" : Long.toString(rssPeakMb));

        // 4. Stop the load and wait for every sealed batch to be acknowledged.
        if (alarming != null) {
            alarming.cancel(false);
        }
        gateways.forEach(g -> g.loop().execute(g::stopLoad));
        boolean drained = await(() -> tally.pendingBatches() == 0, DRAIN_TIMEOUT, () -> out.printf(Locale.ROOT,
                "  draining: %,d batches unacknowledged, %,d of %,d gateways up%n", tally.pendingBatches(), tally.up(), n));
        out.println();
        out.printf(Locale.ROOT, "alarms raised: %,d; %s%n", alarms.get(), hubCounters(hub));
        return new Phases(held, connectAllS, steady, latency, rssMb, rssPeakMb, tally.returned(), allBackS, stall,
                apiResult, drained);
    }

    /** The hub's own count of connected gateways; the driver's when /metrics does not answer. */
    private static int connectionsHeld(HubProbe hub, Tally tally, PrintStream out) {
        try {
            return (int) HubProbe.total(hub.metrics(), "hub_uplink_connections");
        } catch (IOException e) {
            out.println("  /metrics did not answer (" + e.getMessage() + "): connections counted by the driver");
            return tally.up();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return tally.up();
        }
    }

    /** The hub's counters that tell how it coped: duplicates it recognised, refusals by reason. */
    private static String hubCounters(HubProbe hub) {
        try {
            String m = hub.metrics();
            return String.format(Locale.ROOT, "the hub: %,.0f batches recognised as already stored, uplink refusals %s",
                    HubProbe.total(m, "hub_batches_duplicate_total"), HubProbe.series(m, "hub_uplink_rejections_total"));
        } catch (IOException e) {
            return "the hub's /metrics did not answer: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** Waits until {@code done}, printing progress now and then; false when {@code timeout} passed first. */
    private static boolean await(BooleanSupplier done, Duration timeout, Runnable progress) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextProgress = System.nanoTime() + PROGRESS_EVERY.toNanos();
        while (!done.getAsBoolean()) {
            long now = System.nanoTime();
            if (now >= deadline) {
                return false;
            }
            if (now >= nextProgress) {
                progress.run();
                nextProgress += PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(20);
        }
        return true;
    }
}
