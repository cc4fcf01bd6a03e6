package org.communityguard.sim.bench.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.communityguard.sim.Alarm;
import org.communityguard.sim.ledger.LedgerSnapshot;

/**
 * The alarm promise, counted. Each alarm comes from a smoke detector with no FIRE incident open
 * ({@link Alarms} uses every detector once per run, on a fresh database), and the detector stays
 * in alarm afterwards, so one incident at the hub answers for exactly one alarm:
 * <ul>
 *   <li><b>raised</b>: the hub holds a FIRE incident of that detector whose evidence is the
 *       alarm's reading or a later one of the same detector (its {@code details.seq} at or after
 *       the alarm's seq). A later one counts because a detector in alarm says so in every
 *       reading: if the alarm event itself never got through (the gateway was down when it was
 *       sent), the next reading must raise the fire.</li>
 *   <li><b>delay</b>: the incident's {@code opened_at} (the hub's commit, on the database's
 *       clock) minus the alarm's send time (the device's clock; both are this machine's).</li>
 *   <li><b>lost</b>: sent and not raised by the end of the run.</li>
 *   <li><b>duplicated</b>: FIRE incidents of the detector beyond that one (nothing closes them
 *       during a run, so there must be none).</li>
 * </ul>
 */
public final class AlarmAudit {

    private AlarmAudit() {
    }

    /**
     * @param acknowledged the gateway acknowledged the alarm's own message (ledger)
     * @param byLaterReading raised by a reading after the alarm's own message
     * @param delayMaxMs     the longest delay of the alarms raised, 0 when none was
     */
    public record Tally(int sent, int acknowledged, int raised, int byLaterReading, int lost, int duplicated,
                        long delayMaxMs, List<String> problems) {

        public Tally {
            problems = List.copyOf(problems);
        }

        public boolean clean() {
            return lost == 0 && duplicated == 0;
        }
    }

    public static Tally audit(Connection c, List<Alarm> alarms, LedgerSnapshot ledger) throws SQLException {
        int acknowledged = 0;
        int raised = 0;
        int later = 0;
        int duplicated = 0;
        long delayMax = 0;
        List<String> problems = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, (extract(epoch FROM opened_at) * 1000)::bigint,"
                + " (details->>'seq')::bigint FROM incidents WHERE type = 'FIRE' AND device_id = ? ORDER BY opened_at, id")) {
            for (Alarm alarm : alarms) {
                if (ledger.acknowledged(alarm.deviceId()).contains(alarm.seq())) {
                    acknowledged++;
                }
                ps.setString(1, alarm.deviceId());
                List<long[]> fires = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long seq = rs.getLong(3);
                        if (!rs.wasNull() && seq >= alarm.seq()) {
                            fires.add(new long[] {rs.getLong(1), rs.getLong(2), seq});
                        }
                    }
                }
                if (fires.isEmpty()) {
                    problems.add(alarm.deviceId() + ": alarm seq " + alarm.seq() + " raised no FIRE incident");
                    continue;
                }
                long[] first = fires.get(0);
                raised++;
                if (first[2] != alarm.seq()) {
                    later++;
                }
                delayMax = Math.max(delayMax, first[1] - alarm.sentAtMillis());
                if (fires.size() > 1) {
                    duplicated += fires.size() - 1;
                    problems.add(alarm.deviceId() + ": alarm seq " + alarm.seq() + " has " + fires.size() + " FIRE incidents");
                }
            }
        }
        return new Tally(alarms.size(), acknowledged, raised, later, alarms.size() - raised, duplicated, delayMax, problems);
    }
}
