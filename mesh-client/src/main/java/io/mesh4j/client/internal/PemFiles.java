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
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Reads certificates and private keys (PKCS #8 {@code PRIVATE KEY}, or SEC 1 {@code EC PRIVATE KEY} as Consul and
 * Go issue them) from PEM files or text with the JDK alone. Errors name the field and where the PEM came from and
 * say what is wrong, never what a key holds.
 */
public final class PemFiles {

    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";
    private static final String EC_KEY_BEGIN = "-----BEGIN EC PRIVATE KEY-----";
    private static final String EC_KEY_END = "-----END EC PRIVATE KEY-----";
    /** The DER of the object identifier of EC public keys, 1.2.840.10045.2.1. */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

    private PemFiles() {
    }

    /**
     * The certificates of {@code file}, in order.
     *
     * @throws IllegalArgumentException naming {@code field} and {@code file} when it cannot be read or holds none
     */
    public static List<X509Certificate> certificates(String field, Path file) {
        return certificates(field, file.toString(), read(field, file));
    }

    /**
     * The certificates of PEM {@code content}, in order.
     *
     * @param file where the PEM came from, for messages
     * @throws IllegalArgumentException naming {@code field} and {@code file} when it holds none
     */
    public static List<X509Certificate> certificates(String field, String file, byte[] content) {
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
        return privateKey(field, file.toString(), new String(read(field, file), StandardCharsets.US_ASCII));
    }

    /**
     * The private key of PEM {@code content}: a PKCS #8 {@code PRIVATE KEY} block (RSA, EC or EdDSA) or a SEC 1
     * {@code EC PRIVATE KEY} block with its curve named.
     *
     * @param file where the PEM came from, for messages
     * @throws IllegalArgumentException naming {@code field} and {@code file} when it cannot be parsed
     */
    public static PrivateKey privateKey(String field, String file, String content) {
        byte[] der;
        int ecBegin = content.indexOf(EC_KEY_BEGIN);
        if (ecBegin >= 0) {
            der = pkcs8OfSec1(field, file, base64(field, file, content, ecBegin + EC_KEY_BEGIN.length(),
                    content.indexOf(EC_KEY_END)));
        } else {
            int begin = content.indexOf(KEY_BEGIN);
            if (begin < 0) {
                throw new IllegalArgumentException(field + ": " + file + " holds no PKCS #8 key (expected: a PEM"
                        + " 'PRIVATE KEY' block; convert with openssl pkcs8 -topk8 -nocrypt)");
            }
            der = base64(field, file, content, begin + KEY_BEGIN.length(), content.indexOf(KEY_END));
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

    private static byte[] base64(String field, String where, String content, int from, int to) {
        if (to < from) {
            throw new IllegalArgumentException(field + ": " + where + " holds a key block without its end line");
        }
        try {
            return Base64.getMimeDecoder().decode(content.substring(from, to));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + ": " + where + " holds a key block that is not base64");
        }
    }

    /**
     * Wraps a SEC 1 {@code ECPrivateKey} in PKCS #8, which the JDK reads: {@code SEQUENCE {0, SEQUENCE {ecPublicKey,
     * curve}, OCTET STRING sec1}}, the curve taken from the key's own parameters.
     */
    private static byte[] pkcs8OfSec1(String field, String where, byte[] sec1) {
        byte[] curve = null;
        try {
            int at = headerLength(sec1, 0);
            while (at < sec1.length) {
                int tag = sec1[at] & 0xff;
                int header = headerLength(sec1, at);
                int length = contentLength(sec1, at);
                if (tag == 0xa0) {
                    curve = Arrays.copyOfRange(sec1, at + header, at + header + length);
                    break;
                }
                at += header + length;
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            curve = null;
        }
        if (curve == null || curve.length == 0 || curve[0] != 0x06) {
            throw new IllegalArgumentException(field + ": " + where + " holds an EC key without its named curve");
        }
        byte[] algorithm = tlv(0x30, concat(EC_PUBLIC_KEY, curve));
        return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, sec1)));
    }

    private static int headerLength(byte[] der, int at) {
        int first = der[at + 1] & 0xff;
        return first < 0x80 ? 2 : 2 + (first & 0x7f);
    }

    private static int contentLength(byte[] der, int at) {
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return first;
        }
        int length = 0;
        for (int i = 0; i < (first & 0x7f); i++) {
            length = (length << 8) | (der[at + 2 + i] & 0xff);
        }
        return length;
    }

    private static byte[] tlv(int tag, byte[] content) {
        int length = content.length;
        byte[] header;
        if (length < 0x80) {
            header = new byte[] {(byte) tag, (byte) length};
        } else if (length < 0x100) {
            header = new byte[] {(byte) tag, (byte) 0x81, (byte) length};
        } else {
            header = new byte[] {(byte) tag, (byte) 0x82, (byte) (length >> 8), (byte) length};
        }
        return concat(header, content);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
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
