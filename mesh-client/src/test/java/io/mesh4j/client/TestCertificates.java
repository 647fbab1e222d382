package io.mesh4j.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made in the test with BouncyCastle (EC P-256), with DNS and URI subject alternative names, which
 * okhttp-tls's {@code HeldCertificate} cannot make (SPIFFE IDs are URI names), and their PEM files.
 */
final class TestCertificates {

    private static final AtomicLong SERIAL = new AtomicLong(1);

    /** A key pair and its certificate. */
    static final class Held {
        final KeyPair keys;
        final X509Certificate certificate;

        Held(KeyPair keys, X509Certificate certificate) {
            this.keys = keys;
            this.certificate = certificate;
        }

        /** Writes the certificate as PEM to {@code file}. */
        Path writeCertificate(Path file) {
            return write(file, pem("CERTIFICATE", encoded(certificate)));
        }

        /** The certificate as PEM text. */
        String certificatePem() {
            return pem("CERTIFICATE", encoded(certificate));
        }

        /**
         * The EC private key as SEC 1 PEM ({@code EC PRIVATE KEY}) with its curve named, as Consul's agent hands
         * out Connect keys.
         */
        String sec1KeyPem() {
            try {
                java.security.interfaces.ECPrivateKey key = (java.security.interfaces.ECPrivateKey) keys.getPrivate();
                byte[] der = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(), null,
                        org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1).getEncoded();
                return pem("EC PRIVATE KEY", der);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Writes the private key as PKCS #8 PEM to {@code file}. */
        Path writeKey(Path file) {
            return write(file, pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
        }
    }

    private TestCertificates() {
    }

    /** A self-signed certificate authority. */
    static Held authority(String name) {
        KeyPair keys = keys();
        return new Held(keys, sign(name, keys, name, keys, Instant.now().minus(Duration.ofHours(1)),
                Instant.now().plus(Duration.ofDays(1)), true, List.of()));
    }

    /** A certificate signed by {@code issuer}, valid from an hour ago for a day, with {@code names}. */
    static Held leaf(Held issuer, String... names) {
        return leaf(issuer, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(1)), names);
    }

    /**
     * A certificate signed by {@code issuer}, valid between the two instants, with subject alternative names: each
     * of {@code names} a URI when it has a scheme ({@code spiffe://...}), else a DNS name.
     */
    static Held leaf(Held issuer, Instant notBefore, Instant notAfter, String... names) {
        KeyPair keys = keys();
        List<GeneralName> alternatives = new ArrayList<>();
        for (String name : names) {
            alternatives.add(name.contains("://") ? new GeneralName(GeneralName.uniformResourceIdentifier, name)
                    : new GeneralName(GeneralName.dNSName, name));
        }
        return new Held(keys, sign(names.length == 0 ? "leaf" : names[0], keys,
                issuer.certificate.getSubjectX500Principal().getName(), issuer.keys, notBefore, notAfter, false,
                alternatives));
    }

    /** A server socket factory presenting {@code server}'s chain and trusting clients of {@code clientRoots}. */
    static SSLSocketFactory serverSockets(Held server, Held issuer, Held... clientRoots) {
        try {
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(null, null);
            keys.setKeyEntry("server", server.keys.getPrivate(), new char[0],
                    new X509Certificate[] {server.certificate, issuer.certificate});
            KeyManagerFactory keyFactory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyFactory.init(keys, new char[0]);
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            for (int i = 0; i < clientRoots.length; i++) {
                trusted.setCertificateEntry("client-root-" + i, clientRoots[i].certificate);
            }
            TrustManagerFactory trustFactory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustFactory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyFactory.getKeyManagers(), trustFactory.getTrustManagers(), null);
            return context.getSocketFactory();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
            Instant notBefore, Instant notAfter, boolean authority, List<GeneralName> alternatives) {
        try {
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                    issuer.contains("=") ? new X500Name(issuer) : new X500Name("CN=" + issuer),
                    BigInteger.valueOf(SERIAL.getAndIncrement()), Date.from(notBefore), Date.from(notAfter),
                    new X500Name("CN=" + commonName(subject)), subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(authority));
            if (!alternatives.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternatives.toArray(new GeneralName[0])));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code name} as a common name: at most 64 characters (RFC 5280), keeping its end, which tells names apart. */
    private static String commonName(String name) {
        String safe = name.replace(",", " ").replace("=", " ");
        return safe.length() <= 64 ? safe : safe.substring(safe.length() - 64);
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static Path write(Path file, String content) {
        try {
            return Files.writeString(file, content, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
