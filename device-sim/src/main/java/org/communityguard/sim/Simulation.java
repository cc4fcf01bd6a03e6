package org.communityguard.sim;

import org.communityguard.sim.device.Command;
import org.communityguard.sim.device.DoorAccess;
import org.communityguard.sim.device.LampPost;
import org.communityguard.sim.device.Manhole;
import org.communityguard.sim.device.Message;
import org.communityguard.sim.device.Moment;
import org.communityguard.sim.device.SimDevice;
import org.communityguard.sim.device.SmokeDetector;
import org.communityguard.sim.ledger.Ledger;
import org.communityguard.sim.ledger.LedgerCounts;
import org.communityguard.sim.ledger.LedgerSnapshot;
import org.communityguard.sim.link.CoapDeviceLink;
import org.communityguard.sim.link.CoapGateway;
import org.communityguard.sim.link.DeviceLink;
import org.communityguard.sim.link.Downlink;
import org.communityguard.sim.link.MqttDeviceLink;
import org.communityguard.sim.link.Outcome;
import org.communityguard.sim.link.Payloads;
import org.communityguard.sim.site.DeviceType;
import org.communityguard.sim.site.SiteDevice;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A community's devices, simulated: one {@link SimDevice} per site entry, each with its
 * {@link DeviceLink} to the gateway, a periodic report, scenarios to stage, and a {@link Ledger}
 * of every message sent and how it ended.
 *
 * <pre>
 *   tick / round / scenario step ──► SimDevice.report()  (state → messages, seq assigned)
 *                                      │  under the device's lock, in seq order:
 *                                      ▼
 *                                   Ledger.sent ──► DeviceLink.send ──► gateway
 *                                                          │ PUBACK / 2.04 / 4.xx / nothing
 *                                   Ledger.settled ◄───────┘
 *   gateway ──► DeviceLink ──► Downlink.commands ──► SimDevice.apply ──► command_ack event
 * </pre>
 *
 * <p>All timing runs on one small shared scheduler, not a thread per device, and all CoAP devices
 * share one {@link CoapGateway} socket. Paho still gives each MQTT device its own connection
 * threads: that is the price of one real client id per device.
 */
