package org.communityguard.edge.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.communityguard.edge.config.ConfigException;
import org.junit.jupiter.api.Test;

class SiteTest {

    @Test
    void wholeSecondsAreRead() {
        Site site = Site.parse("""
                community: c1
                devices:
                  - {id: d1, type: manhole, gateway: gw-1, interval_s: 600}
                linkage:
                  - name: r
                    when: {type: smoke_detector, event: alarm}
                    then: [{type: door_access, command: {cmd: door, action: release}}]
                    cooldown_s: 60
                """, "site.yaml", "gw-1");
        assertThat(site.devices().get("d1").interval()).isEqualTo(Duration.ofSeconds(600));
        assertThat(site.linkage().get(0).cooldown()).isEqualTo(Duration.ofSeconds(60));
    }

    /** Found by SiteFuzzTest: 2.5 was read as 2, silently; the file says whole seconds. */
    @Test
    void aFractionOfASecondIsRefusedNotCut() {
        assertThatThrownBy(() -> Site.parse("""
                community: c1
                devices:
                  - {id: d1, type: manhole, gateway: gw-1, interval_s: 2.5}
                """, "site.yaml", "gw-1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("devices[0] 'd1': interval_s must be a whole number of seconds");
        assertThatThrownBy(() -> Site.parse("""
                community: c1
                linkage:
                  - name: r
                    when: {type: smoke_detector, event: alarm}
                    then: [{type: door_access, command: {cmd: door, action: release}}]
                    cooldown_s: 2.5
                """, "site.yaml", "gw-1")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("linkage[0].cooldown_s: must be a whole number of seconds");
    }
}
