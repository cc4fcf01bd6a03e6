package org.communityguard.hub.retention;

import java.time.Duration;
import java.util.Locale;
import org.communityguard.hub.config.HubSettings;
import org.communityguard.hub.config.Setting;

/**
 * The kinds of data kept for a time of their own (docs/retention.md), in the order a run
 * enforces them: incidents before personal data, so a report that goes with its incident is
 * counted once, with the incident.
 */
public enum DataClass {
    READINGS(HubSettings.RETENTION_READINGS),
    ROLLUPS(HubSettings.RETENTION_ROLLUPS),
    INCIDENTS(HubSettings.RETENTION_INCIDENTS),
    AUDIT(HubSettings.RETENTION_AUDIT),
    PERSONAL(HubSettings.RETENTION_PERSONAL);

    private final Setting<Duration> setting;

    DataClass(Setting<Duration> setting) {
        this.setting = setting;
    }

    public Setting<Duration> setting() {
        return setting;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
