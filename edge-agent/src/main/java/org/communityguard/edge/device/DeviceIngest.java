package org.communityguard.edge.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.communityguard.edge.device.ReadingSink.Admission;
import org.communityguard.edge.identity.DeviceAccess;
import org.communityguard.edge.identity.Sender;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way in for device messages, whichever transport carried them:
 * <pre>
 *  MQTT listener ─┐
 *                 ├─ ingest() ─ who may speak as the device? (DeviceAccess) ─ decode (PayloadCodec)
 *  CoAP server  ──┘      │        ─ validate (ReadingValidator) ─ a copy? (DeviceMemory, by Fingerprint)
 *                        │        ─ ReadingSink.offer ─ Outcome
 *                        └─ any refusal: count, rate-limited WARN, Outcome.Rejected
 * </pre>
 * The returned stage completes when the sink has decided, so a transport acknowledges the
 * device only for a reading that is safely buffered. Never throws and never completes
 * exceptionally because of what a device sent.
 *
 * <p>Meters (registered once, here): {@code edge_readings_received_total{protocol}} every message
 * handed in; {@code edge_readings_accepted_total{protocol}} taken by the sink;
 * {@code edge_readings_duplicate_total} acknowledged but not forwarded;
 * {@code edge_readings_rejected_total{reason}} refused. Once the sink has answered,
 * received = accepted + duplicate + rejected.
 */
