package org.communityguard.hub.incident.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.communityguard.hub.incident.lifecycle.Visibility.Viewer;
import org.junit.jupiter.api.Test;

/** The live feed's rule ({@code sees}) and the SQL condition ({@code filter}) are one rule. */
class VisibilityTest {

    private static Viewer worker(String grid, String department) {
        return new Viewer(Viewer.Kind.SHARE, "w1", grid, department);
    }

    @Test
    void aGridWorkerWithAGridSeesTheGridAndWhatTheyRespondTo() {
        Viewer v = worker("G1", null);
        assertThat(v.sees("G1", "fire", "someone")).isTrue();
        assertThat(v.sees("G2", "fire", "w1")).as("their own, elsewhere").isTrue();
        assertThat(v.sees("G2", "fire", "w2")).isFalse();
        assertThat(v.sees(null, null, null)).as("not dispatched yet").isFalse();
        assertThat(v.filter()).isEqualTo(new Visibility.Filter("(i.responder = ? OR (i.grid = ?))", List.of("w1", "G1")));
    }

    @Test
    void gridAndDepartmentTogetherNarrowTheShare() {
        Viewer v = worker("G1", "electrical");
        assertThat(v.sees("G1", "electrical", null)).isTrue();
        assertThat(v.sees("G1", "fire", null)).isFalse();
        assertThat(v.sees("G2", "electrical", null)).isFalse();
        assertThat(v.filter()).isEqualTo(new Visibility.Filter("(i.responder = ? OR (i.grid = ? AND i.department = ?))",
                List.of("w1", "G1", "electrical")));
    }

    @Test
    void aGridWorkerWithNeitherSeesOnlyTheirOwn() {
        Viewer v = worker(null, null);
        assertThat(v.sees("G1", "fire", "w1")).isTrue();
        assertThat(v.sees("G1", "fire", null)).isFalse();
        assertThat(v.filter()).isEqualTo(new Visibility.Filter("i.responder = ?", List.of("w1")));
    }

    @Test
    void staffSeeEverythingAndResidentsNothingOnTheFeed() {
        assertThat(new Viewer(Viewer.Kind.ALL, "pm", null, null).sees(null, null, null)).isTrue();
        assertThat(new Viewer(Viewer.Kind.ALL, "pm", null, null).filter()).isEqualTo(Visibility.Filter.ALL);
        assertThat(new Viewer(Viewer.Kind.OWN_REPORTS, "r1", null, null).sees("G1", "fire", "r1")).isFalse();
    }
}
