package org.communityguard.edge.linkage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.communityguard.edge.config.ConfigException;
import org.communityguard.edge.device.DeviceCommands;
import org.communityguard.edge.device.DeviceType;
import org.communityguard.edge.device.Flag;
import org.communityguard.edge.device.Kind;
import org.communityguard.edge.device.PendingCommand;
import org.communityguard.edge.device.Reading;
import org.communityguard.edge.device.TestClock;
import org.communityguard.edge.device.TestSink;
import org.communityguard.edge.site.Site;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Linkage rules from the site file, and what they do: commands to one building's devices, a record for the hub. */
class LinkageTest {

    private static final String SITE = """
            community: test
            buildings: [{id: B1}, {id: B2}]
            devices:
              - {id: smoke-b1, type: smoke_detector, building: B1, gateway: gw}
              - {id: door-b1-a, type: door_access, building: B1, gateway: gw}
              - {id: door-b1-b, type: door_access, building: B1, gateway: gw}
              - {id: lamp-b1, type: lamp_post, building: B1, gateway: gw}
              - {id: door-b2, type: door_access, building: B2, gateway: gw}
              - {id: lamp-b2, type: lamp_post, building: B2, gateway: gw}
            linkage:
              - name: fire-evacuation
                when: {type: smoke_detector, event: alarm, level: alarm}
                then:
                  - {type: door_access, command: {cmd: door, action: release}}
                  - {type: lamp_post, command: {cmd: lamp, on: true, dim_pct: 100, flash: true}}
                cooldown_s: 60
            """;

    @TempDir
    Path dir;
    private final TestClock clock = new TestClock(1_763_764_800_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Site site(String yaml) throws Exception {
        Path file = dir.resolve("site.yaml");
        Files.writeString(file, yaml);
        return Site.load(file, "gw");
    }

    private static Reading alarm(String device, String level) {
        ObjectNode data = JsonNodeFactory.instance.objectNode().put("event", "alarm").put("level", level);
        return new Reading(device, DeviceType.SMOKE_DETECTOR, Kind.EVENT, 1L, null, 1L, Set.of(), data);
    }

    /**
     * The profile makes {@code level} optional, and an alarm without it is the detector's
     * verdict of fire (the hub opens a FIRE for it): a rule asking for {@code level: alarm}
     * must release the doors for it too, not only for an alarm that spells the level out.
     */
    @Test
    void anAlarmWithoutALevelIsAnAlarmAndReleasesTheDoors() throws Exception {
        DeviceCommands commands = new DeviceCommands(16, Duration.ofMinutes(10), clock, registry);
        Linkage linkage = new Linkage(new TestSink(), site(SITE), commands, "gw", clock, registry);

        ObjectNode data = JsonNodeFactory.instance.objectNode().put("event", "alarm");
        linkage.offer(new Reading("smoke-b1", DeviceType.SMOKE_DETECTOR, Kind.EVENT, 1L, null, 1L, Set.of(), data));

        assertThat(commands.pending("door-b1-a")).extracting(PendingCommand::body)
                .singleElement().satisfies(b -> assertThat(b.path("action").asText()).isEqualTo("release"));
        assertThat(data.has("level")).as("the reading is forwarded as the device sent it").isFalse();
    }

    /** An alarm anyone could have published (an open broker, identity.DeviceAccess) opens no door, but reaches the hub. */
    @Test
    void anAlarmWithAnUnverifiedSenderIsNotActedOn() throws Exception {
        DeviceCommands commands = new DeviceCommands(16, Duration.ofMinutes(10), clock, registry);
        TestSink buffer = new TestSink();
        Linkage linkage = new Linkage(buffer, site(SITE), commands, "gw", clock, registry);

        ObjectNode data = JsonNodeFactory.instance.objectNode().put("event", "alarm").put("level", "alarm");
        linkage.offer(new Reading("smoke-b1", DeviceType.SMOKE_DETECTOR, Kind.EVENT, 1L, null, 1L, Set.of(Flag.UNVERIFIED_SENDER), data));

        assertThat(commands.pending("door-b1-a")).isEmpty();
        assertThat(commands.pending("lamp-b1")).isEmpty();
        assertThat(buffer.accepted()).extracting(Reading::deviceId).containsExactly("smoke-b1");
        assertThat(registry.counter("edge_linkage_unverified_total").count()).isEqualTo(1);
        assertThat(registry.counter("edge_linkage_fired_total").count()).isZero();
    }

    @Test
    void aFireAlarmReleasesTheDoorsAndLightsTheLampsOfItsBuildingOnly() throws Exception {
        DeviceCommands commands = new DeviceCommands(16, Duration.ofMinutes(10), clock, registry);
        TestSink buffer = new TestSink();
        Linkage linkage = new Linkage(buffer, site(SITE), commands, "gw", clock, registry);

        linkage.offer(alarm("smoke-b1", "pre_alarm"));
        assertThat(commands.pending("door-b1-a")).as("a pre-alarm triggers nothing").isEmpty();

        linkage.offer(alarm("smoke-b1", "alarm"));
        for (String door : List.of("door-b1-a", "door-b1-b")) {
            assertThat(commands.pending(door)).extracting(PendingCommand::body)
                    .singleElement().satisfies(b -> assertThat(b.path("action").asText()).isEqualTo("release"));
        }
        assertThat(commands.pending("lamp-b1")).singleElement().satisfies(c -> {
            assertThat(c.body().path("dim_pct").asInt()).isEqualTo(100);
            assertThat(c.body().path("flash").asBoolean()).isTrue();
            assertThat(c.body().path("on").asBoolean()).isTrue();
        });
        assertThat(commands.pending("door-b2")).isEmpty();
        assertThat(commands.pending("lamp-b2")).isEmpty();

        // The alarm itself and the gateway's record of what it did both reach the buffer.
        Reading record = buffer.accepted().stream().filter(r -> r.type() == DeviceType.GATEWAY).findFirst().orElseThrow();
        assertThat(record.deviceId()).isEqualTo("gw");
        assertThat(record.data().path("event").asText()).isEqualTo("linkage");
        assertThat(record.data().path("rule").asText()).isEqualTo("fire-evacuation");
        assertThat(record.data().path("trigger_device").asText()).isEqualTo("smoke-b1");
        assertThat(record.data().path("actions")).hasSize(3);
        assertThat(buffer.accepted()).extracting(Reading::deviceId).contains("smoke-b1");

        // A second detector in the same fire, within the cooldown: no second round of commands.
        linkage.offer(alarm("smoke-b1", "alarm"));
        assertThat(commands.pending("door-b1-a")).hasSize(1);
        clock.advance(Duration.ofSeconds(61));
        linkage.offer(alarm("smoke-b1", "alarm"));
        assertThat(commands.pending("door-b1-a")).hasSize(2);
    }

    @Test
    void badRulesAreRefusedWithThePathOfEachProblem() {
        String bad = SITE.replace("{cmd: door, action: release}", "{cmd: door, action: open}")
                .replace("type: lamp_post, command", "type: toaster, command")
                .replace("cooldown_s: 60", "cooldown_s: soon");
        assertThatThrownBy(() -> site(bad)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("linkage[0].then[0].command.action")
                .hasMessageContaining("linkage[0].then[1].type")
                .hasMessageContaining("linkage[0].cooldown_s");
    }

    @Test
    void theDemoSiteFileHasTheFireRule() {
        Site demo = Site.load(Path.of("..", "deploy", "demo", "site.yaml"), "gw-sunny-1");
        assertThat(demo.linkage()).extracting(LinkageRule::name).contains("fire-evacuation");
    }
}
