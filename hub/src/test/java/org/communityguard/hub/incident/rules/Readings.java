package org.communityguard.hub.incident.rules;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.ingest.IncomingReading;

/** Readings for rule tests, written as the JSON a device sends. */
public final class Readings {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Readings() {
    }

    public static ObjectNode json(String text) {
        try {
            return (ObjectNode) JSON.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A telemetry reading at {@code timeMs} (device time and receive time alike). */
    public static IncomingReading telemetry(String device, String type, long timeMs, String data) {
        return new IncomingReading(device, type, "telemetry", timeMs, timeMs, timeMs, timeMs / 1000, List.of(), json(data));
    }

    public static IncomingReading event(String device, String type, long timeMs, String data) {
        return new IncomingReading(device, type, "event", timeMs, timeMs, timeMs, timeMs / 1000, List.of(), json(data));
    }

    public static IncomingReading status(String device, String type, long timeMs, String data) {
        return new IncomingReading(device, type, "status", timeMs, timeMs, null, null, List.of(), json(data));
    }

    /** Runs one rule set over readings with one state, as the detector does. */
    public static final class Run<S extends RuleState> {
        private final DeviceRules<S> rules;
        private final S state;
        private final ThresholdSet thresholds;

        public Run(DeviceRules<S> rules, ThresholdSet thresholds) {
            this.rules = rules;
            this.state = rules.newState();
            this.thresholds = thresholds;
        }

        public Run(DeviceRules<S> rules) {
            this(rules, ThresholdSet.DEFAULTS);
        }

        public Findings judge(IncomingReading r) {
            Findings out = new Findings();
            rules.evaluate("gw-1", r, thresholds, state, out);
            return out;
        }

        public S state() {
            return state;
        }
    }
}
