package org.communityguard.edge.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceCommandsTest {

    private final TestClock clock = new TestClock(1_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DeviceCommands commands = new DeviceCommands(3, Duration.ofMinutes(10), clock, registry);

    @Test
    void queuedCommandHasTheProfileShapeAndAnId() {
        PendingCommand lamp = commands.send("lamp-1", new DeviceCommand.Lamp(true, 100, false));
        PendingCommand door = commands.send("door-1", new DeviceCommand.Door(DeviceCommand.Door.Action.RELEASE));
        PendingCommand siren = commands.send("smoke-1", new DeviceCommand.Siren(true));

        assertThat(lamp.body()).isEqualTo(Messages.json(
                "{\"cmd\":\"lamp\",\"on\":true,\"dim_pct\":100,\"flash\":false,\"id\":\"" + lamp.id() + "\"}"));
        assertThat(door.body()).isEqualTo(Messages.json("{\"cmd\":\"door\",\"action\":\"release\",\"id\":\"" + door.id() + "\"}"));
        assertThat(siren.body()).isEqualTo(Messages.json("{\"cmd\":\"siren\",\"on\":true,\"id\":\"" + siren.id() + "\"}"));
        assertThat(List.of(lamp.id(), door.id(), siren.id())).doesNotHaveDuplicates();
        assertThat(lamp.queuedAt()).isEqualTo(1_000_000L);
    }

    @Test
    void idsDifferBetweenRestarts() {
        DeviceCommands afterRestart = new DeviceCommands(3, Duration.ofMinutes(10), clock, new SimpleMeterRegistry());
        String before = commands.send("lamp-1", new DeviceCommand.Siren(true)).id();
        String after = afterRestart.send("lamp-1", new DeviceCommand.Siren(true)).id();
        assertThat(after).isNotEqualTo(before);
    }

    @Test
    void countsCommandsByName() {
        commands.send("lamp-1", new DeviceCommand.Lamp(true, 50, true));
        commands.send("lamp-2", new DeviceCommand.Lamp(false, 0, false));
        commands.send("door-1", new DeviceCommand.Door(DeviceCommand.Door.Action.LOCK));

        assertThat(registry.get("edge_commands_sent_total").tag("cmd", "lamp").counter().count()).isEqualTo(2.0);
        assertThat(registry.get("edge_commands_sent_total").tag("cmd", "door").counter().count()).isEqualTo(1.0);
        assertThat(registry.get("edge_commands_sent_total").tag("cmd", "siren").counter().count()).isZero();
    }

    @Test
    void pendingUntilAcknowledged() {
        PendingCommand first = commands.send("lamp-1", new DeviceCommand.Lamp(true, 100, false));
        PendingCommand second = commands.send("lamp-1", new DeviceCommand.Lamp(false, 0, false));

        assertThat(commands.pending("lamp-1")).containsExactly(first, second);
        assertThat(commands.acknowledge("lamp-1", first.id())).isTrue();
        assertThat(commands.pending("lamp-1")).containsExactly(second);
        assertThat(commands.acknowledge("lamp-1", first.id())).as("second ack of the same id").isFalse();
        assertThat(commands.acknowledge("lamp-2", second.id())).as("another device's ack").isFalse();
        assertThat(commands.isPending("lamp-1", second.id())).isTrue();
        assertThat(commands.pending("nobody")).isEmpty();
    }

    @Test
    void boundedPerDeviceDroppingTheOldest() {
        List<PendingCommand> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(commands.send("lamp-1", new DeviceCommand.Lamp(true, i * 10, false)));
        }
        assertThat(commands.pending("lamp-1")).containsExactlyElementsOf(sent.subList(2, 5));
    }

    @Test
    void expiresAfterItsTimeToLive() {
        PendingCommand old = commands.send("door-1", new DeviceCommand.Door(DeviceCommand.Door.Action.RELEASE));
        clock.advance(Duration.ofMinutes(9));
        PendingCommand recent = commands.send("door-1", new DeviceCommand.Door(DeviceCommand.Door.Action.LOCK));
        clock.advance(Duration.ofMinutes(1));

        assertThat(commands.pending("door-1")).containsExactly(recent);
        assertThat(commands.isPending("door-1", old.id())).isFalse();
    }

    @Test
    void listenersHearQueuedAndChanged() {
        List<String> heard = new ArrayList<>();
        commands.addListener(new DeviceCommands.Listener() {
            @Override
            public void queued(PendingCommand command) {
                heard.add("queued " + command.cmd() + " " + command.deviceId());
            }

            @Override
            public void changed(String deviceId) {
                heard.add("changed " + deviceId);
            }
        });
        PendingCommand siren = commands.send("smoke-1", new DeviceCommand.Siren(true));
        commands.acknowledge("smoke-1", siren.id());
        commands.acknowledge("smoke-1", "no-such-id");

        assertThat(heard).containsExactly("queued siren smoke-1", "changed smoke-1", "changed smoke-1");
    }

    @Test
    void aFailingListenerDoesNotStopTheCommand() {
        commands.addListener(new DeviceCommands.Listener() {
            @Override
            public void queued(PendingCommand command) {
                throw new IllegalStateException("transport down");
            }
        });
        PendingCommand siren = commands.send("smoke-1", new DeviceCommand.Siren(true));
        assertThat(commands.pending("smoke-1")).containsExactly(siren);
    }

    @Test
    void refusesBadInputFromTheCaller() {
        assertThatThrownBy(() -> commands.send("bad id", new DeviceCommand.Siren(true))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeviceCommand.Lamp(true, 101, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeviceCommand.Door(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
