package org.communityguard.hub.net;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import javax.net.ssl.SSLException;
import org.communityguard.hub.config.Config;
import org.communityguard.hub.config.ConfigException;
import org.communityguard.hub.config.Setting;

/**
 * The TLS server context of one of the hub's ports (the uplink, HTTP), built by Netty from PEM
 * files named by its settings (docs/configuration.md). The one place the hub loads keys and
 * certificates; a bad file stops the start with the settings to check.
 */
public final class ServerTls {

    /**
     * The settings of one port's TLS.
     *
     * @param server   its name in messages ("uplink", "HTTP")
     * @param cert     certificate chain; empty for no TLS
     * @param key      its PKCS#8 private key
     * @param clientCa when set and not empty, a client certificate signed by it is required; null when the port asks for none
     */
    public record Files(String server, Setting<String> cert, Setting<String> key, Setting<String> clientCa) {
    }

    private ServerTls() {
    }

    /** The context, or null when the port is plain TCP (no certificate and no key set). */
    public static SslContext serverContext(Config config, Files files) {
        String certPem = config.get(files.cert());
        String keyPem = config.get(files.key());
        String clientCa = files.clientCa() == null ? "" : config.get(files.clientCa());
        if (certPem.isEmpty() && keyPem.isEmpty()) {
            if (!clientCa.isEmpty()) {
                throw new ConfigException(files.clientCa().envName() + " needs TLS: set " + files.cert().envName()
                        + " and " + files.key().envName() + " too");
            }
            return null;
        }
        if (certPem.isEmpty() || keyPem.isEmpty()) {
            throw new ConfigException("TLS on the " + files.server() + " needs both " + files.cert().envName() + " and "
                    + files.key().envName());
        }
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(new File(certPem), new File(keyPem));
            if (!clientCa.isEmpty()) {
                builder.trustManager(new File(clientCa)).clientAuth(ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("cannot use the " + files.server() + " TLS files (" + files.cert().envName() + ", "
                    + files.key().envName() + (files.clientCa() == null ? "" : ", " + files.clientCa().envName()) + "): "
                    + e.getMessage());
        }
    }
}
