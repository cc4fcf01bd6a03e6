package org.communityguard.hub.incident.rules;

import java.util.function.Supplier;
import org.communityguard.hub.incident.Findings;
import org.communityguard.hub.incident.threshold.ThresholdSet;
import org.communityguard.hub.ingest.IncomingReading;

/**
 * The incident rules of one device type. One instance judges every device of the type; what it
 * remembers per device is its {@link RuleState}. Called on an ingest writer thread, with the
 * device's state locked, for the device's telemetry and events in the order they were sent.
 * Status readings (online/offline) are judged by the detector itself, for every type alike.
 */
public abstract class DeviceRules<S extends RuleState> {

    private final String deviceType;
    private final Class<S> stateType;
    private final Supplier<S> newState;

    protected DeviceRules(String deviceType, Class<S> stateType, Supplier<S> newState) {
        this.deviceType = deviceType;
        this.stateType = stateType;
        this.newState = newState;
    }

    /** The device profile's type name, e.g. {@code smoke_detector}. */
    public final String deviceType() {
        return deviceType;
    }

    /** What the rules remember of a device not seen before. */
    public final S newState() {
        return newState.get();
    }

    /** Judges one telemetry or event reading; adds what it finds to {@code out}. */
    public final void evaluate(String gatewayId, IncomingReading r, ThresholdSet t, RuleState state, Findings out) {
        judge(gatewayId, r, t, stateType.cast(state), out);
    }

    protected abstract void judge(String gatewayId, IncomingReading r, ThresholdSet t, S state, Findings out);
}
