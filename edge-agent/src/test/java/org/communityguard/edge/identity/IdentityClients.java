package org.communityguard.edge.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.eclipse.californium.core.config.CoapConfig;
import org.eclipse.californium.core.network.CoapEndpoint;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.elements.config.UdpConfig;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.paho.client.mqttv3.MqttException;

/** The clients of the identity tests: a device's DTLS endpoint, a plain one, and what a refused login looks like. */
public final class IdentityClients {

    private IdentityClients() {
    }

    /** A started CoAP client over DTLS with the PSK identity and key (hex); plain UDP when {@code identity} is null. */
    public static CoapEndpoint coapClient(String identity, String hexKey) throws IOException {
        CoapConfig.register();
        UdpConfig.register();
        DtlsConfig.register();
        Configuration config = Configuration.createStandardWithoutFile();
        CoapEndpoint.Builder builder = new CoapEndpoint.Builder().setConfiguration(config);
        if (identity == null) {
            builder.setInetSocketAddress(new InetSocketAddress("127.0.0.1", 0));
        } else {
            config.set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.CLIENT_ONLY);
            // A handshake that cannot succeed gives up after two retransmissions, not the default four.
            config.set(DtlsConfig.DTLS_MAX_RETRANSMISSIONS, 2);
            builder.setConnector(new DTLSConnector(DtlsConnectorConfig.builder(config)
                    .setAddress(new InetSocketAddress("127.0.0.1", 0))
                    .setAdvancedPskStore(new AdvancedSinglePskStore(identity, HexFormat.of().parseHex(hexKey)))
                    .build()));
        }
        CoapEndpoint endpoint = builder.build();
        endpoint.start();
        return endpoint;
    }

    /**
     * A broker answers a refused CONNECT with CONNACK 0x04 or 0x05; Moquette hangs up right after
     * it, sometimes before the client has read it: each is a refusal.
     */
    public static void assertLoginRefused(ThrowingCallable connect) {
        assertThatThrownBy(connect).isInstanceOfSatisfying(MqttException.class, e -> assertThat(e.getReasonCode())
                .isIn((int) MqttException.REASON_CODE_FAILED_AUTHENTICATION, (int) MqttException.REASON_CODE_NOT_AUTHORIZED,
                        (int) MqttException.REASON_CODE_CONNECTION_LOST));
    }
}
