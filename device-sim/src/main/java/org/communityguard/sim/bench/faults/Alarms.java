package org.communityguard.sim.bench.faults;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.communityguard.sim.Alarm;
import org.communityguard.sim.Simulation;
import org.communityguard.sim.site.DeviceType;
import org.communityguard.sim.site.SiteDevice;

/**
 * Alarms during a fault run, each from a smoke detector that has not alarmed yet in the run (so
 * none has a FIRE incident open at the hub, see {@link AlarmAudit}), in an order drawn from the
 * run's seed. Thread-safe.
 */
public final class Alarms {

    private final Simulation simulation;
    private final Deque<String> unused;
    private final List<Alarm> sent = new ArrayList<>();

    public Alarms(Simulation simulation, long seed) {
        this.simulation = simulation;
        List<String> simulated = simulation.deviceIds();
        List<String> detectors = new ArrayList<>(simulation.config().site().devices().stream()
                .filter(d -> d.type() == DeviceType.SMOKE_DETECTOR && simulated.contains(d.id()))
                .map(SiteDevice::id)
                .toList());
        Collections.shuffle(detectors, new Random(seed));
        this.unused = new ArrayDeque<>(detectors);
    }

    /** Raises the next alarm; empty when every detector has alarmed already. */
    public synchronized Optional<Alarm> raise() {
        String detector = unused.poll();
        if (detector == null) {
            return Optional.empty();
        }
        Alarm alarm = simulation.raiseAlarm(detector);
        sent.add(alarm);
        return Optional.of(alarm);
    }

    /** How many alarms can still be raised. */
    public synchronized int left() {
        return unused.size();
    }

    public synchronized List<Alarm> sent() {
        return List.copyOf(sent);
    }
}
