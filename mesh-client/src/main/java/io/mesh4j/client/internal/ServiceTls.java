package io.mesh4j.client.internal;

import io.mesh4j.api.PeerIdentityException;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.tls.CertificateBundle;
import io.mesh4j.api.tls.CertificateSource;
import io.mesh4j.client.TlsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>Rotation: the material comes from files read again every {@code checkInterval}, or from each bundle a
 * {@link CertificateSource} delivers. New material that parses replaces the variants, so new connections use it
 * while open ones drain (OkHttp does not reuse them for the new socket factory); material that does not parse is
 * logged and counted, and the material in use stays.
 *
 * <p>Thread-safe and lock-free on the request path; file checks run on the client's scheduler thread, bundles arrive
 * on the source's thread.
 */
final class ServiceTls {

    private static final Logger log = LoggerFactory.getLogger(ServiceTls.class);
    private static final int MAX_REMEMBERED = 1_024;

    /** The material in use and the identity it expects, replaced together. */
    private static final class State {
        final TlsMaterial material;
        @Nullable
        final String spiffeId;
        final Set<String> dnsNames;
        final Map<OkHttpClient, OkHttpClient> variants = new ConcurrentHashMap<>();
        final Map<X509Certificate, Boolean> verdicts = new ConcurrentHashMap<>();

        State(TlsMaterial material, @Nullable String spiffeId, Set<String> dnsNames) {
            this.material = material;
            this.spiffeId = spiffeId;
            this.dnsNames = dnsNames;
        }

        boolean checksIdentity() {
            return spiffeId != null || !dnsNames.isEmpty();
        }

        String expected() {
            return spiffeId != null ? spiffeId : String.join(" or ", dnsNames);
        }
    }

    private final String service;
    private final TlsSettings settings;
    private final Interceptor identityCheck = this::checkIdentity;
    private volatile State state;
    @Nullable
    private volatile Telemetry telemetry;
    /** The files' content the material in use, or the last rejected attempt, was read from; checker thread only. */
    private byte[][] lastRead;
    @Nullable
    private ScheduledFuture<?> checks;
    @Nullable
    private final Subscription bundles;

    ServiceTls(String service, TlsSettings settings) {
        this.service = service;
        this.settings = settings;
        CertificateSource source = settings.certificateSource();
        if (source == null) {
            this.lastRead = readFiles();
            this.state = new State(TlsMaterial.load(settings), settings.expectedSpiffeId(),
                    settings.expectedDnsNames());
            this.bundles = null;
        } else {
            this.lastRead = new byte[0][];
            this.state = new State(TlsMaterial.awaiting(source.name()), settings.expectedSpiffeId(),
                    settings.expectedDnsNames());
            this.bundles = source.subscribe(this::onBundle);
        }
    }

    /** Starts reading the files every {@code checkInterval} on {@code scheduler}, reporting reloads to telemetry. */
    void start(ScheduledExecutorService scheduler, Telemetry telemetry) {
        this.telemetry = telemetry;
        long interval = settings.checkInterval().toNanos();
        if (settings.certificateSource() == null && interval > 0) {
            checks = scheduler.scheduleWithFixedDelay(this::checkFiles, interval, interval, TimeUnit.NANOSECONDS);
        }
    }

    void close() {
        if (checks != null) {
            checks.cancel(false);
        }
        if (bundles != null) {
            bundles.close();
        }
    }

    /** Takes up a bundle of the certificate source; one that does not parse is reported and changes nothing. */
    private void onBundle(CertificateBundle bundle) {
        String source = settings.certificateSource().name();
        TlsMaterial next;
        try {
            next = TlsMaterial.from(bundle, source);
        } catch (RuntimeException e) {
            log.warn("TLS material from {} for service '{}' rejected, the material in use stays: {}", source, service,
                    e.getMessage());
            report("rejected");
            return;
        }
        boolean explicit = settings.expectedSpiffeId() != null || !settings.expectedDnsNames().isEmpty();
        state = new State(next, explicit ? settings.expectedSpiffeId() : bundle.identityOf(service),
                settings.expectedDnsNames());
        log.info("TLS material from {} for service '{}' taken up: new connections use it", source, service);
        report("applied");
    }

    /** Takes up rotated files: new content that parses replaces the material; other content is reported once. */
    void checkFiles() {
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
            report("rejected");
            return;
        }
        state = new State(next, settings.expectedSpiffeId(), settings.expectedDnsNames());
        log.info("Rotated TLS files of service '{}' taken up: new connections use them", service);
        report("applied");
    }

    private void report(String result) {
        Telemetry sink = telemetry;
        if (sink != null) {
            sink.tlsReload(service, result);
        }
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
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (!Arrays.equals(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }

    /** {@code base} with the service's TLS: made once per base client and material, then looked up. */
    OkHttpClient clientFor(OkHttpClient base) {
        State current = state;
        OkHttpClient variant = current.variants.get(base);
        if (variant != null) {
            return variant;
        }
        return current.variants.computeIfAbsent(base, client -> variantOf(client, current));
    }

    private OkHttpClient variantOf(OkHttpClient base, State current) {
        ConnectionSpec spec = new ConnectionSpec.Builder(ConnectionSpec.MODERN_TLS)
                .tlsVersions(settings.minTlsVersion() == TlsVersion.TLS_1_3
                        ? new TlsVersion[] {TlsVersion.TLS_1_3}
                        : new TlsVersion[] {TlsVersion.TLS_1_3, TlsVersion.TLS_1_2})
                .build();
        OkHttpClient.Builder builder = base.newBuilder()
                .sslSocketFactory(current.material.socketFactory(), current.material.trustManager())
                .connectionSpecs(List.of(spec))
                .addNetworkInterceptor(identityCheck);
        if (current.checksIdentity()) {
            // Instances are addressed by IP: the identity check below replaces the check of the address.
            builder.hostnameVerifier((host, session) -> true);
        }
        return builder.build();
    }

    private Response checkIdentity(Interceptor.Chain chain) throws IOException {
        State current = state;
        if (!current.checksIdentity()) {
            return chain.proceed(chain.request());
        }
        Connection connection = chain.connection();
        Handshake handshake = connection == null ? null : connection.handshake();
        List<Certificate> peer = handshake == null ? List.of() : handshake.peerCertificates();
        String instance = chain.request().url().host() + ':' + chain.request().url().port();
        if (peer.isEmpty() || !(peer.get(0) instanceof X509Certificate)) {
            throw new SSLPeerUnverifiedException("Instance " + instance + " of service '" + service
                    + "' presented no certificate");
        }
        X509Certificate certificate = (X509Certificate) peer.get(0);
        Boolean verdict = current.verdicts.get(certificate);
        if (verdict == null) {
            verdict = PeerIdentity.matches(current.spiffeId, current.dnsNames, certificate);
            if (current.verdicts.size() >= MAX_REMEMBERED) {
                current.verdicts.clear();
            }
            current.verdicts.put(certificate, verdict);
        }
        if (!verdict) {
            throw new PeerIdentityException(service, instance, current.expected(),
                    PeerIdentity.presented(certificate));
        }
        return chain.proceed(chain.request());
    }
}
