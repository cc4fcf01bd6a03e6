package org.communityguard.hub.incident.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.hub.incident.rules.Readings.event;
import static org.communityguard.hub.incident.rules.Readings.telemetry;

import org.communityguard.hub.incident.Candidate;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.IncidentType;
import org.junit.jupiter.api.Test;

class DoorAccessRulesTest {

    private final Readings.Run<DoorAccessRules.State> run = new Readings.Run<>(new DoorAccessRules());

    private Findings denied(long t, String subject) {
        return run.judge(event("door-b1-01", "door_access", t,
                "{\"event\": \"access\", \"result\": \"denied\", \"method\": \"card\", \"subject\": \"" + subject + "\"}"));
    }

    @Test
    void fiveDeniedAttemptsWithinAMinuteAreBruteForce() {
        for (int i = 0; i < 4; i++) {
            assertThat(denied(i * 1000L, "psn1:" + i).candidates()).isEmpty();
        }
        Findings fifth = denied(4000, "psn1:0");

        assertThat(fifth.candidates()).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo(IncidentType.BRUTE_FORCE);
            assertThat(c.details().path("denied_attempts").asInt()).isEqualTo(5);
            assertThat(c.details().path("distinct_subjects").asInt()).isEqualTo(4);
            assertThat(c.details().toString()).as("the incident names no subject").doesNotContain("psn1:");
        });
    }

    @Test
    void attemptsSpreadBeyondTheWindowAreNot() {
        for (int i = 0; i < 20; i++) {
            assertThat(denied(i * 20_000L, "psn1:x").candidates()).as("one every 20 s: 3 per minute").isEmpty();
        }
    }

    @Test
    void grantedAccessDoesNotCountAndQuietClearsIt() {
        for (int i = 0; i < 5; i++) {
            denied(i * 1000L, "psn1:x");
        }
        Findings granted = run.judge(event("door-b1-01", "door_access", 6000,
                "{\"event\": \"access\", \"result\": \"granted\", \"method\": \"card\", \"subject\": \"psn1:y\"}"));
        assertThat(granted.candidates()).isEmpty();
        assertThat(run.judge(telemetry("door-b1-01", "door_access", 70_000, "{\"door_open\": false}")).notes())
                .singleElement().satisfies(n -> assertThat(n.type()).isEqualTo(IncidentType.BRUTE_FORCE));
    }

    @Test
    void forcedDoorAndItsClosing() {
        Findings forced = run.judge(event("d", "door_access", 1000, "{\"event\": \"forced_open\"}"));
        assertThat(forced.candidates()).extracting(Candidate::type).containsExactly(IncidentType.DOOR_FORCED);
        assertThat(run.judge(telemetry("d", "door_access", 2000, "{\"door_open\": true, \"open_s\": 1}")).isEmpty()).isTrue();
        assertThat(run.judge(telemetry("d", "door_access", 3000, "{\"door_open\": false, \"open_s\": 0}")).notes())
                .singleElement().satisfies(n -> assertThat(n.type()).isEqualTo(IncidentType.DOOR_FORCED));
    }

    @Test
    void heldOpenByEventOrByTelemetryAgainstTheCommunityLimit() {
        assertThat(run.judge(event("d", "door_access", 1000, "{\"event\": \"held_open\", \"open_s\": 60}")).candidates())
                .as("the device's own limit is 60 s, the community's 120 s").isEmpty();
        assertThat(run.judge(event("d", "door_access", 2000, "{\"event\": \"held_open\", \"open_s\": 300}")).candidates())
                .extracting(Candidate::type).containsExactly(IncidentType.DOOR_HELD_OPEN);

        Readings.Run<DoorAccessRules.State> t = new Readings.Run<>(new DoorAccessRules());
        assertThat(t.judge(telemetry("d", "door_access", 1000, "{\"door_open\": true, \"open_s\": 119}")).candidates()).isEmpty();
        assertThat(t.judge(telemetry("d", "door_access", 2000, "{\"door_open\": true, \"open_s\": 120}")).candidates())
                .hasSize(1);
        assertThat(t.judge(telemetry("d", "door_access", 3000, "{\"door_open\": false, \"open_s\": 0}")).notes()).hasSize(1);
    }

    @Test
    void tamperIsADetectorTamper() {
        assertThat(run.judge(event("d", "door_access", 1, "{\"event\": \"tamper\"}")).candidates())
                .extracting(Candidate::type).containsExactly(IncidentType.DETECTOR_TAMPER);
    }
}
