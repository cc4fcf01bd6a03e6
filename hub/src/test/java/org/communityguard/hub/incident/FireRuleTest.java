package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.communityguard.hub.ingest.IncomingReading;
import org.junit.jupiter.api.Test;

class FireRuleTest {

    private final FireRule rule = new FireRule(10.0);

    private static IncomingReading reading(String type, String kind, ObjectNode data) {
        return new IncomingReading("smoke-b1-01", type, kind, 1000L, 1000L, null, 1L, List.of(), data);
    }

    private static ObjectNode data() {
        return JsonNodeFactory.instance.objectNode();
    }

    private List<Candidate> evaluate(IncomingReading r) {
        List<Candidate> out = new ArrayList<>();
        rule.evaluate("gw-1", r, out);
        return out;
    }

    @Test
    void alarmEventIsAFire() {
        List<Candidate> out = evaluate(reading("smoke_detector", "event", data().put("event", "alarm").put("level", "alarm")));

        assertThat(out).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(IncidentType.FIRE);
            assertThat(c.severity()).isEqualTo(Severity.CRITICAL);
            assertThat(c.deviceId()).isEqualTo("smoke-b1-01");
            assertThat(c.gatewayId()).isEqualTo("gw-1");
            assertThat(c.occurredAt()).isEqualTo(1000L);
        });
    }

    @Test
    void telemetryAlarmFlagOrDenseSmokeIsAFire() {
        assertThat(evaluate(reading("smoke_detector", "telemetry", data().put("alarm", true)))).hasSize(1);
        assertThat(evaluate(reading("smoke_detector", "telemetry", data().put("smoke_obscuration_pct_m", 10.0)))).hasSize(1);
        assertThat(evaluate(reading("smoke_detector", "telemetry", data().put("smoke_obscuration_pct_m", 9.99)))).isEmpty();
    }

    @Test
    void testButtonPreAlarmAndOtherDevicesAreNotFires() {
        assertThat(evaluate(reading("smoke_detector", "event", data().put("event", "test")))).isEmpty();
        assertThat(evaluate(reading("smoke_detector", "event", data().put("event", "alarm").put("level", "pre_alarm")))).isEmpty();
        assertThat(evaluate(reading("smoke_detector", "telemetry", data().put("alarm", false)))).isEmpty();
        assertThat(evaluate(reading("lamp_post", "event", data().put("event", "alarm")))).isEmpty();
    }
}
