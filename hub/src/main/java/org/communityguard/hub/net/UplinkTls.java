package org.communityguard.hub.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import javax.net.ssl.SSLException;
import org.communityguard.hub.config.ConfigException;

/** The uplink's TLS server context, built by Netty from PEM files (docs/configuration.md). */
public final class UplinkTls {

    private UplinkTls() {
    }

    /**
     * @param certPem  certificate chain; empty for no TLS (returns null)
     * @param keyPem   its PKCS#8 private key
     * @param clientCa when not empty, a client certificate signed by it is required
     */
    public static SslContext serverContext(String certPem, String keyPem, String clientCa) {
        if (certPem.isEmpty() && keyPem.isEmpty()) {
            if (!clientCa.isEmpty()) {
                throw new ConfigException("HUB_UPLINK_TLS_CLIENT_CA needs TLS: set HUB_UPLINK_TLS_CERT and HUB_UPLINK_TLS_KEY too");
            }
            return null;
        }
        if (certPem.isEmpty() || keyPem.isEmpty()) {
            throw new ConfigException("TLS on the uplink needs both HUB_UPLINK_TLS_CERT and HUB_UPLINK_TLS_KEY");
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(new File(certPem), new File(keyPem));
            if (!clientCa.isEmpty()) {
                builder.trustManager(new File(clientCa)).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("cannot use the uplink TLS files (HUB_UPLINK_TLS_CERT, HUB_UPLINK_TLS_KEY,"
                    + " HUB_UPLINK_TLS_CLIENT_CA): " + e.getMessage());
        }
    }
}
