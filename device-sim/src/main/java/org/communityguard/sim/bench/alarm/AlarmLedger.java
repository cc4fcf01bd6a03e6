package org.communityguard.sim.bench.alarm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every alarm sent and every FIRE incident the live stream announced, matched by detector. Each
 * detector alarms once per run and has no incident before (the site's detectors start quiet, on a
 * fresh database), so the first {@code incident.opened} of its FIRE is the answer to its alarm:
 * <ul>
 *   <li><b>latency</b>: that event's arrival minus the alarm's send, both {@link System#nanoTime}
 *       of this JVM;</li>
 *   <li><b>lost</b>: no event within the timeout after the send (one that comes later is
 *       still lost, and named in the problems);</li>
 *   <li><b>duplicated</b>: every further {@code incident.opened} of the detector, another
 *       incident or the same one announced again: the console would show it twice.</li>
 *   <li><b>answer</b>: the edge agent's answer to the alarm (CoAP ACK: it is on the agent's
 *       disk) minus the send: the edge's share before the uplink.</li>
 * </ul>
 * Events of devices that sent no alarm are counted apart ({@link #unexpected}). Thread-safe: the
 * stream's reader and the sender call in at once.
 */
final class AlarmLedger {

    private record Sent(String level, long nanos) {
    }

    /**
     * Per level: alarms sent, answered in time, lost, duplicated, the latencies, the edge's answer
     * times, and what went wrong.
     */
    record Tally(int sent, int seen, int lost, int duplicated, List<Long> latencyNanos, List<Long> answerNanos,
                 List<String> problems) {
        Tally {
            latencyNanos = List.copyOf(latencyNanos);
            answerNanos = List.copyOf(answerNanos);
            problems = List.copyOf(problems);
        }
    }

    private final Map<String, Sent> sent = new LinkedHashMap<>();
    private final Map<String, List<Long>> opened = new HashMap<>();
    private final Map<String, Long> answered = new HashMap<>();
    private final List<String> unexpected = new ArrayList<>();

    synchronized void sent(String detector, String level, long nanos) {
        if (sent.putIfAbsent(detector, new Sent(level, nanos)) != null) {
            throw new IllegalStateException(detector + " alarmed twice in one run: its second alarm would open no incident");
        }
    }

    /** The edge agent acknowledged the detector's alarm at {@code nanos}. */
    synchronized void answered(String detector, long nanos) {
        answered.putIfAbsent(detector, nanos);
    }

    synchronized void opened(String device, long nanos) {
        if (!sent.containsKey(device)) {
            unexpected.add(device);
            return;
        }
        opened.computeIfAbsent(device, d -> new ArrayList<>()).add(nanos);
    }

    /** Whether every alarm of {@code level} has had its event. */
    synchronized boolean allSeen(String level) {
        return sent.entrySet().stream().filter(e -> e.getValue().level().equals(level))
                .allMatch(e -> opened.containsKey(e.getKey()));
    }

    /** FIRE incidents announced for devices that sent no alarm in this run. */
    synchronized List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    synchronized Tally tally(String level, long timeoutNanos) {
        int count = 0;
        int lost = 0;
        int duplicated = 0;
        List<Long> latencies = new ArrayList<>();
        List<Long> answers = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Sent> e : sent.entrySet()) {
            if (!e.getValue().level().equals(level)) {
                continue;
            }
            count++;
            Long answer = answered.get(e.getKey());
            if (answer != null) {
                answers.add(answer - e.getValue().nanos());
            }
            List<Long> events = opened.getOrDefault(e.getKey(), List.of());
            if (events.size() > 1) {
                duplicated += events.size() - 1;
                problems.add(e.getKey() + ": " + events.size() + " incident.opened events for one alarm");
            }
            long latency = events.isEmpty() ? Long.MAX_VALUE : events.get(0) - e.getValue().nanos();
            if (latency <= timeoutNanos) {
                latencies.add(latency);
            } else {
                lost++;
                problems.add(e.getKey() + ": " + (events.isEmpty() ? "no incident.opened event"
                        : "incident.opened only after " + latency / 1_000_000 + " ms, beyond the timeout"));
            }
        }
        return new Tally(count, latencies.size(), lost, duplicated, latencies, answers, problems);
    }
}
