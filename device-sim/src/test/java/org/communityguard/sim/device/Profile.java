package org.communityguard.sim.device;

import org.communityguard.sim.site.DeviceType;

import java.util.Map;

/** The telemetry fields of the reference device profile v1 (docs/devices.md), per type. */
final class Profile {

    /** A field's JSON type and physical range; {@code isBool} fields have no range. */
    record Field(boolean isBool, double min, double max) {
        static Field bool() {
            return new Field(true, 0, 0);
        }

        static Field number(double min, double max) {
            return new Field(false, min, max);
        }
    }

    static final Map<DeviceType, Map<String, Field>> TELEMETRY = Map.of(
            DeviceType.LAMP_POST, Map.of(
                    "lamp_on", Field.bool(),
                    "dim_pct", Field.number(0, 100),
                    "power_w", Field.number(0, 2000),
                    "voltage_v", Field.number(0, 400),
                    "current_a", Field.number(0, 20),
                    "leakage_ma", Field.number(0, 1000),
                    "tilt_deg", Field.number(0, 90),
                    "lux", Field.number(0, 200_000),
                    "cabinet_open", Field.bool()),
            DeviceType.MANHOLE, Map.of(
                    "cover_open", Field.bool(),
                    "tilt_deg", Field.number(0, 90),
                    "water_below_cover_cm", Field.number(0, 1000),
                    "ch4_pct_lel", Field.number(0, 100),
                    "h2s_ppm", Field.number(0, 500),
                    "battery_pct", Field.number(0, 100),
                    "rssi_dbm", Field.number(-140, 0)),
            DeviceType.SMOKE_DETECTOR, Map.of(
                    "smoke_obscuration_pct_m", Field.number(0, 100),
                    "temp_c", Field.number(-40, 150),
                    "alarm", Field.bool(),
                    "tamper", Field.bool(),
                    "battery_pct", Field.number(0, 100),
                    "rssi_dbm", Field.number(-140, 0)),
            DeviceType.DOOR_ACCESS, Map.of(
                    "door_open", Field.bool(),
                    "locked", Field.bool(),
                    "open_s", Field.number(0, 86_400)));

    private Profile() {
    }
}
