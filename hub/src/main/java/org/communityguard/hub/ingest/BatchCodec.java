package org.communityguard.hub.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decodes the uplink v1 batch (docs/uplink.md). A batch whose envelope is wrong is invalid as
 * a whole; a bad reading inside a good envelope is rejected alone so its neighbours are kept.
 *
 * <p>A reading is also rejected here when PostgreSQL would refuse to store it, or when Jackson
 * would change it on the way (docs/uplink.md, "Readings the hub refuses"): one such reading
 * would otherwise fail the COPY of every batch it is grouped with. Tried against PostgreSQL 15:
 * jsonb refuses U+0000 (22P05) and unpaired surrogates (22P02; Jackson writes them as '?'
 * before PostgreSQL could), and a number beyond a double becomes the string "Infinity" in
 * Jackson; timestamptz refuses the "+10000-..." that {@link java.time.Instant} writes for years
 * after 9999 (and TimescaleDB refuses years near 294276). Deeper nesting than
 * {@link #MAX_DATA_DEPTH} is refused before it reaches PostgreSQL's stack limit (54001).
 * The storage path keeps a safety net for what this list misses (IngestPipeline).
 */
public final class BatchCodec {

    public static final int MAX_READINGS = 5000;
    static final long CLOCK_SKEW_MS = 5 * 60 * 1000;
    /** Objects and arrays nested inside {@code data}; device profiles are flat, so this is generous. */
    static final int MAX_DATA_DEPTH = 32;
    /** The times the hub stores: ISO-8601 four-digit years, 0001-01-01 to 9999-12-31 UTC. */
    static final long MIN_TIME_MS = -62_135_596_800_000L;
    static final long MAX_TIME_MS = 253_402_300_799_999L;

    private static final Set<String> TYPES = Set.of("lamp_post", "manhole", "smoke_detector", "door_access", "gateway");
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
        // As a long: read as an int, 2^32 + 1 wraps round to 1.
        if (!isLong(root.path("v")) || root.path("v").asLong() != 1) {
            return new Invalid("unsupported contract version v=" + root.path("v") + ", this hub speaks v=1");
        }
        String gateway = root.path("gateway").asText(null);
        if (!root.path("gateway").isTextual() || !isId(gateway, false)) {
            return new Invalid("'gateway' must be a gateway id");
        }
        String batchId = root.path("batch").asText(null);
        if (!root.path("batch").isTextual() || !isId(batchId, true)) {
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
        if (!device.isTextual() || !isId(device.asText(), false)) {
            return "bad_device_id: 'device' must be 1-64 characters of A-Z a-z 0-9 . _ -";
        }
        if (!r.path("type").isTextual() || !TYPES.contains(r.path("type").asText())) {
            return "unknown_type: 'type' " + r.path("type") + " is not a device type of the profile";
        }
        if (!r.path("kind").isTextual() || !isWord(r.path("kind").asText())) {
            return "bad_kind: 'kind' must be a lower-case word";
        }
        // canConvertToLong: an integer beyond 64 bits must not wrap around into a plausible value.
        if (!isLong(r.path("rx")) || r.path("rx").asLong() <= 0) {
            return "bad_time: 'rx' must be epoch milliseconds";
        }
        if (r.has("ts") && !isLong(r.path("ts"))) {
            return "bad_time: 'ts' must be epoch milliseconds";
        }
        if (r.path("rx").asLong() > MAX_TIME_MS) {
            return "time_out_of_range: 'rx' " + r.path("rx") + " is after the year 9999";
        }
        if (r.has("ts") && (r.path("ts").asLong() > MAX_TIME_MS || r.path("ts").asLong() < MIN_TIME_MS)) {
            return "time_out_of_range: 'ts' " + r.path("ts") + " is outside the years 1 to 9999";
        }
        if (r.has("seq") && (!isLong(r.path("seq")) || r.path("seq").asLong() < 0
                || r.path("seq").asLong() > MAX_SEQ)) {
            return "bad_seq: 'seq' must be 0 to 4294967295";
        }
        if (r.has("flags")) {
            JsonNode flags = r.path("flags");
            if (!flags.isArray()) {
                return "bad_flags: 'flags' must be an array of strings";
            }
            for (JsonNode f : flags) {
                if (!f.isTextual() || !isWord(f.asText())) {
                    return "bad_flags: 'flags' must be an array of lower-case words";
                }
            }
        }
        if (!r.path("data").isObject()) {
            return "bad_data: 'data' must be a JSON object";
        }
        return storable(r.path("data"), 1);
    }

    /**
     * An id: 1-64 of A-Z a-z 0-9 . _ - (and : in a batch key). Checked by hand, as {@link #isWord}:
     * the regular expressions these were cost an eighth of the hub's CPU per reading
     * (deploy/bench.sh ingest, docs/benchmarks.md); BatchCodecFuzzTest holds them as its oracle.
     */
    static boolean isId(String s, boolean colon) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '_' || c == '-' || colon && c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Kinds and flags: future ones are accepted, but they must be plain words, 1-32 of a-z and _. */
    static boolean isWord(String s) {
        if (s.isEmpty() || s.length() > 32) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong();
    }

    /** Null when PostgreSQL's jsonb takes {@code node} as it is, else "reason: detail". */
    private static String storable(JsonNode node, int depth) {
        if (node.isContainerNode()) {
            if (depth > MAX_DATA_DEPTH) {
                return "too_deep: 'data' is nested more than " + MAX_DATA_DEPTH + " levels";
            }
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                String problem = text(field.getKey(), "key");
                if (problem == null) {
                    problem = storable(field.getValue(), depth + 1);
                }
                if (problem != null) {
                    return problem;
                }
            }
            if (node.isArray()) {
                for (JsonNode element : node) {
                    String problem = storable(element, depth + 1);
                    if (problem != null) {
                        return problem;
                    }
                }
            }
            return null;
        }
        if (node.isTextual()) {
            return text(node.textValue(), "string");
        }
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            return "not_finite: a number in 'data' is beyond the range of a double";
        }
        return null;
    }

    private static String text(String s, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return "nul_character: a " + what + " in 'data' holds U+0000, which PostgreSQL cannot store";
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "unpaired_surrogate: a " + what + " in 'data' holds an unpaired UTF-16 surrogate";
            }
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
