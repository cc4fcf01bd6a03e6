package org.communityguard.hub.incident.rules;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.IncidentType;
import org.communityguard.hub.ingest.IncomingReading;

/** The steps every latched condition shares. */
final class Conditions {

    private Conditions() {
    }

    /**
     * Feeds one reading to a latch. Returns true when the rule should propose an incident: the
     * latch is raised and this reading is over the threshold. A clear adds the "sensor reports
     * normal" note with {@code normalMessage}.
     */
    static boolean latch(Latch latch, boolean over, boolean clear, int needed, IncidentType type, IncomingReading r,
                         String normalMessage, Findings out) {
        Latch.Change change = latch.update(over, clear, needed);
        if (change == Latch.Change.CLEARED) {
            out.note(Evidence.normal(type, r, normalMessage));
        }
        return over && latch.raised();
    }

    /** LOW_BATTERY with hysteresis: raised at or under {@code low}, cleared at or over {@code clear}. */
    static void battery(String gatewayId, IncomingReading r, Latch latch, double low, double clear, int debounce,
                        Findings out) {
        double battery = Fields.number(r.data(), "battery_pct");
        if (Double.isNaN(battery)) {
            return;
        }
        if (latch(latch, battery <= low, battery >= clear, debounce, IncidentType.LOW_BATTERY, r,
                "battery at " + Evidence.num(battery) + " %", out)) {
            ObjectNode details = Evidence.of(r, "battery at or under " + Evidence.num(low) + " %");
            details.put("battery_pct", battery);
            out.open(Evidence.candidate(IncidentType.LOW_BATTERY, gatewayId, r,
                    "Low battery: " + Evidence.num(battery) + " % at " + r.deviceId(), details));
        }
    }

    /** A device's own fault report: always an incident (the database keeps it to one open). */
    static void fault(String gatewayId, IncomingReading r, IncidentType type, String what, Findings out) {
        String code = Fields.text(r.data(), "code");
        ObjectNode details = Evidence.of(r, what + " reports a fault" + (code == null ? "" : ": " + code));
        out.open(Evidence.candidate(type, gatewayId, r,
                "Fault: " + what + " " + r.deviceId() + " reports " + (code == null ? "a fault" : "fault '" + code + "'"),
                details));
    }
}
