package org.communityguard.sim.bench.gateways;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.mqtt.MqttConnAckMessage;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttDecoder;
import io.netty.handler.codec.mqtt.MqttEncoder;
import io.netty.handler.codec.mqtt.MqttMessage;
import io.netty.handler.codec.mqtt.MqttMessageBuilders;
import io.netty.handler.codec.mqtt.MqttMessageIdVariableHeader;
import io.netty.handler.codec.mqtt.MqttProperties;
import io.netty.handler.codec.mqtt.MqttPubReplyMessageVariableHeader;
import io.netty.handler.codec.mqtt.MqttVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The gateway's side of the codec, against the hub's: the client pipeline's encoder marks the
 * connection MQTT 5 when it writes CONNECT, so its decoder reads the hub's MQTT 5 answers
 * (CONNACK properties, PUBACK reason codes and user properties) as the hub's BatchHandler builds them.
 */
class SmallGatewayCodecTest {

    private final EmbeddedChannel gateway = new EmbeddedChannel(new MqttDecoder(1 << 20), MqttEncoder.INSTANCE);
    private final EmbeddedChannel hub = new EmbeddedChannel(new MqttDecoder(1 << 20), MqttEncoder.INSTANCE);

    /** The gateway's CONNECT, read by the hub's decoder (which marks the hub's side MQTT 5). */
    private void connect() {
        gateway.writeOutbound(MqttMessageBuilders.connect().protocolVersion(MqttVersion.MQTT_5).clientId("bench-gw-0001")
                .username("bench-gw-0001").password("secret-0001-abcdef".getBytes(StandardCharsets.UTF_8))
                .cleanSession(true).keepAlive(30).build());
        hub.writeInbound((ByteBuf) gateway.readOutbound());
        ReferenceCountUtil.release(hub.readInbound());
    }

    /** What the gateway's decoder makes of {@code answer} as the hub encodes it. */
    private MqttMessage answer(MqttMessage answer) {
        hub.writeOutbound(answer);
        gateway.writeInbound((ByteBuf) hub.readOutbound());
        return gateway.readInbound();
    }

    @Test
    void theHubsReceiveMaximumArrivesInTheConnAck() {
        connect();
        MqttConnAckMessage ack = (MqttConnAckMessage) answer(MqttMessageBuilders.connAck()
                .returnCode(MqttConnectReturnCode.CONNECTION_ACCEPTED).properties(p -> p.receiveMaximum(16)).build());

        assertThat(ack.variableHeader().connectReturnCode()).isEqualTo(MqttConnectReturnCode.CONNECTION_ACCEPTED);
        assertThat(ack.variableHeader().properties().getProperty(MqttProperties.MqttPropertyType.RECEIVE_MAXIMUM.value()))
                .isInstanceOfSatisfying(MqttProperties.IntegerProperty.class, p -> assertThat(p.value()).isEqualTo(16));
    }

    @Test
    void aSuccessWithReadingsRefusedIsToldApartFromAPlainSuccess() {
        connect();
        MqttProperties props = new MqttProperties();
        props.add(new MqttProperties.StringProperty(MqttProperties.MqttPropertyType.REASON_STRING.value(),
                "2 readings refused; first at index 1 (bad_device_id)"));
        props.add(new MqttProperties.UserProperty("rejected", "2"));
        MqttMessage refused = answer(MqttMessageBuilders.pubAck().packetId(7).reasonCode((byte) 0).properties(props).build());
        MqttMessage plain = answer(MqttMessageBuilders.pubAck().packetId(8).reasonCode((byte) 0).build());

        MqttPubReplyMessageVariableHeader r = (MqttPubReplyMessageVariableHeader) refused.variableHeader();
        assertThat(r.messageId()).isEqualTo(7);
        assertThat(r.reasonCode()).isZero();
        assertThat(SmallGateway.refused(r.properties())).isEqualTo("2");
        assertThat(((MqttMessageIdVariableHeader) plain.variableHeader()).messageId()).isEqualTo(8);
        assertThat(SmallGateway.refused(plain.variableHeader() instanceof MqttPubReplyMessageVariableHeader p
                ? p.properties() : null)).isNull();
    }

    @Test
    void aQuotaExceededPubAckKeepsItsReasonCode() {
        connect();
        MqttMessage busy = answer(MqttMessageBuilders.pubAck().packetId(9).reasonCode((byte) 0x97).build());

        assertThat(((MqttPubReplyMessageVariableHeader) busy.variableHeader()).reasonCode()).isEqualTo((byte) 0x97);
    }
}
