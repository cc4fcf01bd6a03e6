package org.communityguard.hub.incident;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.communityguard.hub.ingest.IncomingReading;

/**
 * FIRE: a smoke detector's own alarm (event {@code alarm} at level {@code alarm}, or
 * {@code alarm: true} in telemetry), or smoke obscuration at or over the threshold. A
 * pre-alarm and a test-button press are not fires.
 */
public final class FireRule implements IncidentRule {

    private final double obscurationThreshold;

    public FireRule(double obscurationThresholdPctPerM) {
        this.obscurationThreshold = obscurationThresholdPctPerM;
    }

    @Override
    public void evaluate(String gatewayId, IncomingReading r, List<Candidate> out) {
        if (!"smoke_detector".equals(r.deviceType())) {
            return;
        }
        String why = null;
        if (r.isEvent("alarm") && "alarm".equals(r.data().path("level").asText("alarm"))) {
            why = "smoke detector alarm";
        } else if ("telemetry".equals(r.kind())) {
            if (r.data().path("alarm").asBoolean(false)) {
                why = "smoke detector reports alarm";
            } else if (r.data().path("smoke_obscuration_pct_m").asDouble(0) >= obscurationThreshold) {
                why = "smoke obscuration " + r.data().path("smoke_obscuration_pct_m").asDouble()
                        + " %/m at or over " + obscurationThreshold + " %/m";
            }
        }
        if (why == null) {
            return;
        }
        ObjectNode details = JsonNodeFactory.instance.objectNode();
        details.put("kind", r.kind());
        details.set("reading", r.data());
        if (r.seq() != null) {
            details.put("seq", r.seq());
        }
        out.add(new Candidate(IncidentType.FIRE, IncidentType.FIRE.defaultSeverity(), r.deviceId(), gatewayId,
                r.time(), "Fire: " + why + " at " + r.deviceId(), details));
    }
}