public final class Simulation implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Simulation.class);

    /** How many smoke detectors a staged fire reaches: the origin floor and the stairwell above. */
    static final int FIRE_DETECTORS = 3;

    /** Gateway error messages kept per device. */
    static final int ERRORS_KEPT = 1_000;

    private enum State { NEW, RUNNING, CLOSED }

    /** Where a command's acknowledgement stands, to answer a repeated command correctly. */
    private enum Ack { NOT_UNDERSTOOD, SENDING, ACKNOWLEDGED, REJECTED, FAILED }

    private final SimConfig config;
    private final ScheduledExecutorService scheduler;
    private final CoapGateway coap;
    /** The DTLS clients of the CoAP devices with a key, one each, on shared Californium threads. */
    private final List<CoapGateway> dtlsGateways = new ArrayList<>();
    private final ScheduledExecutorService dtlsExecutor;
    private final ScheduledExecutorService dtlsTimer;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Ledger ledger = new Ledger();
    private final List<ReceivedCommand> commands = Collections.synchronizedList(new ArrayList<>());
    private final Set<CompletableFuture<Void>> openSteps = ConcurrentHashMap.newKeySet();
    /** Send-to-acknowledgement time in microseconds (5.03 retries included), for load runs. */
    private final ConcurrentHistogram ackLatency = new ConcurrentHistogram(TimeUnit.HOURS.toMicros(1), 3);
    private final AtomicLong gatewayErrors = new AtomicLong();
    /** Per device, the payloads of the gateway's error messages, oldest first, up to ERRORS_KEPT. */
    private final Map<String, List<String>> gatewayErrorsByDevice = new ConcurrentHashMap<>();
    private final AtomicLong unreadableCommands = new AtomicLong();
    private volatile State state = State.NEW;

    /** A simulation whose devices talk to the gateway named in the config. */
    public Simulation(SimConfig config) {
        this(config, null);
    }

    /** For tests of the simulation logic: {@code links} builds each device's link instead. */
    Simulation(SimConfig config, Function<SimDevice, DeviceLink> links) {
        this.config = config;
        this.scheduler = Executors.newScheduledThreadPool(
                Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors())), daemonThreads());
        List<SiteDevice> selected = config.site().devices().stream()
                .filter(d -> config.devices().isEmpty() || config.devices().contains(d.id()))
                .toList();
        boolean needsCoap = links == null && selected.stream()
                .anyMatch(d -> d.type().transport() == DeviceType.Transport.COAP && !config.keys().containsKey(d.id()));
        boolean needsDtls = links == null && selected.stream()
                .anyMatch(d -> d.type().transport() == DeviceType.Transport.COAP && config.keys().containsKey(d.id()));
        if (needsDtls && config.coapsBase() == null) {
            scheduler.shutdownNow();
            throw new IllegalArgumentException("CoAP devices with a key speak DTLS: the gateway's coaps:// URI is needed");
        }
        this.coap = needsCoap ? openCoap(config.coapBase()) : null;
        this.dtlsExecutor = needsDtls ? Executors.newScheduledThreadPool(2, daemonThreads()) : null;
        this.dtlsTimer = needsDtls ? Executors.newSingleThreadScheduledExecutor(daemonThreads()) : null;
        try {
            for (SiteDevice entry : selected) {
                SimDevice device = SimDevice.create(entry, config.seed());
                DeviceLink link = links != null ? links.apply(device) : realLink(device);
                nodes.put(entry.id(), new Node(device, link, new Random(config.seed() ^ entry.id().hashCode())));
            }
        } catch (RuntimeException e) {
            nodes.values().forEach(node -> node.link.close());
            closeCoap();
            scheduler.shutdownNow();
            throw e;
        }
    }

    /** Connects every device and, unless the interval is zero, starts the periodic reports. Returns at once. */
    public synchronized void start() {
        if (state != State.NEW) {
            throw new IllegalStateException("a simulation starts once");
        }
        state = State.RUNNING;
        long mqtt = nodes.values().stream().filter(n -> isMqtt(n.device)).count();
        log.info("simulating {} devices of {}: {} over MQTT ({}), {} over CoAP ({})", nodes.size(),
                config.site().community(), mqtt, config.mqttBroker(), nodes.size() - mqtt, config.coapBase());
        for (Node node : nodes.values()) {
            node.link.open(downlink(node));
        }
        long intervalMs = config.interval().toMillis();
        if (intervalMs > 0) {
            for (Node node : nodes.values()) {
                // Spread the first reports over one interval so the devices do not all speak at once.
                schedule(() -> tick(node), (long) (node.timing.nextDouble() * intervalMs));
            }
        }
    }

    /** Waits until every MQTT device that is not silenced is connected; false on timeout. */
    public boolean awaitConnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (connectedCount() < connectableCount()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    /** MQTT devices currently connected (CoAP devices have no connection and are not counted). */
    public int connectedCount() {
        return (int) nodes.values().stream().filter(n -> isMqtt(n.device) && !n.silent && n.link.isConnected()).count();
    }

    /** How many of the simulated devices use MQTT. */
    public int mqttDeviceCount() {
        return (int) nodes.values().stream().filter(n -> isMqtt(n.device)).count();
    }

    private long connectableCount() {
        return nodes.values().stream().filter(n -> isMqtt(n.device) && !n.silent).count();
    }

    /**
     * Every device that is not silenced reports once now (telemetry, preceded by any event the
     * reading raises); waits until each message is settled or the ack timeout passes.
     */
    public RoundResult sendTelemetryRound() throws InterruptedException {
        requireRunning();
        Moment moment = moment();
        List<CompletableFuture<Outcome>> sent = new ArrayList<>();
        for (Node node : nodes.values()) {
            sent.addAll(emit(node, device -> device.report(moment)));
        }
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                    .get(config.ackTimeout().toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // Counted below as unsettled; links settle every message eventually, by their own timeout.
        }
        int[] tally = new int[4];
        for (CompletableFuture<Outcome> f : sent) {
            Outcome outcome = f.getNow(null);
            tally[outcome == null ? 3 : outcome.status().ordinal()]++;
        }
        return new RoundResult(sent.size(), tally[0], tally[1], tally[2], tally[3]);
    }

    // ---- Scenarios. Each returns a future that completes once every message it sent is settled.

    /**
     * A fire in a building: up to three of its smoke detectors (site order: the origin, then the
     * next ones up the stairwell) see smoke and heat rise, three scenario steps apart. Each sends
     * four readings one step apart and raises {@code pre_alarm} then {@code alarm} on its own.
     * With the default 2 s step the first alarm is 4 s after the call, the second 10 s.
     */
    public CompletableFuture<Void> stageFire(String buildingId) {
        List<Node> detectors = nodes.values().stream()
                .filter(n -> n.device instanceof SmokeDetector && buildingId.equals(n.device.building()))
                .limit(FIRE_DETECTORS)
                .toList();
        if (detectors.isEmpty()) {
            throw new IllegalArgumentException("no simulated smoke detector in building '" + buildingId + "'");
        }
        List<Step> steps = new ArrayList<>();
        for (int k = 0; k < detectors.size(); k++) {
            Node node = detectors.get(k);
            long start = 3L * k;
            steps.add(new Step(start, () -> {
                ((SmokeDetector) node.device).ignite();
                return report(node);
            }));
            for (int j = 1; j <= 3; j++) {
                steps.add(new Step(start + j, () -> report(node)));
            }
        }
        return stage("fire in building " + buildingId + " " + detectors.stream().map(n -> n.device.id()).toList(), steps);
    }

    /**
     * One smoke detector goes into alarm now, for fault tests that count alarms end to end: its
     * next reading is over the alarm threshold and is sent at once, the {@code alarm} event
     * (level alarm) first, then the telemetry. The detector stays in alarm (every later reading
     * says so) until {@link #reset}. Returns which message carried the alarm and when it was sent;
     * how it ended is in the {@link #ledger()} under that seq.
     *
     * @throws IllegalStateException when the detector is already in alarm, silenced, or the
     *                               simulation is not running: no alarm was sent
     */
    public Alarm raiseAlarm(String detectorId) {
        return raiseAlarmAnswered(detectorId).alarm();
    }

    /** An alarm sent, and its gateway's answer to it (for CoAP: once the agent has it on disk). */
    public record SentAlarm(Alarm alarm, CompletableFuture<Outcome> answer) {
    }

    /** As {@link #raiseAlarm}, with the gateway's answer to the alarm message. */
    public SentAlarm raiseAlarmAnswered(String detectorId) {
        requireRunning();
        Node node = node(detectorId, SmokeDetector.class);
        SmokeDetector detector = (SmokeDetector) node.device;
        List<Message> produced = new ArrayList<>();
        List<CompletableFuture<Outcome>> answers;
        // The device's lock, as a periodic tick takes it: no tick can send the alarm in between.
        synchronized (node.device) {
            if (detector.alarm()) {
                throw new IllegalStateException(detectorId + " is already in alarm");
            }
            detector.igniteAtAlarm();
            Moment moment = moment();
            answers = emit(node, device -> {
                List<Message> messages = device.report(moment);
                produced.addAll(messages);
                return messages;
            });
        }
        for (int i = 0; i < produced.size(); i++) {
            Message m = produced.get(i);
            if ("alarm".equals(m.event()) && "alarm".equals(m.data().get("level"))) {
                // emit() sends each message it produced, in order: answers line up with them.
                return new SentAlarm(new Alarm(m.deviceId(), m.seq(), m.ts()), answers.get(i));
            }
        }
        throw new IllegalStateException(detectorId + " sent no alarm (silenced?)");
    }

    /**
     * The device power-cycles: its seq counter starts again at {@code seq}, and it goes on
     * reporting from its next tick, in the state it was in (a detector in alarm stays in alarm).
     * The link stays up: what is tested is a counter that starts again, as after a reboot
     * quicker than the broker notices. The ledger starts a new boot for it.
     */
    public void reboot(String deviceId, long seq) {
        requireRunning();
        Node node = node(deviceId, SimDevice.class);
        synchronized (node.device) {
            // After every message sent so far: each took its moment before this lock.
            long bootTs = config.clock().millis() + 1;
            node.device.reboot(seq, bootTs);
            ledger.rebooted(deviceId, bootTs);
        }
        log.info("{} rebooted, seq from {}", deviceId, seq);
    }

    /**
     * The device sends a reading with {@code poison} in it now: its next telemetry (after the
     * events the reading raises, which are sent as they are). Returns the poisoned message;
     * how it ended is in the {@link #ledger()} under its seq (MQTT: acknowledged by the broker,
     * refused on the device's error topic, {@link #gatewayErrors(String)}; CoAP: a 4.xx).
     *
     * @throws IllegalStateException when the device is silenced or the simulation not running
     */
    public Message sendPoison(String deviceId, Poison poison) {
        requireRunning();
        Node node = node(deviceId, SimDevice.class);
        List<Message> produced = new ArrayList<>();
        Moment moment = moment();
        emit(node, device -> {
            List<Message> messages = new ArrayList<>(device.report(moment));
            Message telemetry = messages.remove(messages.size() - 1);
            messages.add(poison.into(telemetry, speaksCbor(device)));
            produced.addAll(messages);
            return messages;
        });
        if (produced.isEmpty()) {
            throw new IllegalStateException(deviceId + " sent nothing (silenced?)");
        }
        return produced.get(produced.size() - 1);
    }

    /** A detector's test button: a {@code test} event and a normal reading, never an alarm. */
    public CompletableFuture<Void> pressTestButton(String detectorId) {
        Node node = node(detectorId, SmokeDetector.class);
        return stage("test button at " + detectorId, List.of(new Step(0, () -> {
            ((SmokeDetector) node.device).pressTestButton();
            return report(node);
        })));
    }

    /** A manhole cover lifted off: {@code cover_opened} and two readings with the cover open and tilted. */
    public CompletableFuture<Void> displaceCover(String manholeId) {
        Node node = node(manholeId, Manhole.class);
        return stage("cover displaced at " + manholeId, List.of(
                new Step(0, () -> {
                    ((Manhole) node.device).displaceCover();
                    return report(node);
                }),
                new Step(1, () -> report(node))));
    }

    /** Water rising toward the cover: six readings, the last a few centimetres below it. */
    public CompletableFuture<Void> raiseWater(String manholeId) {
        Node node = node(manholeId, Manhole.class);
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(0, () -> {
            ((Manhole) node.device).startFlood();
            return report(node);
        }));
        for (int i = 1; i < 6; i++) {
            steps.add(new Step(i, () -> report(node)));
        }
        return stage("water rising at " + manholeId, steps);
    }

    /** Sewer gas: three readings with methane and H2S climbing to dangerous levels. */
    public CompletableFuture<Void> releaseToxicGas(String manholeId) {
        Node node = node(manholeId, Manhole.class);
        return stage("toxic gas at " + manholeId, List.of(
                new Step(0, () -> {
                    ((Manhole) node.device).startGasLeak();
                    return report(node);
                }),
                new Step(1, () -> report(node)),
                new Step(2, () -> report(node))));
    }

    /** Rain in a lamp-post's cabinet: four readings with earth leakage climbing past 30 mA. */
    public CompletableFuture<Void> leakInRain(String lampId) {
        Node node = node(lampId, LampPost.class);
        List<Step> steps = new ArrayList<>();
        steps.add(new Step(0, () -> {
            ((LampPost) node.device).startRain();
            return report(node);
        }));
        for (int i = 1; i < 4; i++) {
            steps.add(new Step(i, () -> report(node)));
        }
        return stage("leakage in rain at " + lampId, steps);
    }

    /** A door pushed open without a grant: {@code forced_open} and a reading; it stays open until {@link #reset}. */
    public CompletableFuture<Void> forceDoor(String doorId) {
        Node node = node(doorId, DoorAccess.class);
        return stage("door forced at " + doorId, List.of(new Step(0, () -> {
            ((DoorAccess) node.device).force(moment());
            return report(node);
        })));
    }

    /**
     * A resident's door propped open, already for {@code openFor}: the access event, then a
     * reading, with {@code held_open} once {@code openFor} reaches {@link DoorAccess#HELD_OPEN_LIMIT}.
     * Stays open until {@link #reset}.
     */
    public CompletableFuture<Void> holdDoorOpen(String doorId, Duration openFor) {
        Node node = node(doorId, DoorAccess.class);
        return stage("door held open at " + doorId, List.of(new Step(0, () -> {
            ((DoorAccess) node.device).holdOpen(moment(), openFor);
            return report(node);
        })));
    }

    /** {@code attempts} denied card attempts at one door, half a scenario step apart, each with an unknown card. */
    public CompletableFuture<Void> bruteForce(String doorId, int attempts) {
        if (attempts < 1 || attempts > 1_000) {
            throw new IllegalArgumentException("attempts must be 1 to 1000: " + attempts);
        }
        Node node = node(doorId, DoorAccess.class);
        DoorAccess door = (DoorAccess) node.device;
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < attempts; i++) {
            steps.add(new Step(i * 0.5, () -> {
                door.access(moment(), door.unknownCard(), "card", false);
                return emit(node, device -> device.flushEvents(moment()));
            }));
        }
        return stage(attempts + " denied attempts at " + doorId, steps);
    }

    /** One access attempt with a given credential, e.g. a card number a test later looks for. */
    public CompletableFuture<Void> access(String doorId, String subject, boolean granted) {
        Node node = node(doorId, DoorAccess.class);
        return stage("access at " + doorId, List.of(new Step(0, () -> {
            ((DoorAccess) node.device).access(moment(), subject, "card", granted);
            return emit(node, device -> device.flushEvents(moment()));
        })));
    }

    /**
     * Ends a device's scenario: the next reading is normal again and announces it where the device
     * would (a detector's {@code alarm_cleared}, a manhole's {@code cover_closed}).
     */
    public CompletableFuture<Void> reset(String deviceId) {
        Node node = node(deviceId, SimDevice.class);
        return stage("reset of " + deviceId, List.of(new Step(0, () -> {
            node.device.reset();
            return report(node);
        })));
    }

    /**
     * The device goes silent: it sends nothing more, an MQTT device drops its connection without
     * DISCONNECT (so the broker publishes its {@code offline} will), a CoAP device stops listening.
     */
    public void silence(String deviceId) {
        Node node = node(deviceId, SimDevice.class);
        node.silent = true;
        node.link.dropOff();
        log.info("{} went silent", deviceId);
    }

    /** A silenced device comes back: reconnects and reports again from its next tick. */
    public void revive(String deviceId) {
        requireRunning();
        Node node = node(deviceId, SimDevice.class);
        node.silent = false;
        node.link.open(downlink(node));
        log.info("{} is back", deviceId);
    }

    // ---- What happened.

    /** An immutable copy of the ledger: per device, every seq sent and how it ended. */
    public LedgerSnapshot ledger() {
        return ledger.snapshot();
    }

    /** Totals only: cheap enough for a summary line every second. */
    public LedgerCounts counts() {
        return ledger.counts();
    }

    /** A copy of the send-to-acknowledgement times so far, in microseconds. */
    public Histogram ackLatencyMicros() {
        return ackLatency.copy();
    }

    /** Waits until every message sent so far has an outcome; false on timeout. */
    public boolean awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ledger.counts().pending() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** Every command received, in arrival order, once per (device, command id). */
    public List<ReceivedCommand> commandsReceived() {
        synchronized (commands) {
            return List.copyOf(commands);
        }
    }

    /** Messages the gateway sent on {@code devices/{id}/error}. */
    public long gatewayErrors() {
        return gatewayErrors.get();
    }

    /** The payloads the gateway sent on {@code devices/{id}/error}, oldest first (the first {@value #ERRORS_KEPT}). */
    public List<String> gatewayErrors(String deviceId) {
        List<String> errors = gatewayErrorsByDevice.getOrDefault(deviceId, List.of());
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    /** Command payloads that could not be read at all (logged and dropped). */
    public long unreadableCommands() {
        return unreadableCommands.get();
    }

    /** The simulated device ids, in site-file order. */
    public List<String> deviceIds() {
        return List.copyOf(nodes.keySet());
    }

    /** A simulated device, to inspect its state in a test ({@code device("door-b1-01", DoorAccess.class).locked()}). */
    public <T extends SimDevice> T device(String id, Class<T> type) {
        return type.cast(node(id, type).device);
    }

    public SimConfig config() {
        return config;
    }

    /**
     * Stops reporting, waits briefly for messages still in flight, then disconnects every device
     * cleanly (MQTT devices announce {@code offline}). Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        try {
            awaitSettled(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        nodes.values().parallelStream().forEach(node -> {
            try {
                node.link.close();
            } catch (RuntimeException e) {
                log.debug("{}: closing its link failed", node.device.id(), e);
            }
        });
        closeCoap();
        scheduler.shutdownNow();
        openSteps.forEach(step -> step.complete(null));
        LedgerCounts counts = ledger.counts();
        log.info("simulation closed: sent {}, acknowledged {}, rejected {}, failed {}, unsettled {}",
                counts.sent(), counts.acknowledged(), counts.rejected(), counts.failed(), counts.pending());
    }

    // ---- Internals.

    private CoapGateway openCoap(URI base) {
        try {
            return new CoapGateway(base);
        } catch (RuntimeException e) {
            scheduler.shutdownNow();
            throw e;
        }
    }

    private DeviceLink realLink(SimDevice device) {
        String key = config.keys().get(device.id());
        return switch (device.type().transport()) {
            case MQTT -> new MqttDeviceLink(config.mqttBroker(), device.id(), key, scheduler, config.ackTimeout());
            // Manholes speak CBOR, smoke detectors JSON, so a demo exercises both content formats.
            case COAP -> new CoapDeviceLink(key == null ? coap : dtlsGateway(device.id(), key), device.id(),
                    speaksCbor(device), scheduler, config.commandPoll(), config.ackTimeout());
        };
    }

    private CoapGateway dtlsGateway(String deviceId, String key) {
        CoapGateway gateway = CoapGateway.dtls(config.coapsBase(), deviceId, HexFormat.of().parseHex(key), dtlsExecutor, dtlsTimer);
        dtlsGateways.add(gateway);
        return gateway;
    }

    private void closeCoap() {
        if (coap != null) {
            coap.close();
        }
        dtlsGateways.forEach(CoapGateway::close);
        if (dtlsExecutor != null) {
            dtlsExecutor.shutdownNow();
            dtlsTimer.shutdownNow();
        }
    }

    private void tick(Node node) {
        try {
            // A device reports once it has joined the network; after that, a report it cannot
            // deliver is a loss and goes into the ledger as failed.
            node.joined = node.joined || node.link.isConnected();
            if (!node.silent && node.joined) {
                Moment moment = moment();
                if (config.ambientEvents()) {
                    node.device.live(moment);
                }
                emit(node, device -> device.report(moment));
            }
        } catch (RuntimeException e) {
            log.warn("{}: periodic report failed", node.device.id(), e);
        }
        long interval = config.interval().toMillis();
        double spread = 1 + config.jitter() * (2 * node.timing.nextDouble() - 1);
        schedule(() -> tick(node), Math.max(1, (long) (interval * spread)));
    }

    private List<CompletableFuture<Outcome>> report(Node node) {
        Moment moment = moment();
        return emit(node, device -> device.report(moment));
    }

    /**
     * Produces messages and hands them on under the device's lock, so seqs enter the ledger and
     * the network in the order they were assigned. A silent device produces nothing (no seq is used).
     */
    private List<CompletableFuture<Outcome>> emit(Node node, Function<SimDevice, List<Message>> produce) {
        if (node.silent || state != State.RUNNING) {
            return List.of();
        }
        synchronized (node.device) {
            List<CompletableFuture<Outcome>> sent = new ArrayList<>();
            for (Message message : produce.apply(node.device)) {
                sent.add(send(node, message));
            }
            return sent;
        }
    }

    private CompletableFuture<Outcome> send(Node node, Message message) {
        long sentAt = System.nanoTime();
        ledger.sent(message);
        CompletableFuture<Outcome> outcome;
        try {
            outcome = node.link.send(message);
        } catch (RuntimeException e) {
            outcome = CompletableFuture.completedFuture(Outcome.failed(e.toString()));
        }
        return outcome.handle((o, error) -> o != null ? o : Outcome.failed(String.valueOf(error))).thenApply(o -> {
            ledger.settled(message, o);
            if (o.status() == Outcome.Status.ACKNOWLEDGED) {
                long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - sentAt);
                ackLatency.recordValue(Math.min(micros, ackLatency.getHighestTrackableValue()));
            } else if (o.status() == Outcome.Status.REJECTED) {
                // The first rejection of a device is worth a warning (a contract mismatch); the rest are counted.
                if (node.rejectionsLogged.getAndIncrement() == 0) {
                    log.warn("{}: gateway rejected seq {} with {}: {}", message.deviceId(), message.seq(), o.code(), o.detail());
                }
            } else if (o.status() == Outcome.Status.FAILED) {
                log.debug("{}: seq {} not acknowledged: {}", message.deviceId(), message.seq(), o.detail());
            }
            return o;
        });
    }

    private Downlink downlink(Node node) {
        return new Downlink() {
            @Override
            public void commands(byte[] payload, boolean cbor) {
                execute(() -> handleCommands(node, payload, cbor));
            }

            @Override
            public void gatewayError(byte[] payload) {
                gatewayErrors.incrementAndGet();
                List<String> errors = gatewayErrorsByDevice.computeIfAbsent(node.device.id(), id -> new ArrayList<>());
                synchronized (errors) {
                    if (errors.size() < ERRORS_KEPT) {
                        errors.add(new String(payload, StandardCharsets.UTF_8));
                    }
                }
                log.info("{}: gateway error: {}", node.device.id(),
                        Payloads.abbreviate(new String(payload, StandardCharsets.UTF_8)));
            }
        };
    }

    private void handleCommands(Node node, byte[] payload, boolean cbor) {
        List<Command> received;
        try {
            received = Payloads.commands(payload, cbor);
        } catch (Exception e) {
            unreadableCommands.incrementAndGet();
            // A polling device would see the same garbage every few seconds: warn once per device.
            if (node.unreadableLogged.getAndIncrement() == 0) {
                log.warn("{}: ignoring an unreadable command payload: {}", node.device.id(), e.getMessage());
            } else {
                log.debug("{}: ignoring an unreadable command payload: {}", node.device.id(), e.getMessage());
            }
            return;
        }
        for (Command command : received) {
            handleCommand(node, command);
        }
    }

    /** Applies a command once per id and acknowledges it; a repeat is acknowledged again only if the last ack failed. */
    private void handleCommand(Node node, Command command) {
        String id = command.id();
        synchronized (node.acks) {
            Ack previous = id == null ? null : node.acks.get(id);
            if (previous != null) {
                if (previous == Ack.FAILED) {
                    acknowledge(node, id);
                }
                return;
            }
            boolean applied = node.device.apply(command);
            commands.add(new ReceivedCommand(node.device.id(), command, config.clock().instant(), applied));
            log.info("{}: command {} {}", node.device.id(), command.fields(), applied ? "applied" : "not understood");
            if (id == null) {
                if (applied) {
                    log.warn("{}: command without id: applied, but cannot be acknowledged", node.device.id());
                }
                return;
            }
            if (applied) {
                acknowledge(node, id);
            } else {
                node.acks.put(id, Ack.NOT_UNDERSTOOD);
            }
        }
    }

    private void acknowledge(Node node, String commandId) {
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("event", "command_ack");
        ack.put("id", commandId);
        node.acks.put(commandId, Ack.SENDING);
        List<CompletableFuture<Outcome>> sent = emit(node, device -> List.of(device.event(moment(), ack)));
        if (sent.isEmpty()) {
            node.acks.put(commandId, Ack.FAILED);
            return;
        }
        sent.get(0).thenAccept(o -> node.acks.put(commandId, switch (o.status()) {
            case ACKNOWLEDGED -> Ack.ACKNOWLEDGED;
            case REJECTED -> Ack.REJECTED;
            case FAILED -> Ack.FAILED;
        }));
    }

    /** Runs a scenario: each step at its offset (in scenario steps); the future completes when all are settled. */
    private CompletableFuture<Void> stage(String what, List<Step> steps) {
        requireRunning();
        log.info("staging {}", what);
        long stepMs = config.scenarioStep().toMillis();
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Step step : steps) {
            CompletableFuture<Void> stepDone = new CompletableFuture<>();
            openSteps.add(stepDone);
            stepDone.whenComplete((v, e) -> openSteps.remove(stepDone));
            done.add(stepDone);
            schedule(() -> {
                try {
                    List<CompletableFuture<Outcome>> sent = step.action().get();
                    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                            .whenComplete((v, e) -> stepDone.complete(null));
                } catch (RuntimeException e) {
                    log.warn("a step of {} failed", what, e);
                    stepDone.complete(null);
                }
            }, (long) (step.at() * stepMs));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new));
    }

    private void schedule(Runnable task, long delayMs) {
        try {
            scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Closed: nothing more to run.
        }
    }

    private void execute(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException e) {
            // Closed: commands arriving during shutdown are dropped.
        }
    }

    private Moment moment() {
        Instant now = config.clock().instant();
        LocalTime timeOfDay = config.timeOfDay() != null
                ? config.timeOfDay()
                : LocalTime.ofInstant(now, config.clock().getZone());
        return new Moment(now, timeOfDay);
    }

    private Node node(String id, Class<? extends SimDevice> type) {
        Node node = nodes.get(id);
        if (node == null) {
            throw new IllegalArgumentException("no simulated device '" + id + "'");
        }
        if (!type.isInstance(node.device)) {
            throw new IllegalArgumentException(id + " is a " + node.device.type().wireName() + ", not a "
                    + type.getSimpleName());
        }
        return node;
    }

    private void requireRunning() {
        if (state != State.RUNNING) {
            throw new IllegalStateException(state == State.NEW ? "call start() first" : "the simulation is closed");
        }
    }

    private static boolean speaksCbor(SimDevice device) {
        return device.type() == DeviceType.MANHOLE;
    }

    private static boolean isMqtt(SimDevice device) {
        return device.type().transport() == DeviceType.Transport.MQTT;
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "device-sim-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** A scenario step: what to do, {@code at} scenario steps after the start. */
    private record Step(double at, Supplier<List<CompletableFuture<Outcome>>> action) {
    }

    /** One simulated device at run time. */
    private static final class Node {
        final SimDevice device;
        final DeviceLink link;
        /** Report timing only, apart from the device's own generator so timing does not change readings. */
        final Random timing;
        final Map<String, Ack> acks = new ConcurrentHashMap<>();
        final AtomicInteger rejectionsLogged = new AtomicInteger();
        final AtomicInteger unreadableLogged = new AtomicInteger();
        volatile boolean silent;
        volatile boolean joined;

        Node(SimDevice device, DeviceLink link, Random timing) {
            this.device = device;
            this.link = link;
            this.timing = timing;
        }
    }
}
