package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.communityguard.edge.device.Messages.bytes;
import static org.communityguard.edge.device.Messages.json;
import static org.communityguard.edge.device.Messages.message;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReadingValidatorTest {

    private static final long RX = 1_763_764_800_200L;

    private final ReadingValidator validator = new ReadingValidator(Provisioning.none());

    private Checked<Reading> telemetry(ObjectNode message) {
        return validator.validate("dev-1", Kind.TELEMETRY, message, RX);
    }

    private Checked<Reading> event(String type, String data) {
        return validator.validate("dev-1", Kind.EVENT, message(type, data), RX);
    }

    private static RejectReason reason(Checked<Reading> checked) {
        assertThat(checked.isOk()).as("expected a rejection").isFalse();
        return checked.rejection().reason();
    }

    @Nested
    class TelemetryFields {

        /** The profile's telemetry table, transcribed again here so a typo in either copy shows. */
        @ParameterizedTest(name = "{0}.{1} in {2}..{3}")
        @CsvSource({
                "lamp_post,      dim_pct,                 0,    100",
                "lamp_post,      power_w,                 0,    2000",
                "lamp_post,      voltage_v,               0,    400",
                "lamp_post,      current_a,               0,    20",
                "lamp_post,      leakage_ma,              0,    1000",
                "lamp_post,      tilt_deg,                0,    90",
                "lamp_post,      lux,                     0,    200000",
                "manhole,        tilt_deg,                0,    90",
                "manhole,        water_below_cover_cm,    0,    1000",
                "manhole,        ch4_pct_lel,             0,    100",
                "manhole,        h2s_ppm,                 0,    500",
                "manhole,        battery_pct,             0,    100",
                "manhole,        rssi_dbm,                -140, 0",
                "smoke_detector, battery_pct,             0,    100",
                "smoke_detector, rssi_dbm,                -140, 0",
                "smoke_detector, smoke_obscuration_pct_m, 0,    100",
                "smoke_detector, temp_c,                  -40,  150",
                "door_access,    open_s,                  0,    86400",
        })
        void numberFieldAcceptsItsInclusiveRangeOnly(String type, String field, long min, long max) {
            assertThat(telemetry(message(type, "\"" + field + "\":" + min)).isOk()).as("min").isTrue();
            assertThat(telemetry(message(type, "\"" + field + "\":" + max)).isOk()).as("max").isTrue();
            assertThat(telemetry(message(type, "\"" + field + "\":" + (min + max) / 2.0)).isOk()).as("fraction").isTrue();
            assertThat(reason(telemetry(message(type, "\"" + field + "\":" + (min - 0.001))))).as("below").isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(telemetry(message(type, "\"" + field + "\":" + (max + 0.001))))).as("above").isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(telemetry(message(type, "\"" + field + "\":\"" + min + "\"")))).as("string").isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(telemetry(message(type, "\"" + field + "\":true")))).as("bool").isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(telemetry(message(type, "\"" + field + "\":null")))).as("null").isEqualTo(RejectReason.BAD_FIELD);
        }

        @ParameterizedTest(name = "{0}.{1} is a bool")
        @CsvSource({
                "lamp_post,      lamp_on",
                "lamp_post,      cabinet_open",
                "manhole,        cover_open",
                "smoke_detector, alarm",
                "smoke_detector, tamper",
                "door_access,    door_open",
                "door_access,    locked",
        })
        void boolFieldAcceptsTrueAndFalseOnly(String type, String field) {
            assertThat(telemetry(message(type, "\"" + field + "\":true")).isOk()).isTrue();
            assertThat(telemetry(message(type, "\"" + field + "\":false")).isOk()).isTrue();
            assertThat(reason(telemetry(message(type, "\"" + field + "\":1")))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(telemetry(message(type, "\"" + field + "\":\"true\"")))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(telemetry(message(type, "\"" + field + "\":{}")))).isEqualTo(RejectReason.BAD_FIELD);
        }

        @Test
        void tableHasExactlyTheProfilesFieldsPerType() {
            Map<DeviceType, Integer> expected = Map.of(
                    DeviceType.LAMP_POST, 9, DeviceType.MANHOLE, 7, DeviceType.SMOKE_DETECTOR, 6, DeviceType.DOOR_ACCESS, 3);
            expected.forEach((type, count) -> assertThat(DeviceProfile.V1.telemetryFields(type)).as(type.wireName()).hasSize(count));
        }

        @Test
        void diagnosticNamesTheFieldAndTheRange() {
            Checked<Reading> result = telemetry(message("lamp_post", "\"dim_pct\":120"));
            assertThat(result.rejection().detail()).isEqualTo("data.dim_pct: 120 is outside 0..100");
        }

        @Test
        void fieldOfAnotherTypeIsUnknownHereAndKept() {
            // battery_pct is a manhole/smoke field: a lamp-post's is just an unknown field.
            Reading reading = telemetry(message("lamp_post", "\"battery_pct\":500")).value();
            assertThat(reading.data().path("battery_pct").intValue()).isEqualTo(500);
        }

        @Test
        void unknownFieldsAreKeptUnchanged() {
            ObjectNode message = message("lamp_post",
                    "\"dim_pct\":80,\"vendor_fw\":\"2.4.1\",\"extra\":{\"nested\":[1,\"two\",null]},\"big\":123456789012345678901234567890");
            Reading reading = telemetry(message).value();
            assertThat(reading.data()).isEqualTo(json(
                    "{\"dim_pct\":80,\"vendor_fw\":\"2.4.1\",\"extra\":{\"nested\":[1,\"two\",null]},\"big\":123456789012345678901234567890}"));
        }

        @Test
        void emptyDataIsAValidTelemetryMessage() {
            assertThat(telemetry(message("manhole", "")).isOk()).isTrue();
        }

        @Test
        void integersAndFractionsAreBothNumbers() {
            assertThat(telemetry(message("lamp_post", "\"power_w\":61.5,\"dim_pct\":80")).isOk()).isTrue();
            assertThat(telemetry(message("lamp_post", "\"power_w\":6.15e1")).isOk()).isTrue();
            assertThat(reason(telemetry(message("lamp_post", "\"power_w\":2.0001e3")))).isEqualTo(RejectReason.BAD_FIELD);
        }
    }

    @Nested
    class Envelope {

        @Test
        void validMessageBecomesAReading() {
            Reading reading = telemetry(json("""
                    {"v": 1, "type": "smoke_detector", "ts": 1763764800123, "seq": 42,
                     "data": {"smoke_obscuration_pct_m": 0.4}}""")).value();

            assertThat(reading.deviceId()).isEqualTo("dev-1");
            assertThat(reading.type()).isEqualTo(DeviceType.SMOKE_DETECTOR);
            assertThat(reading.kind()).isEqualTo(Kind.TELEMETRY);
            assertThat(reading.receivedAt()).isEqualTo(RX);
            assertThat(reading.deviceTs()).isEqualTo(1_763_764_800_123L);
            assertThat(reading.seq()).isEqualTo(42L);
            assertThat(reading.flags()).containsExactly(Flag.UNPROVISIONED);
        }

        @Test
        void versionIsRequiredAndMustBeOne() {
            assertThat(reason(telemetry(json("{\"type\":\"manhole\",\"data\":{}}")))).isEqualTo(RejectReason.MISSING_FIELD);
            assertThat(reason(telemetry(json("{\"v\":2,\"type\":\"manhole\",\"data\":{}}")))).isEqualTo(RejectReason.BAD_VERSION);
            assertThat(reason(telemetry(json("{\"v\":\"1\",\"type\":\"manhole\",\"data\":{}}")))).isEqualTo(RejectReason.BAD_VERSION);
            assertThat(reason(telemetry(json("{\"v\":1.5,\"type\":\"manhole\",\"data\":{}}")))).isEqualTo(RejectReason.BAD_VERSION);
            assertThat(reason(telemetry(json("{\"v\":null,\"type\":\"manhole\",\"data\":{}}")))).isEqualTo(RejectReason.BAD_VERSION);
        }

        @Test
        void typeIsRequiredAndMustBeOneOfTheFour() {
            assertThat(reason(telemetry(json("{\"v\":1,\"data\":{}}")))).isEqualTo(RejectReason.MISSING_FIELD);
            assertThat(reason(telemetry(json("{\"v\":1,\"type\":\"toaster\",\"data\":{}}")))).isEqualTo(RejectReason.UNKNOWN_TYPE);
            assertThat(reason(telemetry(json("{\"v\":1,\"type\":\"Manhole\",\"data\":{}}")))).isEqualTo(RejectReason.UNKNOWN_TYPE);
            assertThat(reason(telemetry(json("{\"v\":1,\"type\":3,\"data\":{}}")))).isEqualTo(RejectReason.UNKNOWN_TYPE);
            assertThat(reason(telemetry(json("{\"v\":1,\"type\":\"gateway\",\"data\":{}}")))).isEqualTo(RejectReason.UNKNOWN_TYPE);
            for (DeviceType type : DeviceType.values()) {
                if (type == DeviceType.GATEWAY) {
                    continue;
                }
                assertThat(telemetry(message(type.wireName(), "")).value().type()).isEqualTo(type);
            }
        }

        @Test
        void dataIsRequiredAndMustBeAnObject() {
            assertThat(reason(telemetry(json("{\"v\":1,\"type\":\"manhole\"}")))).isEqualTo(RejectReason.MISSING_FIELD);
            assertThat(reason(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"data\":[]}")))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"data\":\"x\"}")))).isEqualTo(RejectReason.BAD_FIELD);
        }

        @Test
        void timestampIsOptionalEpochMillisecondsAsAnInteger() {
            assertThat(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"data\":{}}")).value().deviceTs()).isNull();
            assertThat(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"ts\":null,\"data\":{}}")).value().deviceTs()).isNull();
            assertThat(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"ts\":0,\"data\":{}}")).value().deviceTs()).isZero();
            for (String bad : new String[] {"1763764800123.5", "-1", "\"1763764800123\"", "true", "253402300800000"}) {
                assertThat(reason(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"ts\":" + bad + ",\"data\":{}}")))).as(bad)
                        .isEqualTo(RejectReason.BAD_FIELD);
            }
        }

        @Test
        void sequenceIsOptionalAndAnUnsigned32BitInteger() {
            assertThat(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"data\":{}}")).value().seq()).isNull();
            assertThat(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"seq\":0,\"data\":{}}")).value().seq()).isZero();
            assertThat(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"seq\":4294967295,\"data\":{}}")).value().seq()).isEqualTo(4_294_967_295L);
            for (String bad : new String[] {"-1", "4294967296", "1.5", "\"7\"", "99999999999999999999999"}) {
                assertThat(reason(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"seq\":" + bad + ",\"data\":{}}")))).as(bad)
                        .isEqualTo(RejectReason.BAD_FIELD);
            }
        }

        @Test
        void unknownTopLevelFieldsAreIgnored() {
            assertThat(telemetry(json("{\"v\":1,\"type\":\"manhole\",\"data\":{},\"fw\":\"1.0\"}")).isOk()).isTrue();
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "has space", "slash/inside", "plus+", "hash#", "tab\t", "ünïcode",
                "x12345678901234567890123456789012345678901234567890123456789012345"})
        void badDeviceIdsAreRejected(String id) {
            Checked<Reading> result = validator.validate(id, Kind.TELEMETRY, message("manhole", ""), RX);
            assertThat(reason(result)).isEqualTo(RejectReason.BAD_DEVICE_ID);
        }

        @Test
        void deviceIdOfAllowedCharactersUpTo64IsAccepted() {
            String id = "Az09._-" + "x".repeat(57);
            assertThat(id).hasSize(64);
            assertThat(validator.validate(id, Kind.TELEMETRY, message("manhole", ""), RX).isOk()).isTrue();
            assertThat(DeviceIds.isValid(null)).isFalse();
        }
    }

    @Nested
    class Events {

        @ParameterizedTest(name = "{0} sends {1}")
        @CsvSource(delimiter = '|', value = {
                "door_access    | \"event\":\"access\",\"result\":\"granted\",\"method\":\"card\",\"subject\":\"psn1:abc\"",
                "door_access    | \"event\":\"access\",\"result\":\"denied\"",
                "door_access    | \"event\":\"forced_open\"",
                "door_access    | \"event\":\"held_open\",\"open_s\":120",
                "door_access    | \"event\":\"held_open\"",
                "door_access    | \"event\":\"tamper\"",
                "smoke_detector | \"event\":\"tamper\"",
                "lamp_post      | \"event\":\"tamper\"",
                "smoke_detector | \"event\":\"alarm\",\"level\":\"pre_alarm\"",
                "smoke_detector | \"event\":\"alarm\",\"level\":\"alarm\"",
                "smoke_detector | \"event\":\"alarm\"",
                "smoke_detector | \"event\":\"alarm_cleared\"",
                "smoke_detector | \"event\":\"test\"",
                "smoke_detector | \"event\":\"fault\",\"code\":\"E42\"",
                "lamp_post      | \"event\":\"fault\",\"code\":\"driver\"",
                "manhole        | \"event\":\"fault\"",
                "manhole        | \"event\":\"cover_opened\"",
                "manhole        | \"event\":\"cover_closed\"",
                "lamp_post      | \"event\":\"command_ack\",\"id\":\"c-1\"",
                "manhole        | \"event\":\"command_ack\",\"id\":\"c-1\"",
                "smoke_detector | \"event\":\"command_ack\",\"id\":\"c-1\"",
                "door_access    | \"event\":\"command_ack\",\"id\":\"c-1\"",
        })
        void profileEventIsAccepted(String type, String data) {
            Checked<Reading> result = event(type, data);
            assertThat(result.isOk()).as(() -> String.valueOf(result.rejection())).isTrue();
            assertThat(result.value().kind()).isEqualTo(Kind.EVENT);
        }

        @ParameterizedTest(name = "{0} may not send {1}")
        @CsvSource({
                "lamp_post,      access",
                "lamp_post,      alarm",
                "lamp_post,      cover_opened",
                "manhole,        tamper",
                "manhole,        alarm",
                "smoke_detector, forced_open",
                "smoke_detector, cover_closed",
                "door_access,    fault",
                "door_access,    alarm_cleared",
                "door_access,    explode",
                "door_access,    ACCESS",
        })
        void eventOfAnotherTypeIsUnknown(String type, String eventName) {
            assertThat(reason(event(type, "\"event\":\"" + eventName + "\""))).isEqualTo(RejectReason.UNKNOWN_EVENT);
        }

        @Test
        void eventNameIsRequiredAndAString() {
            assertThat(reason(event("door_access", ""))).isEqualTo(RejectReason.MISSING_FIELD);
            assertThat(reason(event("door_access", "\"event\":7"))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(event("door_access", "\"event\":null"))).isEqualTo(RejectReason.BAD_FIELD);
        }

        @Test
        void extraFieldsOfEventsAreChecked() {
            assertThat(reason(event("door_access", "\"event\":\"access\""))).isEqualTo(RejectReason.MISSING_FIELD);
            assertThat(reason(event("door_access", "\"event\":\"access\",\"result\":\"maybe\""))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(event("door_access", "\"event\":\"access\",\"result\":\"granted\",\"method\":\"telepathy\"")))
                    .isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(event("door_access", "\"event\":\"access\",\"result\":\"granted\",\"subject\":1234")))
                    .isEqualTo(RejectReason.BAD_FIELD);
            for (String method : new String[] {"card", "face", "pin", "qr", "remote"}) {
                assertThat(event("door_access", "\"event\":\"access\",\"result\":\"granted\",\"method\":\"" + method + "\"").isOk())
                        .as(method).isTrue();
            }
            assertThat(reason(event("smoke_detector", "\"event\":\"alarm\",\"level\":\"fire\""))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(event("door_access", "\"event\":\"held_open\",\"open_s\":86401"))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(event("door_access", "\"event\":\"held_open\",\"open_s\":-1"))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(event("door_access", "\"event\":\"held_open\",\"open_s\":86400").isOk()).isTrue();
            assertThat(reason(event("manhole", "\"event\":\"fault\",\"code\":42"))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(reason(event("manhole", "\"event\":\"command_ack\""))).isEqualTo(RejectReason.MISSING_FIELD);
            assertThat(reason(event("manhole", "\"event\":\"command_ack\",\"id\":5"))).isEqualTo(RejectReason.BAD_FIELD);
        }

        /** A card number sent as a JSON number is refused, and the refusal does not repeat it. */
        @Test
        void aPersonalFieldOfTheWrongTypeIsRefusedWithoutItsValue() {
            Checked<Reading> numeric = event("door_access", "\"event\":\"access\",\"result\":\"granted\",\"subject\":9876543210");
            assertThat(numeric.rejection()).isEqualTo(Rejection.of(RejectReason.BAD_FIELD, "data.subject: must be a string, not a number"));
            Checked<Reading> object = event("door_access", "\"event\":\"access\",\"result\":\"granted\",\"subject\":{\"card\":\"C-55\"}");
            assertThat(object.rejection().detail()).isEqualTo("data.subject: must be a string, not an object");
        }

        @Test
        void telemetryFieldsInsideAnEventAreCheckedToo() {
            assertThat(reason(event("smoke_detector", "\"event\":\"alarm\",\"temp_c\":999"))).isEqualTo(RejectReason.BAD_FIELD);
            assertThat(event("smoke_detector", "\"event\":\"alarm\",\"temp_c\":57").isOk()).isTrue();
        }

        @Test
        void unknownFieldsOfEventsAreKept() {
            Reading reading = event("manhole", "\"event\":\"cover_opened\",\"angle\":12,\"note\":\"x\"").value();
            assertThat(reading.data()).isEqualTo(json("{\"event\":\"cover_opened\",\"angle\":12,\"note\":\"x\"}"));
        }
    }

    @Nested
    class Flags {

        @Test
        void deviceClockMoreThanFiveMinutesOffIsFlaggedAndBothTimesKept() {
            long limit = ReadingValidator.CLOCK_SKEW_LIMIT_MS;
            assertThat(limit).isEqualTo(300_000L);
            assertThat(withTs(RX - limit).flags()).doesNotContain(Flag.CLOCK_SKEW);
            assertThat(withTs(RX + limit).flags()).doesNotContain(Flag.CLOCK_SKEW);
            Reading behind = withTs(RX - limit - 1);
            assertThat(behind.flags()).contains(Flag.CLOCK_SKEW);
            assertThat(behind.deviceTs()).isEqualTo(RX - limit - 1);
            assertThat(behind.receivedAt()).isEqualTo(RX);
            assertThat(withTs(RX + limit + 1).flags()).contains(Flag.CLOCK_SKEW);
            assertThat(withTs(0).flags()).contains(Flag.CLOCK_SKEW);
        }

        @Test
        void noTimestampMeansNoSkew() {
            assertThat(telemetry(message("manhole", "")).value().flags()).doesNotContain(Flag.CLOCK_SKEW);
        }

        private Reading withTs(long ts) {
            return telemetry(json("{\"v\":1,\"type\":\"manhole\",\"ts\":" + ts + ",\"data\":{}}")).value();
        }

        @Test
        void provisionedDeviceIsNotFlaggedAndUnprovisionedIsAcceptedButFlagged() {
            ReadingValidator withSite = new ReadingValidator(Provisioning.of(Map.of("lamp-1", DeviceType.LAMP_POST)));

            Reading known = withSite.validate("lamp-1", Kind.TELEMETRY, message("lamp_post", "\"dim_pct\":5"), RX).value();
            Reading stranger = withSite.validate("lamp-9", Kind.TELEMETRY, message("lamp_post", "\"dim_pct\":5"), RX).value();

            assertThat(known.flags()).isEmpty();
            assertThat(stranger.flags()).containsExactly(Flag.UNPROVISIONED);
        }

        @Test
        void skewAndUnprovisionedTogether() {
            Reading reading = telemetry(json("{\"v\":1,\"type\":\"manhole\",\"ts\":1,\"data\":{}}")).value();
            assertThat(reading.flags()).containsExactlyInAnyOrder(Flag.CLOCK_SKEW, Flag.UNPROVISIONED);
        }

        @Test
        void provisionedDeviceClaimingAnotherTypeIsRejected() {
            ReadingValidator withSite = new ReadingValidator(Provisioning.of(Map.of("lamp-1", DeviceType.LAMP_POST)));
            Checked<Reading> result = withSite.validate("lamp-1", Kind.TELEMETRY, message("manhole", ""), RX);
            assertThat(reason(result)).isEqualTo(RejectReason.TYPE_MISMATCH);
            assertThat(result.rejection().detail()).contains("lamp_post").contains("manhole");
        }
    }

    @Nested
    class Status {

        @Test
        void onlineAndOfflineBecomeStatusReadings() {
            Reading online = validator.status("door-1", bytes("online"), DeviceType.DOOR_ACCESS, RX).value();
            Reading offline = validator.status("door-1", bytes("offline\n"), DeviceType.DOOR_ACCESS, RX).value();

            assertThat(online.kind()).isEqualTo(Kind.STATUS);
            assertThat(online.type()).isEqualTo(DeviceType.DOOR_ACCESS);
            assertThat(online.data()).isEqualTo(json("{\"status\":\"online\"}"));
            assertThat(online.deviceTs()).isNull();
            assertThat(online.seq()).isNull();
            assertThat(online.flags()).containsExactly(Flag.UNPROVISIONED);
            assertThat(offline.data()).isEqualTo(json("{\"status\":\"offline\"}"));
        }

        @Test
        void anythingElseIsRejected() {
            for (String bad : new String[] {"ONLINE", "on", "", "{\"status\":\"online\"}", "online offline"}) {
                assertThat(reason(validator.status("door-1", bytes(bad), DeviceType.DOOR_ACCESS, RX))).as(bad)
                        .isEqualTo(RejectReason.MALFORMED);
            }
            assertThat(reason(validator.status("door-1", new byte[] {(byte) 0xC3, 0x28}, DeviceType.DOOR_ACCESS, RX)))
                    .isEqualTo(RejectReason.MALFORMED);
        }

        @Test
        void typeComesFromProvisioningFirstThenTheLastReadingElseUnknown() {
            ReadingValidator withSite = new ReadingValidator(Provisioning.of(Map.of("lamp-1", DeviceType.LAMP_POST)));

            assertThat(withSite.status("lamp-1", bytes("online"), null, RX).value().type()).isEqualTo(DeviceType.LAMP_POST);
            assertThat(withSite.status("lamp-1", bytes("online"), null, RX).value().flags()).isEmpty();
            assertThat(withSite.status("x-1", bytes("online"), DeviceType.MANHOLE, RX).value().type()).isEqualTo(DeviceType.MANHOLE);
            assertThat(reason(withSite.status("x-1", bytes("online"), null, RX))).isEqualTo(RejectReason.UNKNOWN_TYPE);
        }

        @Test
        void badDeviceIdIsRejected() {
            assertThat(reason(validator.status("a b", bytes("online"), DeviceType.MANHOLE, RX))).isEqualTo(RejectReason.BAD_DEVICE_ID);
        }
    }
}
