package org.communityguard.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority made in the test (BouncyCastle), issuing server and client certificates
 * as files: for the TLS uplink (device-sim's TlsUplinkIT) and the hub's HTTPS (hub's HttpsIT).
 */
public final class TestCa {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final X500Name name;
    private final KeyPair keys;
    private final X509Certificate cert;

    public TestCa(String commonName) throws GeneralSecurityException, IOException {
        this.name = new X500Name("CN=" + commonName);
        this.keys = ecKeys();
        X509v3CertificateBuilder b = builder(name, name, keys);
        try {
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        this.cert = sign(b, keys);
    }

    /** The CA certificate, PEM. */
    public Path writeCert(Path file) throws IOException {
        pem(file, cert);
        return file;
    }

    /** A server certificate for localhost and 127.0.0.1: {@code dir/name.crt} (chain) and {@code dir/name.key} (PKCS#8). */
    public Path[] issueServer(Path dir, String name) throws GeneralSecurityException, IOException {
        KeyPair kp = ecKeys();
        X509v3CertificateBuilder b = builder(this.name, new X500Name("CN=" + name), kp);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        X509Certificate c = sign(b, keys);
        Path crt = pem(dir.resolve(name + ".crt"), c);
        Path key = dir.resolve(name + ".key");
        try (Writer w = Files.newBufferedWriter(key); JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(new JcaPKCS8Generator(kp.getPrivate(), null));
        }
        return new Path[] {crt, key};
    }

    /** A client certificate and key in a PKCS#12 file. */
    public Path issueClientPkcs12(Path file, String name, String password) throws GeneralSecurityException, IOException {
        KeyPair kp = ecKeys();
        X509Certificate c = sign(builder(this.name, new X500Name("CN=" + name), kp), keys);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("client", kp.getPrivate(), password.toCharArray(), new X509Certificate[] {c, cert});
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password.toCharArray());
        }
        return file;
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKeys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                subjectKeys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws GeneralSecurityException {
        try {
            ContentSigner s = new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(s));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static Path pem(Path file, Object o) throws IOException {
        try (Writer w = Files.newBufferedWriter(file); JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return file;
    }
}