public final class DeviceIngest {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceIngest.class);

    /**
     * @param maxPayloadBytes      larger payloads are refused ({@code too_large}); the profile says 1024
     * @param maxTrackedDevices    devices whose recent readings, type and status are remembered
     * @param rejectionLogInterval at most one rejection log line per device per interval
     * @param retryAfter           how long an overloaded gateway asks devices to wait
     */
    public record Settings(int maxPayloadBytes, int maxTrackedDevices, Duration rejectionLogInterval, Duration retryAfter) {
        public static Settings defaults() {
            return new Settings(PayloadCodec.DEFAULT_MAX_PAYLOAD_BYTES, 10_000, Duration.ofMinutes(1), Duration.ofSeconds(30));
        }
    }

    private final ReadingSink sink;
    private final DeviceAccess access;
    private final DeviceCommands commands;
    private final Clock clock;
    private final PayloadCodec codec;
    private final ReadingValidator validator;
    private final RejectionAnswers answers;
    private final DeviceMemory memory;
    private final RejectionLog rejectionLog;
    private final Map<Protocol, Counter> received = new EnumMap<>(Protocol.class);
    private final Map<Protocol, Counter> accepted = new EnumMap<>(Protocol.class);
    private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final Counter duplicates;
    /** Readings offered to the sink and not answered yet, for copies that arrive meanwhile. */
    private final Map<InFlight, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

    private record InFlight(String deviceId, long fingerprint) {
    }

    /** Every device needs no proof ({@link DeviceAccess#open()}): for tests of everything but identity. */
    public DeviceIngest(ReadingSink sink, Provisioning provisioning, DeviceCommands commands,
                        MeterRegistry registry, Clock clock, Settings settings) {
        this(sink, provisioning, DeviceAccess.open(), commands, registry, clock, settings);
    }

    public DeviceIngest(ReadingSink sink, Provisioning provisioning, DeviceAccess access, DeviceCommands commands,
                        MeterRegistry registry, Clock clock, Settings settings) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.access = Objects.requireNonNull(access, "access");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.codec = new PayloadCodec(settings.maxPayloadBytes());
        this.validator = new ReadingValidator(provisioning);
        this.answers = new RejectionAnswers(settings.retryAfter(), settings.maxPayloadBytes());
        this.memory = new DeviceMemory(settings.maxTrackedDevices());
        this.rejectionLog = new RejectionLog(settings.rejectionLogInterval(), settings.maxTrackedDevices(), clock);
        for (Protocol protocol : Protocol.values()) {
            received.put(protocol, Counter.builder("edge_readings_received_total")
                    .description("Device messages handed to the ingest, valid or not")
                    .tag("protocol", protocol.wireName())
                    .register(registry));
            accepted.put(protocol, Counter.builder("edge_readings_accepted_total")
                    .description("Readings the buffer accepted")
                    .tag("protocol", protocol.wireName())
                    .register(registry));
        }
        for (RejectReason reason : RejectReason.values()) {
            rejected.put(reason, Counter.builder("edge_readings_rejected_total")
                    .description("Device messages refused, by reason")
                    .tag("reason", reason.wireName())
                    .register(registry));
        }
        this.duplicates = Counter.builder("edge_readings_duplicate_total")
                .description("Readings acknowledged but not forwarded: a copy of a recent reading, or an unchanged status")
                .register(registry);
    }

    /**
     * Remembers a reading accepted before a restart (from the buffer, oldest first, as the buffer
     * holds them: pseudonymized), so a device or broker repeating it after a crash is recognized
     * as a duplicate, not stored twice.
     */
    public void recall(Reading r) {
        if (r.type() != DeviceType.GATEWAY) {
            memory.remember(r, fingerprint(r));
        }
    }

    /** How rejections are answered on each transport. */
    public RejectionAnswers answers() {
        return answers;
    }

    /** The codec, for transports that encode answers (pending commands) in the device's format. */
    public PayloadCodec codec() {
        return codec;
    }

    /** Takes one device message whose sender the transport proved to be {@code deviceId}. */
    public CompletionStage<Outcome> ingest(Protocol protocol, Kind kind, String deviceId, PayloadFormat format, byte[] payload) {
        return ingest(protocol, Sender.proven(deviceId), kind, deviceId, format, payload);
    }

    /**
     * Takes one device message.
     *
     * @param sender   who the transport says sent it (DTLS identity, plain CoAP, the broker's checks)
     * @param kind     from the MQTT topic ({@code telemetry}, {@code event}, {@code status}) or CoAP path
     * @param deviceId as it appeared in the topic or path, not yet checked
     * @param format   {@link PayloadFormat#JSON} for MQTT telemetry and events, {@link PayloadFormat#TEXT}
     *                 for MQTT status, the Content-Format for CoAP
     */
    public CompletionStage<Outcome> ingest(Protocol protocol, Sender sender, Kind kind, String deviceId, PayloadFormat format,
                                           byte[] payload) {
        try {
            return admit(protocol, sender, kind, deviceId, format, payload);
        } catch (RuntimeException e) {
            // A bug, not bad input; the message is dropped rather than retried forever.
            LOG.error("could not process a {} {} message from device {}", protocol.wireName(), kind.wireName(),
                    DeviceIds.printable(deviceId), e);
            return CompletableFuture.completedFuture(reject(protocol, deviceId,
                    Rejection.of(RejectReason.MALFORMED, "message could not be processed")));
        }
    }

    /**
     * Whether {@code sender} may act as {@code deviceId} for a request that carries no reading
     * ({@code GET /commands/{id}}): empty when it may, else the refusal, counted and logged like
     * every other. The id must be valid ({@link DeviceIds#isValid}).
     */
    public Optional<Rejection> refusal(Protocol protocol, Sender sender, String deviceId) {
        if (access.check(sender, deviceId) != DeviceAccess.Verdict.REFUSED) {
            return Optional.empty();
        }
        received.get(protocol).increment();
        Rejection rejection = Rejection.of(RejectReason.NOT_AUTHORIZED, access.refusal(sender, deviceId));
        reject(protocol, deviceId, rejection);
        return Optional.of(rejection);
    }

    private CompletionStage<Outcome> admit(Protocol protocol, Sender sender, Kind kind, String deviceId, PayloadFormat format,
                                           byte[] payload) {
        received.get(protocol).increment();
        DeviceAccess.Verdict verdict = DeviceIds.isValid(deviceId) ? access.check(sender, deviceId) : DeviceAccess.Verdict.ALLOWED;
        if (verdict == DeviceAccess.Verdict.REFUSED) {
            return CompletableFuture.completedFuture(reject(protocol, deviceId,
                    Rejection.of(RejectReason.NOT_AUTHORIZED, access.refusal(sender, deviceId))));
        }
        Checked<Reading> checked = check(kind, deviceId, format, payload, clock.millis());
        if (!checked.isOk()) {
            return CompletableFuture.completedFuture(reject(protocol, deviceId, checked.rejection()));
        }
        if (verdict == DeviceAccess.Verdict.UNVERIFIED) {
            checked = Checked.ok(flagged(checked.value(), Flag.UNVERIFIED_SENDER));
        }
        return admitChecked(protocol, kind, deviceId, format, payload, checked);
    }

    private static Reading flagged(Reading r, Flag flag) {
        Set<Flag> flags = EnumSet.of(flag);
        flags.addAll(r.flags());
        return new Reading(r.deviceId(), r.type(), r.kind(), r.receivedAt(), r.deviceTs(), r.seq(), flags, r.data());
    }

    private CompletionStage<Outcome> admitChecked(Protocol protocol, Kind kind, String deviceId, PayloadFormat format,
                                                  byte[] payload, Checked<Reading> checked) {
        Reading reading = checked.value();
        long fingerprint = fingerprint(reading);
        if (reading.kind() == Kind.STATUS || !DeviceMemory.mayHaveCopies(reading)) {
            return offer(protocol, reading, fingerprint);
        }
        // Registered before the memory is asked, and left only after the memory was told: a copy
        // either finds the original remembered or finds it here, still being written, and waits.
        InFlight key = new InFlight(reading.deviceId(), fingerprint);
        CompletableFuture<Outcome> mine = new CompletableFuture<>();
        CompletableFuture<Outcome> original = inFlight.putIfAbsent(key, mine);
        if (original != null) {
            return original.thenCompose(first -> first instanceof Outcome.Rejected
                    ? admit(protocol, kind, deviceId, format, payload, checked) : duplicate(reading));
        }
        offer(protocol, reading, fingerprint).whenComplete((outcome, failure) -> {
            inFlight.remove(key, mine);
            mine.complete(outcome == null ? new Outcome.Rejected(Rejection.OVERLOADED) : outcome);
        });
        return mine;
    }

    /** A copy whose original was refused goes in its own right, as if it came first. */
    private CompletionStage<Outcome> admit(Protocol protocol, Kind kind, String deviceId, PayloadFormat format, byte[] payload,
                                           Checked<Reading> checked) {
        try {
            return admitChecked(protocol, kind, deviceId, format, payload, checked);
        } catch (RuntimeException e) {
            LOG.error("could not process a {} {} message from device {}", protocol.wireName(), kind.wireName(),
                    DeviceIds.printable(deviceId), e);
            return CompletableFuture.completedFuture(reject(protocol, deviceId,
                    Rejection.of(RejectReason.MALFORMED, "message could not be processed")));
        }
    }

    private CompletionStage<Outcome> duplicate(Reading reading) {
        duplicates.increment();
        settleCommandAck(reading);
        return CompletableFuture.completedFuture(new Outcome.Duplicate(reading));
    }

    /** Offers a reading that is not a copy of one being written now, unless it is a copy of one remembered. */
    private CompletionStage<Outcome> offer(Protocol protocol, Reading reading, long fingerprint) {
        if (memory.isDuplicate(reading, fingerprint)) {
            return duplicate(reading);
        }
        CompletionStage<Admission> admission;
        try {
            admission = sink.offer(reading);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(sinkFailed(protocol, reading, e));
        }
        if (admission == null) {
            return CompletableFuture.completedFuture(sinkFailed(protocol, reading, null));
        }
        return admission.handle((result, failure) -> settle(protocol, reading, fingerprint, result, failure));
    }

    /** Status readings are compared by their status alone. */
    private static long fingerprint(Reading reading) {
        return reading.kind() == Kind.STATUS ? 0 : Fingerprint.of(reading);
    }

    private Checked<Reading> check(Kind kind, String deviceId, PayloadFormat format, byte[] payload, long receivedAt) {
        if (!DeviceIds.isValid(deviceId)) {
            return Checked.rejected(RejectReason.BAD_DEVICE_ID,
                    "\"" + DeviceIds.printable(deviceId) + "\" is not 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        if (kind == Kind.STATUS) {
            if (format != PayloadFormat.TEXT) {
                return Checked.rejected(RejectReason.UNSUPPORTED_FORMAT, "status must be plain text");
            }
            Optional<Rejection> size = codec.sizeProblem(payload);
            if (size.isPresent()) {
                return Checked.rejected(size.get());
            }
            return validator.status(deviceId, payload, memory.lastType(deviceId), receivedAt);
        }
        Checked<ObjectNode> message = codec.decode(format, payload);
        if (!message.isOk()) {
            return Checked.rejected(message.rejection());
        }
        return validator.validate(deviceId, kind, message.value(), receivedAt);
    }

    private Outcome settle(Protocol protocol, Reading reading, long fingerprint, Admission result, Throwable failure) {
        if (failure != null || result == null) {
            return sinkFailed(protocol, reading, failure);
        }
        if (result != Admission.ACCEPTED) {
            return reject(protocol, reading.deviceId(), Rejection.OVERLOADED);
        }
        try {
            memory.remember(reading, fingerprint);
            accepted.get(protocol).increment();
            settleCommandAck(reading);
        } catch (RuntimeException e) {
            // The reading is buffered: bookkeeping trouble must not turn that into a refusal.
            LOG.error("bookkeeping failed after accepting a reading of device {}", reading.deviceId(), e);
        }
        return new Outcome.Accepted(reading);
    }

    private Outcome sinkFailed(Protocol protocol, Reading reading, Throwable failure) {
        // The device hears "overloaded" and retries; the log says what really happened. Logged
        // through the rate limiter: a broken buffer fails every reading.
        String cause = failure == null ? "no answer" : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        rejected.get(RejectReason.OVERLOADED).increment();
        rejectionLog.rejected(protocol, reading.deviceId(), Rejection.of(RejectReason.OVERLOADED, "reading buffer failed: " + cause));
        return new Outcome.Rejected(Rejection.OVERLOADED);
    }

    private Outcome reject(Protocol protocol, String deviceId, Rejection rejection) {
        rejected.get(rejection.reason()).increment();
        rejectionLog.rejected(protocol, deviceId, rejection);
        return new Outcome.Rejected(rejection);
    }

    private void settleCommandAck(Reading reading) {
        if (reading.kind() != Kind.EVENT) {
            return;
        }
        JsonNode data = reading.data();
        if ("command_ack".equals(data.path("event").textValue())) {
            commands.acknowledge(reading.deviceId(), data.path("id").textValue());
        }
    }
}
