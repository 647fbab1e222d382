package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.tls.CertificateBundle;
import io.mesh4j.client.TlsSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The keys and trust of one service's TLS, read from its files or from a certificate source's bundle: what OkHttp's
 * {@code sslSocketFactory(factory, trustManager)} takes. Immutable; built again to take up rotated material.
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
        if (settings.certificateChain() == null) {
            return build(roots, null, null, null);
        }
        List<X509Certificate> chain = PemFiles.certificates("certificateChain", settings.certificateChain());
        PrivateKey key = PemFiles.privateKey("privateKey", settings.privateKey());
        return build(roots, chain, key, "privateKey: " + settings.privateKey() + " is not the key of the leaf"
                + " certificate of " + settings.certificateChain());
    }

    /**
     * Parses {@code bundle} from source {@code source}.
     *
     * @throws IllegalArgumentException saying which part of the bundle is wrong, never a key's content
     */
    static TlsMaterial from(CertificateBundle bundle, String source) {
        List<X509Certificate> roots = new ArrayList<>();
        for (String pem : bundle.trustRootsPem()) {
            roots.addAll(PemFiles.certificates("trustRoots", source,
                    pem.getBytes(StandardCharsets.US_ASCII)));
        }
        if (roots.isEmpty()) {
            throw new IllegalArgumentException("trustRoots: none from " + source);
        }
        if (bundle.certificateChainPem() == null) {
            return build(roots, null, null, null);
        }
        List<X509Certificate> chain = PemFiles.certificates("certificateChain", source,
                bundle.certificateChainPem().getBytes(StandardCharsets.US_ASCII));
        PrivateKey key = PemFiles.privateKey("privateKey", source, bundle.privateKeyPem());
        return build(roots, chain, key, "privateKey: the key from " + source + " is not the key of its leaf"
                + " certificate");
    }

    /**
     * Material that trusts no server yet: its handshakes fail, saying they wait for the first bundle of
     * {@code source}.
     */
    static TlsMaterial awaiting(String source) {
        X509TrustManager none = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("no TLS material from " + source + " yet");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("no TLS material from " + source + " yet");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {none}, null);
            return new TlsMaterial(context.getSocketFactory(), none);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's TLS provider failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private static TlsMaterial build(List<X509Certificate> roots, @Nullable List<X509Certificate> chain,
            @Nullable PrivateKey key, @Nullable String mismatch) {
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
            if (chain != null && key != null) {
                if (!belongTogether(key, chain.get(0).getPublicKey())) {
                    throw new IllegalArgumentException(mismatch);
                }
                KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
                keys.load(null, null);
                char[] password = new char[0];
                keys.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
                keyFactory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                keyFactory.init(keys, password);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyFactory == null ? null : keyFactory.getKeyManagers(), new TrustManager[] {trustManager},
                    null);
            return new TlsMaterial(context.getSocketFactory(), trustManager);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("the JDK's TLS provider failed: " + e.getClass().getSimpleName(), e);
        }
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
