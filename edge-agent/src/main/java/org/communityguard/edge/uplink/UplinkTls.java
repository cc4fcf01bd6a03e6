package org.communityguard.edge.uplink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.communityguard.edge.config.ConfigException;

/**
 * The uplink's TLS client side, from the JDK alone: the hub's certificate is checked against the
 * configured CA (PEM, read by the JDK's {@link CertificateFactory}) or the JVM's trusted CAs, and
 * its host name by Paho; a client certificate, when the hub asks for one, comes from a PKCS#12
 * file (the JDK's {@link KeyStore}).
 */
public final class UplinkTls {

    private UplinkTls() {
    }

    /**
     * @param caPemFile      CA certificate(s) to trust, PEM; empty for the JVM's trusted CAs
     * @param clientKeystore PKCS#12 with the gateway's certificate and key; empty for none
     */
    public static SSLSocketFactory socketFactory(String caPemFile, String clientKeystore, String keystorePassword) {
        try {
            TrustManager[] trust = null;
            if (!caPemFile.isEmpty()) {
                KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
                trusted.load(null, null);
                try (InputStream in = Files.newInputStream(Path.of(caPemFile))) {
                    int i = 0;
                    for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        trusted.setCertificateEntry("ca-" + i++, cert);
                    }
                    if (i == 0) {
                        throw new ConfigException("EDGE_UPLINK_TLS_CA: " + caPemFile + " holds no PEM certificate");
                    }
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trusted);
                trust = tmf.getTrustManagers();
            }
            KeyManager[] keys = null;
            if (!clientKeystore.isEmpty()) {
                char[] password = keystorePassword.toCharArray();
                KeyStore ks = KeyStore.getInstance("PKCS12");
                try (InputStream in = Files.newInputStream(Path.of(clientKeystore))) {
                    ks.load(in, password);
                }
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, password);
                keys = kmf.getKeyManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context.getSocketFactory();
        } catch (IOException e) {
            throw new ConfigException("cannot read the uplink TLS files (EDGE_UPLINK_TLS_CA, EDGE_UPLINK_TLS_CLIENT_KEYSTORE): "
                    + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigException("the uplink TLS files are not usable (EDGE_UPLINK_TLS_CA, EDGE_UPLINK_TLS_CLIENT_KEYSTORE,"
                    + " EDGE_UPLINK_TLS_CLIENT_KEYSTORE_PASSWORD): " + e.getMessage());
        }
    }
}
