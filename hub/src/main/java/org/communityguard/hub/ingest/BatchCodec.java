package org.communityguard.hub.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decodes the uplink v1 batch (docs/uplink.md). A batch whose envelope is wrong is invalid as
 * a whole; a bad reading inside a good envelope is rejected alone so its neighbours are kept.
 */
public final class BatchCodec {

    public static final int MAX_READINGS = 5000;
    static final long CLOCK_SKEW_MS = 5 * 60 * 1000;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern BATCH_KEY = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
    private static final Set<String> TYPES = Set.of("lamp_post", "manhole", "smoke_detector", "door_access", "gateway");
    /** Kinds and flags: future ones are accepted, but they must be plain words. */
    private static final Pattern WORD = Pattern.compile("[a-z_]{1,32}");
    private static final long MAX_SEQ = 0xFFFF_FFFFL;

    private final ObjectMapper json;

    public BatchCodec(ObjectMapper json) {
        this.json = json;
    }

    /** The outcome of decoding: a batch, or why the whole payload is not a v1 batch. */
    public sealed interface Result permits Decoded, Invalid {
    }

    public record Decoded(UplinkBatch batch) implements Result {
    }

    public record Invalid(String detail) implements Result {
    }

    public Result decode(InputStream payload) {
        JsonNode root;
        try {
            root = json.readTree(payload);
        } catch (JsonProcessingException e) {
            return new Invalid("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return new Invalid("unreadable payload: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            return new Invalid("the batch must be a JSON object");
        }
        if (!root.path("v").isIntegralNumber() || root.path("v").asInt() != 1) {
            return new Invalid("unsupported contract version v=" + root.path("v") + ", this hub speaks v=1");
        }
        String gateway = root.path("gateway").asText(null);
        if (!root.path("gateway").isTextual() || !ID.matcher(gateway).matches()) {
            return new Invalid("'gateway' must be a gateway id");
        }
        String batchId = root.path("batch").asText(null);
        if (!root.path("batch").isTextual() || !BATCH_KEY.matcher(batchId).matches()) {
            return new Invalid("'batch' must be 1-64 characters of A-Z a-z 0-9 . _ : -");
        }
        JsonNode readings = root.path("readings");
        if (!readings.isArray() || readings.isEmpty() || readings.size() > MAX_READINGS) {
            return new Invalid("'readings' must be an array of 1 to " + MAX_READINGS + " readings");
        }
        List<IncomingReading> good = new ArrayList<>(readings.size());
        List<UplinkBatch.Rejected> rejected = new ArrayList<>(0);
        for (int i = 0; i < readings.size(); i++) {
            JsonNode r = readings.get(i);
            String problem = check(r);
            if (problem != null) {
                int colon = problem.indexOf(':');
                rejected.add(new UplinkBatch.Rejected(i, problem.substring(0, colon), problem.substring(colon + 2)));
            } else {
                good.add(toReading(r));
            }
        }
        return new Decoded(new UplinkBatch(gateway, batchId, good, rejected));
    }

    /** Null when the reading is valid, else "reason: detail". */
    private static String check(JsonNode r) {
        if (!r.isObject()) {
            return "not_an_object: a reading must be a JSON object";
        }
        JsonNode device = r.path("device");
        if (!device.isTextual() || !ID.matcher(device.asText()).matches()) {
            return "bad_device_id: 'device' must be 1-64 characters of A-Z a-z 0-9 . _ -";
        }
        if (!r.path("type").isTextual() || !TYPES.contains(r.path("type").asText())) {
            return "unknown_type: 'type' " + r.path("type") + " is not a device type of the profile";
        }
        if (!r.path("kind").isTextual() || !WORD.matcher(r.path("kind").asText()).matches()) {
            return "bad_kind: 'kind' must be a lower-case word";
        }
        if (!r.path("rx").isIntegralNumber() || r.path("rx").asLong() <= 0) {
            return "bad_time: 'rx' must be epoch milliseconds";
        }
        if (r.has("ts") && !r.path("ts").isIntegralNumber()) {
            return "bad_time: 'ts' must be epoch milliseconds";
        }
        if (r.has("seq") && (!r.path("seq").isIntegralNumber() || r.path("seq").asLong() < 0
                || r.path("seq").asLong() > MAX_SEQ)) {
            return "bad_seq: 'seq' must be 0 to 4294967295";
        }
        if (r.has("flags")) {
            JsonNode flags = r.path("flags");
            if (!flags.isArray()) {
                return "bad_flags: 'flags' must be an array of strings";
            }
            for (JsonNode f : flags) {
                if (!f.isTextual() || !WORD.matcher(f.asText()).matches()) {
                    return "bad_flags: 'flags' must be an array of lower-case words";
                }
            }
        }
        if (!r.path("data").isObject()) {
            return "bad_data: 'data' must be a JSON object";
        }
        return null;
    }

    private static IncomingReading toReading(JsonNode r) {
        long rx = r.path("rx").asLong();
        Long ts = r.has("ts") ? r.path("ts").asLong() : null;
        List<String> flags = new ArrayList<>(r.path("flags").size() + 1);
        r.path("flags").forEach(f -> flags.add(f.asText()));
        // The hub applies the clock-skew rule itself rather than trusting every gateway to.
        boolean skewed = ts != null && Math.abs(ts - rx) > CLOCK_SKEW_MS;
        if (skewed && !flags.contains("clock_skew")) {
            flags.add("clock_skew");
        }
        long time = ts == null || flags.contains("clock_skew") ? rx : ts;
        return new IncomingReading(
                r.path("device").asText(),
                r.path("type").asText(),
                r.path("kind").asText(),
                time,
                rx,
                ts,
                r.has("seq") ? r.path("seq").asLong() : null,
                List.copyOf(flags),
                (ObjectNode) r.path("data"));
    }
}
