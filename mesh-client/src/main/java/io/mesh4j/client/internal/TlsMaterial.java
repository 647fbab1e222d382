package io.mesh4j.client.internal;

import io.mesh4j.client.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The keys and trust of one service's {@link TlsSettings}, read from its files: what OkHttp's
 * {@code sslSocketFactory(factory, trustManager)} takes. Immutable; read again to take up rotated files.
 */
public final class TlsMaterial {

    private final SSLSocketFactory socketFactory;
    private final X509TrustManager trustManager;

    private TlsMaterial(SSLSocketFactory socketFactory, X509TrustManager trustManager) {
        this.socketFactory = socketFactory;
        this.trustManager = trustManager;
    }

    /**
     * Reads the files of {@code settings}.
     *
     * @throws IllegalArgumentException naming the field and the file when one cannot be read or parsed, or the key
     *     does not belong to the certificate
     */
    public static TlsMaterial load(TlsSettings settings) {
        List<X509Certificate> roots = PemFiles.certificates("trustRoots", settings.trustRoots());
        try {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            for (int i = 0; i < roots.size(); i++) {
                trusted.setCertificateEntry("root-" + i, roots.get(i));
            }
            TrustManagerFactory trustFactory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustFactory.init(trusted);
            X509TrustManager trustManager = (X509TrustManager) trustFactory.getTrustManagers()[0];
            KeyManagerFactory keyFactory = null;
            if (settings.certificateChain() != null) {
                keyFactory = keys(settings);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyFactory == null ? null : keyFactory.getKeyManagers(), new TrustManager[] {trustManager},
                    null);
            return new TlsMaterial(context.getSocketFactory(), trustManager);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK's TLS provider failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static KeyManagerFactory keys(TlsSettings settings) throws GeneralSecurityException, IOException {
        List<X509Certificate> chain = PemFiles.certificates("certificateChain", settings.certificateChain());
        PrivateKey key = PemFiles.privateKey("privateKey", settings.privateKey());
        if (!belongTogether(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException("privateKey: " + settings.privateKey() + " is not the key of the"
                    + " leaf certificate of " + settings.certificateChain());
        }
        KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
        keys.load(null, null);
        char[] password = new char[0];
        keys.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory keyFactory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyFactory.init(keys, password);
        return keyFactory;
    }

    /** Whether {@code key} signs what {@code certified} verifies: the key of the certificate, not another one. */
    private static boolean belongTogether(PrivateKey key, PublicKey certified) {
        if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
            return false;
        }
        String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA"
                : key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm();
        byte[] probe = "mesh4j key check".getBytes(StandardCharsets.US_ASCII);
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            signer.initVerify(certified);
            signer.update(probe);
            return signer.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    public SSLSocketFactory socketFactory() {
        return socketFactory;
    }

    public X509TrustManager trustManager() {
        return trustManager;
    }
}
