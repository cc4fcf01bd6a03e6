package org.communityguard.hub.incident;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.communityguard.hub.HubFixture;
import org.communityguard.hub.audit.AuditLog;
import org.communityguard.hub.escalation.Deadlines;
import org.communityguard.hub.escalation.SlaPolicies;
import org.communityguard.hub.escalation.Step;
import org.communityguard.hub.incident.threshold.Thresholds;
import org.communityguard.testkit.RealServers;
import org.communityguard.testkit.TimescaleDb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The recorder on the hub's database: what the listener (dispatch, resident notification) is told, and when. */
@ExtendWith(RealServers.class)
class IncidentRecorderIT {

    private static Candidate fire(String device, long at) {
        return new Candidate(IncidentType.FIRE, Severity.CRITICAL, device, HubFixture.GATEWAY, at,
                "Fire: smoke detector alarm at " + device, JsonNodeFactory.instance.objectNode().put("reason", "test"));
    }

    @Test
    void theListenerHearsOfOpenedIncidentsAndOfTheConfirmationOnlyAfterCommit(TimescaleDb timescale) throws Exception {
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of())) {
            Thresholds thresholds = new Thresholds(hub.database().dataSource(), new AuditLog(Hub.jsonMapper()));
            thresholds.reload();
            IncidentRecorder recorder = new IncidentRecorder(new IncidentStore(Hub.jsonMapper()), thresholds,
                    Hub.jsonMapper(), new SimpleMeterRegistry());
            List<IncidentStore.Opened> opened = new ArrayList<>();
            List<FireConfirmation> confirmed = new ArrayList<>();
            IncidentListener listener = new IncidentListener() {
                @Override
                public void opened(List<IncidentStore.Opened> incidents) {
                    opened.addAll(incidents);
                }

                @Override
                public void fireConfirmed(List<FireConfirmation> confirmations) {
                    confirmed.addAll(confirmations);
                }
            };
            long now = System.currentTimeMillis();

            IncidentRecorder.Recorded first = record(hub, recorder, fire("smoke-b2-01", now));
            recorder.announce(first, listener);
            assertThat(opened).extracting(IncidentStore.Opened::deviceId).containsExactly("smoke-b2-01");
            assertThat(confirmed).isEmpty();

            IncidentRecorder.Recorded rolledBack;
            try (Connection c = hub.database().dataSource().getConnection()) {
                c.setAutoCommit(false);
                Findings f = new Findings();
                f.open(fire("smoke-b2-02", now + 1000));
                rolledBack = recorder.record(c, f);
                c.rollback();
            }
            assertThat(rolledBack.confirmations()).as("confirmed inside the transaction").hasSize(1);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incident_groups WHERE confirmed_at IS NOT NULL"))
                    .as("and gone with its rollback").isZero();

            IncidentRecorder.Recorded second = record(hub, recorder, fire("smoke-b2-02", now + 1000));
            recorder.announce(second, listener);
            assertThat(confirmed).singleElement().satisfies(f -> {
                assertThat(f.buildingId()).isEqualTo("B2");
                assertThat(f.communityId()).isEqualTo("sunny-garden");
                assertThat(f.detectorIds()).containsExactly("smoke-b2-01", "smoke-b2-02");
                assertThat(f.fireIncidentIds()).hasSize(2);
                assertThat(f.newlyConfirmed()).isTrue();
            });

            confirmed.clear();
            recorder.announce(record(hub, recorder, fire("smoke-b2-03", now + 2000)), listener);
            assertThat(confirmed).singleElement().satisfies(f -> {
                assertThat(f.newlyConfirmed()).as("a third detector joins a confirmed fire").isFalse();
                assertThat(f.fireIncidentIds()).hasSize(3);
            });
            recorder.announce(record(hub, recorder, fire("smoke-b2-03", now + 3000)), listener);
            assertThat(confirmed).as("an already open fire changes nothing").hasSize(1);
        }
    }

    @Test
    void anIncidentRaisedByAConfirmedFireAnswersToTheCriticalSlaAtOnce(TimescaleDb timescale) throws Exception {
        try (Hub hub = HubFixture.start(timescale.createDatabase(), Map.of())) {
            Thresholds thresholds = new Thresholds(hub.database().dataSource(), new AuditLog(Hub.jsonMapper()));
            thresholds.reload();
            IncidentRecorder recorder = new IncidentRecorder(new IncidentStore(Hub.jsonMapper()), thresholds,
                    Hub.jsonMapper(), new SimpleMeterRegistry());
            long now = System.currentTimeMillis();
            // A major detector fault in B2, dispatched: its deadlines follow the major SLA (15 min, 1 h, 8 h).
            record(hub, recorder, new Candidate(IncidentType.DETECTOR_FAULT, Severity.MAJOR, "smoke-b2-04",
                    HubFixture.GATEWAY, now, "Detector fault at smoke-b2-04", JsonNodeFactory.instance.objectNode()));
            long fault = HubFixture.count(hub, "SELECT id FROM incidents WHERE type = 'DETECTOR_FAULT'");
            try (Connection c = hub.database().dataSource().getConnection()) {
                new Deadlines(new SlaPolicies()).armIfAbsent(c, fault, "major");
                new Deadlines(new SlaPolicies()).meet(c, fault, List.of(Step.ACKNOWLEDGE));
            }
            assertThat(periods(hub, fault)).containsExactly(900L, 3600L, 28800L);

            // Two detectors of B2 alarm: a confirmed fire, and the fault becomes critical.
            record(hub, recorder, fire("smoke-b2-01", now + 1000));
            record(hub, recorder, fire("smoke-b2-02", now + 2000));
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incidents WHERE id = " + fault + " AND severity = 'critical'"))
                    .isOne();
            // The met step stays as it was; the others now follow the critical SLA (15 min, 2 h), from the opening.
            assertThat(periods(hub, fault)).containsExactly(900L, 900L, 7200L);
            assertThat(HubFixture.count(hub, "SELECT count(*) FROM incident_deadlines d JOIN incidents i ON i.id = d.incident_id"
                    + " WHERE d.incident_id = " + fault + " AND d.step <> 'acknowledge'"
                    + " AND d.due_at = i.opened_at + d.period_s * interval '1 second' AND d.next_at = d.due_at")).isEqualTo(2);
        }
    }

    private static List<Long> periods(Hub hub, long incident) throws Exception {
        List<Long> out = new ArrayList<>();
        try (Connection c = hub.database().dataSource().getConnection();
             var rs = c.createStatement().executeQuery("SELECT period_s FROM incident_deadlines WHERE incident_id = "
                     + incident + " ORDER BY CASE step WHEN 'acknowledge' THEN 0 WHEN 'on_site' THEN 1 ELSE 2 END")) {
            while (rs.next()) {
                out.add(rs.getLong(1));
            }
        }
        return out;
    }

    private static IncidentRecorder.Recorded record(Hub hub, IncidentRecorder recorder, Candidate k) throws Exception {
        try (Connection c = hub.database().dataSource().getConnection()) {
            c.setAutoCommit(false);
            Findings f = new Findings();
            f.open(k);
            IncidentRecorder.Recorded r = recorder.record(c, f);
            c.commit();
            return r;
        }
    }
}
