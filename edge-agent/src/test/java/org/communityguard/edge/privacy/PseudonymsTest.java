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

    @Test
    void otherReadingsPassUnchanged() {
        Reading telemetry = new Reading("door-b1-01", DeviceType.DOOR_ACCESS, Kind.TELEMETRY, 1L, null, 2L, Set.of(),
                JsonNodeFactory.instance.objectNode().put("locked", true));

        new Pseudonyms(KEY, sink).offer(telemetry);

        assertThat(sunk).containsExactly(telemetry);
    }
}
