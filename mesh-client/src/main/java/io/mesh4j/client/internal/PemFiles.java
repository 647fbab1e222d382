package io.mesh4j.client.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads certificates and PKCS #8 private keys from PEM files with the JDK alone. Errors name the field and the file
 * and say what is wrong, never what a key file holds.
 */
public final class PemFiles {

    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private PemFiles() {
    }

    /**
     * The certificates of {@code file}, in order.
     *
     * @throws IllegalArgumentException naming {@code field} and {@code file} when it cannot be read or holds none
     */
    public static List<X509Certificate> certificates(String field, Path file) {
        byte[] content = read(field, file);
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            List<X509Certificate> certificates = new ArrayList<>();
            for (Certificate certificate : factory.generateCertificates(new ByteArrayInputStream(content))) {
                certificates.add((X509Certificate) certificate);
            }
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(field + ": " + file + " holds no certificate (expected: PEM"
                        + " CERTIFICATE blocks)");
            }
            return certificates;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(field + ": " + file + " is not PEM certificates ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * The private key of {@code file}: one PKCS #8 {@code PRIVATE KEY} block, RSA, EC or EdDSA.
     *
     * @throws IllegalArgumentException naming {@code field} and {@code file} when it cannot be read or parsed
     */
    public static PrivateKey privateKey(String field, Path file) {
        String content = new String(read(field, file), StandardCharsets.US_ASCII);
        int begin = content.indexOf(KEY_BEGIN);
        int end = content.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException(field + ": " + file + " holds no PKCS #8 key (expected: a PEM"
                    + " 'PRIVATE KEY' block; convert with openssl pkcs8 -topk8 -nocrypt)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(content.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + file + " holds a key block that is not base64");
        }
        for (String algorithm : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException | IllegalArgumentException notThisOne) {
                // Try the next algorithm: PKCS #8 names it inside, but the JDK needs it up front.
            }
        }
        throw new IllegalArgumentException(field + ": " + file + " holds a key that is not RSA, EC or EdDSA"
                + " PKCS #8");
    }

    private static byte[] read(String field, Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(field + ": " + file + " does not exist");
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(field + ": " + file + " cannot be read ("
                    + e.getClass().getSimpleName() + ")");
        }
    }
}
