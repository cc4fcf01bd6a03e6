package org.communityguard.sim.bench.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.communityguard.sim.Poison;
import org.communityguard.sim.device.Message;
import org.communityguard.sim.ledger.LedgerSnapshot;

/**
 * Poison readings, counted: each one the gateway must refuse with a reason, not store and not
 * drop in silence. A CoAP device is told by its answer (4.00, in the ledger as rejected); an MQTT
 * device gets the broker's PUBACK first and the gateway's refusal afterwards on
 * {@code devices/{id}/error}, which carries no seq: so per MQTT device, as many refusals with a
 * poison reason as it sent poison readings count them refused.
 */
public final class PoisonAudit {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PoisonAudit() {
    }

    /** A poison reading as sent. */
    public record Sent(Poison poison, Message message) {
    }

    /**
     * @param sent     poison readings sent
     * @param refused  refused with a reason (CoAP 4.xx, or an error JSON naming a poison reason)
     * @param stored   stored at the hub after all (not refused: it did not poison anything)
     * @param lost     acknowledged (by the broker or the agent), neither refused nor stored: dropped in silence
     * @param reasons  how many refusals gave each reason
     * @param problems the first few lost ones
     */
    public record Tally(long sent, long refused, long stored, long lost, Map<String, Long> reasons, List<String> problems) {

        public Tally {
            reasons = Map.copyOf(reasons);
            problems = List.copyOf(problems);
        }
    }

    /** What {@link ReadingAudit} leaves out: the poison readings, by ledger key. */
    public static ReadingAudit.Allowances allowances(List<Sent> sent, LedgerSnapshot ledger,
                                                     Map<String, Set<Long>> brokerWindow) {
        Map<String, Set<Long>> refused = new TreeMap<>();
        for (Sent s : sent) {
            refused.computeIfAbsent(key(ledger, s.message()), k -> new TreeSet<>()).add(s.message().seq());
        }
        return new ReadingAudit.Allowances(refused, brokerWindow);
    }

    /** {@code gatewayErrors}: per device id, the payloads of its error topic (Simulation.gatewayErrors). */
    public static Tally audit(Connection c, List<Sent> sent, LedgerSnapshot ledger,
                              Function<String, List<String>> gatewayErrors) throws SQLException {
        Map<String, List<Sent>> byDevice = new LinkedHashMap<>();
        sent.forEach(s -> byDevice.computeIfAbsent(s.message().deviceId(), k -> new ArrayList<>()).add(s));
        long refused = 0;
        long stored = 0;
        long lost = 0;
        Map<String, Long> reasons = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM readings WHERE device_id = ? AND seq = ?")) {
            for (Map.Entry<String, List<Sent>> device : byDevice.entrySet()) {
                // Error messages with a poison reason not yet matched to a poison reading of this device.
                List<String> errorReasons = new ArrayList<>();
                for (String payload : gatewayErrors.apply(device.getKey())) {
                    String reason = reason(payload);
                    if (isPoisonReason(reason)) {
                        errorReasons.add(reason);
                    }
                }
                for (Sent s : device.getValue()) {
                    Message m = s.message();
                    String key = key(ledger, m);
                    String coapCode = ledger.rejected().getOrDefault(key, new TreeMap<>()).get(m.seq());
                    ps.setString(1, m.deviceId());
                    ps.setLong(2, m.seq());
                    long rows;
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        rows = rs.getLong(1);
                    }
                    if (coapCode != null) {
                        refused++;
                        reasons.merge("CoAP " + coapCode, 1L, Long::sum);
                    } else if (rows > 0) {
                        stored++;
                    } else if (ledger.acknowledged(key).contains(m.seq()) && !errorReasons.isEmpty()) {
                        refused++;
                        reasons.merge(errorReasons.remove(0), 1L, Long::sum);
                    } else if (ledger.acknowledged(key).contains(m.seq())) {
                        lost++;
                        if (problems.size() < ReadingAudit.Tally.PROBLEMS_KEPT) {
                            problems.add(m.deviceId() + " seq " + m.seq() + " (" + s.poison() + ") acknowledged,"
                                    + " neither refused nor stored");
                        }
                    }
                }
            }
        }
        return new Tally(sent.size(), refused, stored, lost, reasons, problems);
    }

    private static String key(LedgerSnapshot ledger, Message m) {
        return ledger.keyOf(m.deviceId(), m.ts());
    }

    private static boolean isPoisonReason(String reason) {
        for (Poison p : Poison.values()) {
            if (p.expectedReason().equals(reason)) {
                return true;
            }
        }
        return false;
    }

    private static String reason(String payload) {
        try {
            JsonNode error = JSON.readTree(payload).path("error");
            return error.isTextual() ? error.asText() : "";
        } catch (IOException e) {
            return "";
        }
    }
}
