package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.communityguard.hub.Hub;
import org.junit.jupiter.api.Test;

/** Which readings a gateway may bring, judged against a registry held in memory; no database. */
class GatewayBindingTest {

    /** Gateways A and B of community north, gateway S of community south, gateway X of none. */
    private static final GatewayBinding.Registry REGISTRY = new GatewayBinding.Registry(
            Map.of("smoke-a", new GatewayBinding.Device("gw-a", "north"),
                    "lamp-a", new GatewayBinding.Device("gw-a", "north"),
                    "smoke-b", new GatewayBinding.Device("gw-b", "north"),
                    "lamp-b", new GatewayBinding.Device("gw-b", "north"),
                    "smoke-s", new GatewayBinding.Device("gw-s", "south")),
            Map.of("gw-a", "north", "gw-b", "north", "gw-s", "south"));

    private final BatchCodec codec = new BatchCodec(Hub.jsonMapper());

    private UplinkBatch decode(String gateway, String... readings) {
        String json = "{\"v\": 1, \"gateway\": \"" + gateway + "\", \"batch\": \"b-1\", \"readings\": ["
                + String.join(",", readings) + "]}";
        return ((BatchCodec.Decoded) codec.decode(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)))).batch();
    }

    private static String reading(String device, String type, String kind, String data) {
        return "{\"device\": \"" + device + "\", \"type\": \"" + type + "\", \"kind\": \"" + kind + "\", \"rx\": 1000,"
                + " \"data\": " + data + "}";
    }

    @Test
    void aGatewaysOwnDevicesPassUntouched() {
        UplinkBatch batch = decode("gw-a",
                reading("smoke-a", "smoke_detector", "telemetry", "{\"battery_pct\": 90}"),
                reading("lamp-a", "lamp_post", "event", "{\"event\": \"tamper\"}"),
                reading("gw-a", "gateway", "telemetry", "{\"cpu_pct\": 3}"));

        GatewayBinding.Checked checked = GatewayBinding.check(REGISTRY, batch);

        assertThat(checked.batch()).as("nothing to change: the same batch").isSameAs(batch);
        assertThat(checked.foreignAlarms()).isEmpty();
    }

    @Test
    void anotherGatewaysTelemetryIsRefusedAtItsIndexAndItsAlarmsKeptFlagged() {
        UplinkBatch batch = decode("gw-a",
                reading("smoke-a", "smoke_detector", "telemetry", "{\"battery_pct\": 90}"),
                reading("bad id!", "lamp_post", "telemetry", "{}"),
                reading("lamp-b", "lamp_post", "telemetry", "{\"lamp_on\": true}"),
                reading("smoke-b", "smoke_detector", "event", "{\"event\": \"alarm\", \"level\": \"alarm\"}"),
                reading("smoke-b", "smoke_detector", "telemetry", "{\"alarm\": true, \"battery_pct\": 80}"),
                reading("smoke-b", "smoke_detector", "telemetry", "{\"alarm\": false, \"smoke_obscuration_pct_m\": 9}"),
                reading("smoke-b", "smoke_detector", "status", "{\"status\": \"offline\"}"),
                reading("smoke-b", "smoke_detector", "event", "{\"event\": \"alarm_cleared\"}"),
                reading("lamp-a", "lamp_post", "telemetry", "{\"lamp_on\": false}"));
        assertThat(batch.rejected()).extracting(UplinkBatch.Rejected::index).as("the codec's").containsExactly(1);

        GatewayBinding.Checked checked = GatewayBinding.check(REGISTRY, batch);

        UplinkBatch out = checked.batch();
        assertThat(out.rejected()).extracting(UplinkBatch.Rejected::index).containsExactly(1, 2, 5, 6, 7);
        assertThat(out.rejected()).extracting(UplinkBatch.Rejected::reason).containsExactly("bad_device_id",
                GatewayBinding.OTHER_GATEWAY, GatewayBinding.OTHER_GATEWAY, GatewayBinding.OTHER_GATEWAY,
                GatewayBinding.OTHER_GATEWAY);
        assertThat(out.rejected().get(1).detail()).isEqualTo("device lamp-b is registered to gateway gw-b, not to gw-a");
        assertThat(out.readings()).extracting(IncomingReading::deviceId)
                .containsExactly("smoke-a", "smoke-b", "smoke-b", "lamp-a");
        assertThat(out.readings().get(0).flags()).isEmpty();
        assertThat(out.readings().get(1).flags()).as("the alarm event").containsExactly(GatewayBinding.FOREIGN_GATEWAY);
        assertThat(out.readings().get(2).flags()).as("the detector's own alarm verdict")
                .containsExactly(GatewayBinding.FOREIGN_GATEWAY);
        assertThat(out.indexOf(3)).as("positions still map to the gateway's indexes").isEqualTo(8);
        assertThat(checked.foreignAlarms()).extracting(UplinkBatch.Rejected::index).containsExactly(3, 4);
    }

    @Test
    void anotherCommunitysDeviceIsNamedAsSuchAndAGatewayOfNoCommunityIsAnotherGateway() {
        GatewayBinding.Checked south = GatewayBinding.check(REGISTRY, decode("gw-s",
                reading("lamp-a", "lamp_post", "telemetry", "{\"lamp_on\": true}"),
                reading("smoke-a", "smoke_detector", "event", "{\"event\": \"alarm\"}")));
        assertThat(south.batch().rejected()).extracting(UplinkBatch.Rejected::reason)
                .containsExactly(GatewayBinding.OTHER_COMMUNITY);
        assertThat(south.batch().rejected().get(0).detail())
                .isEqualTo("device lamp-a is registered in community north, not in south of gateway gw-s");
        assertThat(south.batch().readings().get(0).flags()).containsExactly(GatewayBinding.FOREIGN_COMMUNITY);
        assertThat(south.foreignAlarms()).extracting(UplinkBatch.Rejected::reason)
                .containsExactly(GatewayBinding.OTHER_COMMUNITY);

        GatewayBinding.Checked none = GatewayBinding.check(REGISTRY, decode("gw-x",
                reading("smoke-s", "smoke_detector", "telemetry", "{\"battery_pct\": 90}")));
        assertThat(none.batch().rejected()).extracting(UplinkBatch.Rejected::reason)
                .containsExactly(GatewayBinding.OTHER_GATEWAY);
        assertThat(none.batch().readings()).isEmpty();
    }

    @Test
    void aDeviceInNoRegistryIsKeptAndFlaggedOnceWhateverItsGatewaySaid() {
        UplinkBatch batch = decode("gw-a",
                "{\"device\": \"stray-1\", \"type\": \"lamp_post\", \"kind\": \"telemetry\", \"rx\": 1000,"
                        + " \"flags\": [\"unprovisioned\"], \"data\": {\"lamp_on\": true}}",
                reading("stray-2", "manhole", "event", "{\"event\": \"cover_opened\"}"));

        GatewayBinding.Checked checked = GatewayBinding.check(REGISTRY, batch);

        assertThat(checked.batch().rejected()).isEmpty();
        assertThat(checked.batch().readings()).allSatisfy(r ->
                assertThat(r.flags()).containsExactly(GatewayBinding.UNPROVISIONED));
        assertThat(checked.foreignAlarms()).isEmpty();
    }

    @Test
    void anEmptyRegistryBindsNothing() {
        GatewayBinding.Checked checked = GatewayBinding.check(GatewayBinding.Registry.EMPTY, decode("gw-a",
                reading("smoke-b", "smoke_detector", "telemetry", "{\"battery_pct\": 90}")));

        assertThat(checked.batch().rejected()).isEmpty();
        assertThat(checked.batch().readings().get(0).flags()).containsExactly(GatewayBinding.UNPROVISIONED);
    }
}
