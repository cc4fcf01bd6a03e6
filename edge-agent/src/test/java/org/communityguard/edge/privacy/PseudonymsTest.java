package org.communityguard.edge.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.ReadingSink;
import org.junit.jupiter.api.Test;

class PseudonymsTest {

    private static final String KEY = "community-secret-0123456789-abcdef";
    private final List<Reading> sunk = new ArrayList<>();
    private final ReadingSink sink = r -> {
        sunk.add(r);
        return CompletableFuture.completedFuture(ReadingSink.Admission.ACCEPTED);
    };

    private static Reading access(String subject) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("event", "access").put("result", "denied")
                .put("method", "card").put("subject", subject);
        return new Reading("door-b1-01", DeviceType.DOOR_ACCESS, Kind.EVENT, 1L, null, 1L, Set.of(), data);
    }

    @Test
    void replacesTheSubjectBeforeTheReadingIsBuffered() {
        Reading raw = access("CARD-0012345678");

        new Pseudonyms(KEY, sink).offer(raw);

        String forwarded = sunk.get(0).data().path("subject").asText();
        assertThat(forwarded).startsWith("psn1:").hasSize(27).doesNotContain("12345678");
        assertThat(sunk.get(0).data().toString()).doesNotContain("CARD-0012345678");
        assertThat(raw.data().path("subject").asText()).as("the caller's reading is not changed").isEqualTo("CARD-0012345678");
    }

    @Test
    void sameCardSamePseudonymWithinACommunityOnly() {
        Pseudonyms here = new Pseudonyms(KEY, sink);
        Pseudonyms elsewhere = new Pseudonyms("another-community-secret-987654321", sink);

        assertThat(here.pseudonym("CARD-1")).isEqualTo(here.pseudonym("CARD-1"))
                .isNotEqualTo(here.pseudonym("CARD-2"))
                .isNotEqualTo(elsewhere.pseudonym("CARD-1"));
    }

    private static Reading door(Kind kind, String dataJson) throws Exception {
        ObjectNode data = (ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(dataJson);
        return new Reading("door-b1-01", DeviceType.DOOR_ACCESS, kind, 1L, null, 1L, Set.of(), data);
    }

    /**
     * A vendor's own identifier fields (not in the profile, so kept as unknown fields) are personal
     * data too: replaced wherever they are in the reading, whatever their JSON type.
     */
    @Test
    void unknownIdLikeFieldsOfDoorReadingsArePseudonymizedToo() throws Exception {
        Pseudonyms pseudonyms = new Pseudonyms(KEY, sink);
        pseudonyms.offer(door(Kind.EVENT, """
                {"event":"access","result":"granted","method":"card","card_no":9876543210,"cardId":"C-4242",
                 "vendor":{"user_name":"Li Wei","reader":7},"matches":[{"face_id":"F-77","score":0.93}],"holder":{"id":"H-1"},"Phone":"13800138000",
                 "open_s":3,"granted_by_rule":true}
                """));
        pseudonyms.offer(door(Kind.TELEMETRY, "{\"locked\":false,\"last_card\":\"9876543210\"}"));

        ObjectNode event = sunk.get(0).data();
        assertThat(event.toString()).doesNotContain("9876543210").doesNotContain("C-4242").doesNotContain("Li Wei")
                .doesNotContain("F-77").doesNotContain("13800138000");
        assertThat(event.path("card_no").asText()).as("a number is pseudonymized as its digits")
                .isEqualTo(pseudonyms.pseudonym("9876543210"));
        assertThat(event.path("cardId").asText()).isEqualTo(pseudonyms.pseudonym("C-4242"));
        assertThat(event.path("vendor").path("user_name").asText()).startsWith(Pseudonyms.PREFIX);
        assertThat(event.path("vendor").path("reader").asInt()).as("not personal: kept").isEqualTo(7);
        assertThat(event.path("matches").path(0).path("face_id").asText()).startsWith(Pseudonyms.PREFIX);
        assertThat(event.path("matches").path(0).path("score").asDouble()).isEqualTo(0.93);
        assertThat(event.path("Phone").asText()).startsWith(Pseudonyms.PREFIX);
        assertThat(event.path("holder").path("id").asText()).as("not an id-like name").isEqualTo("H-1");
        assertThat(event.path("method").asText()).isEqualTo("card");
        assertThat(event.path("open_s").asInt()).isEqualTo(3);
        assertThat(event.path("granted_by_rule").asBoolean()).isTrue();
        assertThat(sunk.get(1).data().path("last_card").asText()).isEqualTo(pseudonyms.pseudonym("9876543210"));
        assertThat(sunk.get(1).data().path("locked").asBoolean()).isFalse();
    }

    @Test
    void anObjectUnderAPersonalNameIsPseudonymizedWhole() throws Exception {
        new Pseudonyms(KEY, sink).offer(door(Kind.EVENT, "{\"event\":\"access\",\"result\":\"denied\",\"user\":{\"id\":55,\"dept\":\"B1\"}}"));

        assertThat(sunk.get(0).data().path("user").asText()).startsWith(Pseudonyms.PREFIX);
    }

    @Test
    void otherReadingsPassUnchanged() {
        Reading telemetry = new Reading("door-b1-01", DeviceType.DOOR_ACCESS, Kind.TELEMETRY, 1L, null, 2L, Set.of(),
                JsonNodeFactory.instance.objectNode().put("locked", true));

        new Pseudonyms(KEY, sink).offer(telemetry);

        assertThat(sunk).containsExactly(telemetry);
    }
}
