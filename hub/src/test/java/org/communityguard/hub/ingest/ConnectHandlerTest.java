package org.communityguard.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttVersion;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** CONNECT handling that needs no database: what a gateway hears when its CONNECT cannot be checked. */
class ConnectHandlerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private EmbeddedChannel channel(GatewayCredentials credentials, Executor authExecutor) {
        var shared = new UplinkInitializer.Shared(null, null, null, new Violations(registry), new GatewaySessions(registry),
                16, 1 << 20, Duration.ofSeconds(10));
        EmbeddedChannel ch = new EmbeddedChannel();
        // Named as in the uplink's pipeline: an accepted CONNECT puts its handlers around this one by name.
        ch.pipeline().addLast(UplinkHandlers.CONNECT, new ConnectHandler(shared, credentials, authExecutor));
        return ch;
    }

    private static MqttMessage connect(String gatewayId, String secret) {
        return MqttMessageBuilders.connect()
                .protocolVersion(MqttVersion.MQTT_5)
                .clientId(gatewayId)
                .username(gatewayId)
                .password(secret.getBytes(StandardCharsets.UTF_8))
                .keepAlive(30)
                .build();
    }

    private double refusals(String reason) {
        var counter = registry.find("hub.uplink.rejections").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aConnectTheCheckingPoolCannotTakeIsRefusedAsServerBusyNotDroppedUnanswered() {
        Executor full = task -> {
            throw new RejectedExecutionException("queue full");
        };
        EmbeddedChannel ch = channel((id, secret) -> true, full);

        ch.writeInbound(connect("gw-1", "secret"));
        ch.runPendingTasks();

        MqttConnAckMessage connAck = ch.readOutbound();
        assertThat(connAck).as("the gateway is told why").isNotNull();
        assertThat(connAck.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_SERVER_BUSY);
        assertThat(ch.isOpen()).isFalse();
        assertThat(refusals("server_busy")).isEqualTo(1);
    }

    @Test
    void aCheckedConnectIsAccepted() {
        EmbeddedChannel ch = channel((id, secret) -> secret.equals("right"), Runnable::run);

        ch.writeInbound(connect("gw-1", "right"));
        ch.runPendingTasks();

        MqttConnAckMessage connAck = ch.readOutbound();
        assertThat(connAck.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void aWrongSecretIsRefusedAsBadCredentials() {
        EmbeddedChannel ch = channel((id, secret) -> secret.equals("right"), Runnable::run);

        ch.writeInbound(connect("gw-1", "wrong"));
        ch.runPendingTasks();

        MqttConnAckMessage connAck = ch.readOutbound();
        assertThat(connAck.variableHeader().connectReturnCode())
                .isEqualTo(MqttConnectReturnCode.CONNECTION_REFUSED_BAD_USERNAME_OR_PASSWORD);
        assertThat(ch.isOpen()).isFalse();
        assertThat(refusals("bad_username_or_password")).isEqualTo(1);
    }

    @Test
    void aConnectionClosedWhileItsCheckWaitedIsNotChecked() {
        List<Runnable> queued = new ArrayList<>();
        AtomicInteger checked = new AtomicInteger();
        EmbeddedChannel ch = channel((id, secret) -> checked.incrementAndGet() > 0, queued::add);

        ch.writeInbound(connect("gw-1", "secret"));
        // The gateway gave up waiting for its CONNACK, as in a storm with a long queue of checks.
        ch.close();
        queued.forEach(Runnable::run);
        ch.runPendingTasks();

        assertThat(queued).hasSize(1);
        assertThat(checked).as("no Argon2 for a connection nobody waits on").hasValue(0);
    }
}
