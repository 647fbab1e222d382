package io.mesh4j.client.internal;

import io.mesh4j.api.PeerIdentityException;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.client.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Connection;
import okhttp3.ConnectionSpec;
import okhttp3.Handshake;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import okhttp3.TlsVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS of one service's attempts: for each client the mesh sends attempts through, a variant with the service's
 * trust, client certificate and lowest TLS version, whose network interceptor checks each connection's peer
 * certificate for the expected identity before the first request byte goes out. The variants share the base
 * client's connection pool and dispatcher; their connections are pooled apart, since OkHttp pools by socket factory.
 *
 * <p>A certificate is checked once: the verdict is remembered by the certificate (a connection reused keeps its
 * certificate object, so the check on a reused connection is one map read).
 *
 * <p>Rotation: every {@code checkInterval} the files are read again; new content that parses replaces the material
 * and the variants, so new connections use it while open ones drain (OkHttp pools connections by socket factory, so
 * the old ones are not reused for new calls); content that does not parse is logged once and counted, and the
 * material in use stays.
 *
 * <p>Thread-safe and lock-free on the request path; checks run on the client's scheduler thread.
 */
final class ServiceTls {

    private static final int MAX_REMEMBERED = 1_024;

    private static final Logger log = LoggerFactory.getLogger(ServiceTls.class);

    private final String service;
    private final TlsSettings settings;
    private final Interceptor identityCheck = this::checkIdentity;
    private final Map<X509Certificate, Boolean> verdicts = new ConcurrentHashMap<>();
    private volatile TlsMaterial material;
    private volatile Map<OkHttpClient, OkHttpClient> variants = new ConcurrentHashMap<>();
    /** The files' content the material in use, or the last rejected attempt, was read from; checker thread only. */
    private byte[][] lastRead;
    @Nullable
    private ScheduledFuture<?> checks;

    ServiceTls(String service, TlsSettings settings) {
        this.service = service;
        this.settings = settings;
        this.lastRead = readFiles();
        this.material = TlsMaterial.load(settings);
    }

    /** Starts reading the files every {@code checkInterval} on {@code scheduler}, reporting reloads to telemetry. */
    void start(ScheduledExecutorService scheduler, Telemetry telemetry) {
        long interval = settings.checkInterval().toNanos();
        if (interval > 0) {
            checks = scheduler.scheduleWithFixedDelay(() -> checkFiles(telemetry), interval, interval,
                    TimeUnit.NANOSECONDS);
        }
    }

    void close() {
        if (checks != null) {
            checks.cancel(false);
        }
    }

    /** Takes up rotated files: new content that parses replaces the material; other content is reported once. */
    void checkFiles(Telemetry telemetry) {
        byte[][] now = readFiles();
        if (sameContent(now, lastRead)) {
            return;
        }
        lastRead = now;
        TlsMaterial next;
        try {
            next = TlsMaterial.load(settings);
        } catch (RuntimeException e) {
            log.warn("Rotated TLS files of service '{}' rejected, the material in use stays: {}", service,
                    e.getMessage());
            telemetry.tlsReload(service, "rejected");
            return;
        }
        material = next;
        variants = new ConcurrentHashMap<>();
        log.info("Rotated TLS files of service '{}' taken up: new connections use them", service);
        telemetry.tlsReload(service, "applied");
    }

    /** The content of the settings' files; a file that cannot be read counts as empty, and changes nothing. */
    private byte[][] readFiles() {
        Path[] paths = {settings.trustRoots(), settings.certificateChain(), settings.privateKey()};
        byte[][] content = new byte[paths.length][];
        for (int i = 0; i < paths.length; i++) {
            try {
                content[i] = paths[i] == null ? new byte[0] : Files.readAllBytes(paths[i]);
            } catch (IOException | SecurityException e) {
                content[i] = new byte[0];
            }
        }
        return content;
    }

    private static boolean sameContent(byte[][] a, byte[][] b) {
        for (int i = 0; i < a.length; i++) {
            if (!Arrays.equals(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }

    TlsSettings settings() {
        return settings;
    }

    /** {@code base} with the service's TLS: made once per base client, then looked up. */
    OkHttpClient clientFor(OkHttpClient base) {
        Map<OkHttpClient, OkHttpClient> current = variants;
        OkHttpClient variant = current.get(base);
        if (variant != null) {
            return variant;
        }
        TlsMaterial now = material;
        return current.computeIfAbsent(base, client -> variantOf(client, now));
    }

    private OkHttpClient variantOf(OkHttpClient base, TlsMaterial material) {
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
