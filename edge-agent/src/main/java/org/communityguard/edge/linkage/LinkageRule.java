package org.communityguard.edge.linkage;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.communityguard.edge.device.DeviceCommand;
import org.communityguard.edge.device.DeviceProfile;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;

/**
 * One linkage rule of the site file (docs/site-file.md, {@code linkage:}): when a device of
 * {@code triggerType} reports the event {@code triggerEvent} (and every field of {@code where}
 * has the given value, or is absent where the device profile says absence means that value),
 * send {@code actions} to the devices of the trigger's building.
 *
 * @param cooldown a rule fires at most once per building within this time: three detectors
 *                 alarming in one fire release the doors once, not three times
 */
public record LinkageRule(String name, DeviceType triggerType, String triggerEvent, Map<String, String> where,
                          List<Action> actions, Duration cooldown) {

    /** Send {@code command} to every device of {@code targetType} in the building. */
    public record Action(DeviceType targetType, DeviceCommand command) {
    }

    public LinkageRule {
        where = Map.copyOf(where);
        actions = List.copyOf(actions);
    }

    public boolean matches(Reading r) {
        if (r.kind() != Kind.EVENT || r.type() != triggerType || !triggerEvent.equals(r.data().path("event").asText(null))) {
            return false;
        }
        for (Map.Entry<String, String> field : where.entrySet()) {
            // Read as the profile reads it: an alarm that leaves out its level is an alarm.
            if (!field.getValue().equals(DeviceProfile.V1.eventField(r.type(), r.data(), field.getKey()))) {
                return false;
            }
        }
        return true;
    }
}
