package org.communityguard.sim;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.communityguard.sim.device.Message;

/**
 * A reading the hub's database cannot store, as a faulty device firmware sends it: the device's
 * ordinary telemetry with one thing wrong ({@link Simulation#sendPoison}). The gateway must
 * refuse it with a reason (docs/devices.md, Rejections) and take everything around it.
 */
public enum Poison {
    /** A string holding U+0000, which PostgreSQL's {@code jsonb} refuses ({@code bad_text}). */
    NUL_IN_TEXT("bad_text"),
    /**
     * A number beyond any double: {@code 1E+400} in JSON, which reads as infinity; a CBOR
     * infinity ({@code bad_number}).
     */
    NON_FINITE_NUMBER("bad_number"),
    /** A device time after year 9999, which {@code timestamptz} cannot hold as sent ({@code bad_field}). */
    TIME_OUT_OF_RANGE("bad_field");

    /** The first millisecond of year 10000. */
    static final long OUT_OF_RANGE_TS = 253_402_300_800_000L;

    private final String expectedReason;

    Poison(String expectedReason) {
        this.expectedReason = expectedReason;
    }

    /** The gateway's reason for refusing it (the {@code error} of the MQTT error JSON). */
    public String expectedReason() {
        return expectedReason;
    }

    /** {@code telemetry} with this poison in it; seq and kind stay. */
    Message into(Message telemetry, boolean cbor) {
        Map<String, Object> data = new LinkedHashMap<>(telemetry.data());
        long ts = telemetry.ts();
        switch (this) {
            case NUL_IN_TEXT -> data.put("firmware", "2.1\u0000");
            case NON_FINITE_NUMBER -> data.put("calibration", cbor ? Double.POSITIVE_INFINITY : new BigDecimal("1E+400"));
            case TIME_OUT_OF_RANGE -> ts = OUT_OF_RANGE_TS;
        }
        return new Message(telemetry.deviceId(), telemetry.type(), telemetry.kind(), telemetry.seq(), ts, data);
    }
}
