package org.communityguard.sim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.communityguard.hub.Hub;
import org.communityguard.hub.ingest.BatchCodec;
import org.communityguard.hub.ingest.IncomingReading;
import org.junit.jupiter.api.Test;

/** The benchmark's batches are valid uplink v1 batches, checked by the hub's own decoder. */
class UplinkBatchTest {

    private static final long NOW = 1_763_764_800_000L;
    private final ObjectMapper json = Hub.jsonMapper();

    @Test
    void theHubDecodesEveryReadingOfABatchAndRefusesNone() {
        Fleet fleet = new Fleet("bench-gw-001", 0, 42, () -> NOW);
        List<BenchReading> readings = fleet.next(500);

        byte[] payload = UplinkJson.batch("bench-gw-001", "b-1", readings);
        BatchCodec.Result result = new BatchCodec(json).decode(new ByteArrayInputStream(payload));

        assertThat(result).isInstanceOf(BatchCodec.Decoded.class);
        var batch = ((BatchCodec.Decoded) result).batch();
        assertThat(batch.gatewayId()).isEqualTo("bench-gw-001");
        assertThat(batch.batchId()).isEqualTo("b-1");
        assertThat(batch.rejected()).isEmpty();
        assertThat(batch.readings()).hasSize(500);
        // Timed by the device's clock: never flagged as skewed.
        assertThat(batch.readings()).allSatisfy(r -> assertThat(r.flags()).isEmpty());
    }

    @Test
    void readingsCoverTheFourDeviceTypesAndTheThreeKinds() throws Exception {
        Fleet fleet = new Fleet("gw", 0, 7, () -> NOW);
        JsonNode batch = json.readTree(UplinkJson.batch("gw", "b", fleet.next(5000)));

        assertThat(batch.path("v").asInt()).isEqualTo(1);
        Set<String> types = new HashSet<>();
        Set<String> kinds = new HashSet<>();
        batch.path("readings").forEach(r -> {
            types.add(r.path("type").asText());
            kinds.add(r.path("kind").asText());
        });
        assertThat(types).containsExactlyInAnyOrder("lamp_post", "manhole", "smoke_detector", "door_access");
        assertThat(kinds).containsExactlyInAnyOrder("telemetry", "event", "status");
    }

    @Test
    void deviceAndSequenceNumberAreUniqueAcrossBatches() {
        Fleet fleet = new Fleet("gw", 0, 1, () -> NOW);
        Set<String> seen = new HashSet<>();
        for (int batch = 0; batch < 20; batch++) {
            for (BenchReading r : fleet.next(500)) {
                assertThat(seen.add(r.device() + "/" + r.seq())).as("%s seq %d", r.device(), r.seq()).isTrue();
            }
        }
        assertThat(seen).hasSize(10_000);
    }

    @Test
    void noReadingLooksLikeAFire() {
        // The benchmark measures storing; a FIRE incident per smoke reading would measure the incident store.
        Fleet fleet = new Fleet("gw", 0, 3, () -> NOW);
        byte[] payload = UplinkJson.batch("gw", "b", fleet.next(5000));
        var batch = ((BatchCodec.Decoded) new BatchCodec(json).decode(new ByteArrayInputStream(payload))).batch();

        for (IncomingReading r : batch.readings()) {
            assertThat(r.isEvent("alarm")).isFalse();
            assertThat(r.data().path("alarm").asBoolean(false)).isFalse();
            assertThat(r.data().path("smoke_obscuration_pct_m").asDouble(0)).isLessThan(1.0);
        }
    }
}
