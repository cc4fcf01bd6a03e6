package org.communityguard.sim;

import org.communityguard.sim.ledger.LedgerCounts;
import org.communityguard.sim.link.DeviceKeys;
import org.communityguard.sim.site.Site;
import org.communityguard.sim.site.SiteException;
import org.communityguard.sim.site.SiteLoader;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The command line: {@code java -jar device-sim.jar --site deploy/demo/site.yaml --mqtt tcp://127.0.0.1:1883
 * --coap coap://127.0.0.1:5683 [--fire-at 20s --fire-building B1]}. See {@link CliOptions#USAGE}.
 * Exit codes: 0 done, 1 the site file or the keys file is unusable, 2 bad command line.
 */
public final class DeviceSim {

    private static final Logger log = LoggerFactory.getLogger(DeviceSim.class);

    private DeviceSim() {
    }

    public static void main(String[] args) throws InterruptedException {
        // Exit explicitly: a client library's stray non-daemon thread must not keep demo.sh waiting.
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        CliOptions options;
        try {
            options = CliOptions.parse(args);
        } catch (CliOptions.UsageException e) {
            err.println("device-sim: " + e.getMessage());
            err.println();
            err.print(CliOptions.USAGE);
            return 2;
        }
        if (options.help()) {
            out.print(CliOptions.USAGE);
            return 0;
        }
        Site site;
        try {
            site = SiteLoader.load(options.site());
        } catch (SiteException e) {
            err.println("device-sim: " + e.getMessage());
            return 1;
        }
        List<String> problems = new ArrayList<>();
        for (CliOptions.Stage stage : options.stages()) {
            stage.scenario().check(site, options.devices(), stage.target()).ifPresent(problems::add);
        }
        Simulation simulation;
        try {
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            Map<String, String> keys = options.keys() == null ? Map.of() : DeviceKeys.load(options.keys());
            SimConfig config = SimConfig.of(site, options.mqtt(), options.coap())
                    .withKeys(keys, options.coaps())
                    .withInterval(options.interval())
                    .withSeed(options.seed())
                    .withDevices(options.devices())
                    .withTimeOfDay(options.timeOfDay());
            simulation = new Simulation(config);
        } catch (IllegalArgumentException e) {
            err.println("device-sim: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("device-sim: cannot read the device keys: " + e.getMessage());
            return 1;
        }
        return simulate(simulation, options);
    }

    private static int simulate(Simulation simulation, CliOptions options) throws InterruptedException {
        CountDownLatch finished = new CountDownLatch(1);
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "device-sim-cli");
            thread.setDaemon(true);
            return thread;
        });
        // Ctrl-C: close the devices cleanly (MQTT devices announce offline) before the JVM goes.
        Thread shutdownHook = new Thread(() -> {
            timer.shutdownNow();
            simulation.close();
            finished.countDown();
        }, "device-sim-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);

        simulation.start();
        for (CliOptions.Stage stage : options.stages()) {
            timer.schedule(() -> {
                try {
                    stage.scenario().run(simulation, stage.target());
                } catch (RuntimeException e) {
                    log.warn("cannot stage {} at {}: {}", stage.scenario().cliName(), stage.target(), e.getMessage());
                }
            }, stage.at().toMillis(), TimeUnit.MILLISECONDS);
        }
        long every = options.summaryEvery().toMillis();
        timer.scheduleAtFixedRate(() -> log.info(summary(simulation)), every, every, TimeUnit.MILLISECONDS);

        if (options.duration() == null) {
            finished.await();
            return 0;
        }
        if (!finished.await(options.duration().toMillis(), TimeUnit.MILLISECONDS)) {
            timer.shutdownNow();
            log.info(summary(simulation));
            simulation.close();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook closes (again, harmlessly).
            }
        }
        return 0;
    }

    static String summary(Simulation simulation) {
        LedgerCounts c = simulation.counts();
        Histogram latency = simulation.ackLatencyMicros();
        return String.format("%d devices, MQTT %d/%d connected | sent %d, acked %d, rejected %d, failed %d, pending %d"
                        + " | ack p50 %.1f ms, p99 %.1f ms | commands %d",
                simulation.deviceIds().size(), simulation.connectedCount(), simulation.mqttDeviceCount(),
                c.sent(), c.acknowledged(), c.rejected(), c.failed(), c.pending(),
                latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99) / 1000.0,
                simulation.commandsReceived().size());
    }
}
