package io.mesh4j.client.internal;

import io.mesh4j.api.PeerIdentityException;
import io.mesh4j.client.TlsSettings;
import java.io.IOException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Connection;
import okhttp3.ConnectionSpec;
import okhttp3.Handshake;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.TlsVersion;

/**
 * The TLS of one service's attempts: for each client the mesh sends attempts through, a variant with the service's
 * trust, client certificate and lowest TLS version, whose network interceptor checks each connection's peer
 * certificate for the expected identity before the first request byte goes out. The variants share the base
 * client's connection pool and dispatcher; their connections are pooled apart, since OkHttp pools by socket factory.
 *
 * <p>A certificate is checked once: the verdict is remembered by the certificate (a connection reused keeps its
 * certificate object, so the check on a reused connection is one map read). Thread-safe and lock-free on the request
 * path.
 */
final class ServiceTls {

    private static final int MAX_REMEMBERED = 1_024;

    private final String service;
    private final TlsSettings settings;
    private final TlsMaterial material;
    private final Interceptor identityCheck = this::checkIdentity;
    private final Map<X509Certificate, Boolean> verdicts = new ConcurrentHashMap<>();
    private final Map<OkHttpClient, OkHttpClient> variants = new ConcurrentHashMap<>();

    ServiceTls(String service, TlsSettings settings) {
        this.service = service;
        this.settings = settings;
        this.material = TlsMaterial.load(settings);
    }

    TlsSettings settings() {
        return settings;
    }

    /** {@code base} with the service's TLS: made once per base client, then looked up. */
    OkHttpClient clientFor(OkHttpClient base) {
        OkHttpClient variant = variants.get(base);
        if (variant != null) {
            return variant;
        }
        return variants.computeIfAbsent(base, this::variantOf);
    }

    private OkHttpClient variantOf(OkHttpClient base) {
        ConnectionSpec spec = new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS)
                .tlsVersions(settings.minTlsVersion() == TlsVersion.TLS_1_3
                        ? new TlsVersion[] {TlsVersion.TLS_1_3}
                        : new TlsVersion[] {TlsVersion.TLS_1_3, TlsVersion.TLS_1_2})
                .build();
        OkHttpClient.Builder builder = base.newBuilder()
                .sslSocketFactory(material.socketFactory(), material.trustManager())
                .connectionSpecs(List.of(spec))
                .addNetworkInterceptor(identityCheck);
        if (settings.expectedSpiffeId() != null || !settings.expectedDnsNames().isEmpty()) {
            // Instances are addressed by IP: the identity check below replaces the check of the address.
            builder.hostnameVerifier((host, session) -> true);
        }
        return builder.build();
    }

    private Response checkIdentity(Interceptor.Chain chain) throws IOException {
        if (settings.expectedSpiffeId() == null && settings.expectedDnsNames().isEmpty()) {
            return chain.proceed(chain.request());
        }
        Connection connection = chain.connection();
        Handshake handshake = connection == null ? null : connection.handshake();
        List<Certificate> peer = handshake == null ? List.of() : handshake.peerCertificates();
        if (peer.isEmpty() || !(peer.get(0) instanceof X509Certificate)) {
            throw new SSLPeerUnverifiedException("Instance " + chain.request().url().host() + ':'
                    + chain.request().url().port() + " of service '" + service + "' presented no certificate");
        }
        X509Certificate certificate = (X509Certificate) peer.get(0);
        Boolean verdict = verdicts.get(certificate);
        if (verdict == null) {
            verdict = PeerIdentity.matches(settings, certificate);
            if (verdicts.size() >= MAX_REMEMBERED) {
                verdicts.clear();
            }
            verdicts.put(certificate, verdict);
        }
        if (!verdict) {
            throw new PeerIdentityException(service, chain.request().url().host() + ':' + chain.request().url().port(),
                    settings.expectedIdentity(), PeerIdentity.presented(certificate));
        }
        return chain.proceed(chain.request());
    }
}
