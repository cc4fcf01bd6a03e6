package org.communityguard.hub.incident.rules;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.communityguard.hub.incident.Candidate;
import org.communityguard.hub.incident.IncidentType;
import org.communityguard.hub.incident.Note;
import org.communityguard.hub.incident.Severity;
import org.communityguard.hub.ingest.GatewayBinding;
import org.communityguard.hub.ingest.IncomingReading;

/**
 * Builds what rules report, with the reading as evidence: {@code kind}, {@code reading} (the
 * device's fields), {@code seq}, {@code reason} and any measured values the rule adds. Only
 * called when a rule fires, never per ordinary reading.
 */
public final class Evidence {

    private static final List<String> REGISTRY_FLAGS = List.of(GatewayBinding.UNPROVISIONED,
            GatewayBinding.FOREIGN_GATEWAY, GatewayBinding.FOREIGN_COMMUNITY);

    private Evidence() {
    }

    public static ObjectNode of(IncomingReading r, String reason) {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("reason", reason);
        return reading(details, r);
    }

    private static ObjectNode reading(ObjectNode details, IncomingReading r) {
        details.put("kind", r.kind());
        details.set("reading", r.data());
        if (r.seq() != null) {
            details.put("seq", r.seq());
        }
        // Where the device stands in the registry (ingest.GatewayBinding): someone must look into it.
        for (String flag : REGISTRY_FLAGS) {
            if (r.flags().contains(flag)) {
                details.put(flag, true);
            }
        }
        return details;
    }

    public static Candidate candidate(IncidentType type, String gatewayId, IncomingReading r, String summary,
                                      ObjectNode details) {
        return candidate(type, type.defaultSeverity(), gatewayId, r, summary, details);
    }

    public static Candidate candidate(IncidentType type, Severity severity, String gatewayId, IncomingReading r,
                                      String summary, ObjectNode details) {
        return new Candidate(type, severity, r.deviceId(), gatewayId, r.time(), summary, details);
    }

    /** A "sensor reports normal" note for the device's open incident of {@code type}. */
    public static Note normal(IncidentType type, IncomingReading r, String message) {
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("message", message);
        reading(details, r);
        return new Note(type, r.deviceId(), r.time(), Note.SENSOR_NORMAL, details);
    }

    /**
     * A measurement as evidence text: {@code 12.5}, never {@code 12.500000001}; one decimal,
     * rounded half up as {@code String.format("%.1f")} does. Not String.format itself: the rules
     * call this on every reading, and its parsing of the pattern was 17% of the hub's CPU in
     * bench.sh ingest.
     */
    public static String num(double value) {
        if (value == Math.rint(value)) {
            return Long.toString((long) value);
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return Double.toString(value);
        }
        // BigDecimal.valueOf takes the double's shortest decimal form, which Formatter rounds too.
        String text = BigDecimal.valueOf(value).setScale(1, RoundingMode.HALF_UP).toPlainString();
        return value < 0 && text.charAt(0) != '-' ? "-" + text : text;
    }
}
