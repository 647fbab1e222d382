package io.mesh4j.client;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import io.mesh4j.api.tls.CertificateSource;
import io.mesh4j.client.internal.TlsMaterial;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import okhttp3.TlsVersion;

/**
 * How the mesh talks TLS to one service's instances, whatever the caller's client does: the roots it trusts, the
 * client certificate it presents (mutual TLS), the identity every instance must prove, and the lowest TLS version.
 * A service with these settings is always called over TLS, even for an {@code http://} URL, and its instances are
 * checked against the expected identity although the mesh addresses them by IP: the certificate must carry one of
 * the expected DNS names, or the expected SPIFFE ID as a URI subject alternative name ({@code spiffe://<trust
 * domain>/<path>}, as Istio, Linkerd and Consul Connect issue them). A mismatch fails the attempt with
 * {@link io.mesh4j.api.PeerIdentityException} before any request byte is sent.
 *
 * <p>Rotation needs no restart: the files are read again every {@link Builder#checkInterval} (5 s by default); when
 * their content changed and parses, new connections use the new material while connections already open finish
 * their calls and drain. Files that do not parse leave the material in use unchanged; the mesh logs why (never a
 * key's content) and counts {@code mesh.tls.reloads{service, result=rejected}}.
 *
 * <p>The material is read from PEM files when {@link Builder#build()} runs: trust roots as one or more
 * {@code CERTIFICATE} blocks; the client certificate chain likewise, leaf first; its private key as a PKCS #8
 * {@code PRIVATE KEY} block (RSA or EC; convert others with {@code openssl pkcs8 -topk8 -nocrypt}). A file that cannot
 * be read or parsed fails {@code build()} with the file and the reason, never the key's content.
 *
 * <pre>{@code
 * TlsSettings tls = TlsSettings.builder()
 *     .trustRoots(Path.of("/etc/mesh/ca.pem"))
 *     .clientCertificate(Path.of("/etc/mesh/cert.pem"), Path.of("/etc/mesh/key.pem"))
 *     .expectSpiffeId("spiffe://example.org/ns/default/sa/orders")
 *     .build();
 * ServiceSettings orders = ServiceSettings.custom().tls(tls).build();
 * }</pre>
 *
 * <p>The mesh applies these settings to the calls it runs: {@link MeshClient#newCall}, {@link MeshClient#callFactory}
 * and {@link MeshClient#okHttpClient()}. Through the {@link MeshClient#interceptor()} on a client of your own, a call to
 * such a service fails, since an interceptor cannot choose the TLS of its own call.
 *
 * <p>Immutable and thread-safe.
 */
public final class TlsSettings {

    @Nullable
    private final Path trustRoots;
    @Nullable
    private final CertificateSource certificateSource;
    @Nullable
    private final Path certificateChain;
    @Nullable
    private final Path privateKey;
    private final Set<String> dnsNames;
    @Nullable
    private final String spiffeId;
    private final TlsVersion minVersion;
    private final Duration checkInterval;

    private TlsSettings(Builder builder) {
        this.trustRoots = builder.trustRoots;
        this.certificateSource = builder.certificateSource;
        this.certificateChain = builder.certificateChain;
        this.privateKey = builder.privateKey;
        this.dnsNames = Collections.unmodifiableSet(new LinkedHashSet<>(builder.dnsNames));
        this.spiffeId = builder.spiffeId;
        this.minVersion = builder.minVersion;
        this.checkInterval = builder.checkInterval;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The PEM file of the trusted roots, or {@code null} when a {@link #certificateSource()} gives them. */
    @Nullable
    public Path trustRoots() {
        return trustRoots;
    }

    /** Where roots, client certificate and expected identities come from instead of files, or {@code null}. */
    @Nullable
    public CertificateSource certificateSource() {
        return certificateSource;
    }

    /** The PEM file of the client certificate chain, or {@code null} without mutual TLS. */
    @Nullable
    public Path certificateChain() {
        return certificateChain;
    }

    /** The PEM file of the client's private key, or {@code null} without mutual TLS. */
    @Nullable
    public Path privateKey() {
        return privateKey;
    }

    /** DNS names one of which every instance's certificate must carry; empty when a SPIFFE ID is expected. */
    public Set<String> expectedDnsNames() {
        return dnsNames;
    }

    /** The SPIFFE ID every instance's certificate must carry, or {@code null}. */
    @Nullable
    public String expectedSpiffeId() {
        return spiffeId;
    }

    /** The lowest TLS version the mesh accepts. */
    public TlsVersion minTlsVersion() {
        return minVersion;
    }

    /** How often the files are read again for rotated material; {@link Duration#ZERO} for never. */
    public Duration checkInterval() {
        return checkInterval;
    }

    @Override
    public String toString() {
        return "TlsSettings{" + (certificateSource != null ? "certificates from " + certificateSource.name()
                : "roots " + trustRoots) + (certificateChain == null ? "" : ", client certificate " + certificateChain)
                + (spiffeId != null ? ", expect " + spiffeId
                : dnsNames.isEmpty() ? "" : ", expect " + String.join(" or ", dnsNames))
                + ", min " + minVersion.javaName() + '}';
    }

    /** Builds {@link TlsSettings}. Not thread-safe; {@link #build()} reads and checks the files. */
    public static final class Builder {
        @Nullable
        private Path trustRoots;
        @Nullable
        private CertificateSource certificateSource;
        @Nullable
        private Path certificateChain;
        @Nullable
        private Path privateKey;
        private final Set<String> dnsNames = new LinkedHashSet<>();
        @Nullable
        private String spiffeId;
        private TlsVersion minVersion = TlsVersion.TLS_1_2;
        private Duration checkInterval = Duration.ofSeconds(5);

        private Builder() {
        }

        /**
         * How often the files are read again to take up rotated material, 10 ms to 1 h, or {@link Duration#ZERO}
         * for never. Default: 5 s.
         */
        public Builder checkInterval(Duration checkInterval) {
            requireNonNull(checkInterval, "checkInterval");
            if (!checkInterval.isZero()) {
                Checks.range("checkInterval", checkInterval, Duration.ofMillis(10), Duration.ofHours(1));
            }
            this.checkInterval = checkInterval;
            return this;
        }

        /** The PEM file of the certificates to trust, one or more. Required, unless a certificate source is set. */
        public Builder trustRoots(Path pemFile) {
            this.trustRoots = requireNonNull(pemFile, "trustRoots");
            return this;
        }

        /**
         * Takes trusted roots, the client certificate and the identity each instance must prove from {@code source}
         * instead of files, such as Consul Connect's agent; each new bundle it delivers is used for new
         * connections. An identity set here with {@link #expectSpiffeId} or {@link #expectDnsNames} wins over the
         * source's. Until the source's first bundle, calls to the service fail their TLS handshake, saying so.
         */
        public Builder certificates(CertificateSource source) {
            this.certificateSource = requireNonNull(source, "source");
            return this;
        }

        /** The client certificate chain (leaf first) and its PKCS #8 private key, both PEM files, for mutual TLS. */
        public Builder clientCertificate(Path chainPemFile, Path keyPemFile) {
            this.certificateChain = requireNonNull(chainPemFile, "certificateChain");
            this.privateKey = requireNonNull(keyPemFile, "privateKey");
            return this;
        }

        /** DNS names one of which each instance's certificate must carry (a {@code *.} wildcard matches one label). */
        public Builder expectDnsNames(String... names) {
            for (String name : requireNonNull(names, "names")) {
                requireNonNull(name, "name");
                if (name.isEmpty() || name.contains("/") || name.contains(":") || name.contains(" ")) {
                    throw new IllegalArgumentException("expectDnsNames: '" + name + "' (expected: a DNS name)");
                }
                dnsNames.add(name.toLowerCase(Locale.ROOT));
            }
            return this;
        }

        /** The SPIFFE ID each instance's certificate must carry, such as {@code spiffe://example.org/ns/a/sa/b}. */
        public Builder expectSpiffeId(String spiffeId) {
            requireNonNull(spiffeId, "spiffeId");
            URI uri;
            try {
                uri = new URI(spiffeId);
            } catch (URISyntaxException e) {
                uri = null;
            }
            if (uri == null || !"spiffe".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() != -1
                    || uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("expectSpiffeId: '" + spiffeId
                        + "' (expected: spiffe://<trust domain>/<path>)");
            }
            this.spiffeId = spiffeId;
            return this;
        }

        /** The lowest TLS version accepted, {@code TLS_1_2} or {@code TLS_1_3}. Default: {@code TLS_1_2}. */
        public Builder minTlsVersion(TlsVersion minVersion) {
            requireNonNull(minVersion, "minTlsVersion");
            if (minVersion != TlsVersion.TLS_1_2 && minVersion != TlsVersion.TLS_1_3) {
                throw new IllegalArgumentException("minTlsVersion: " + minVersion.javaName()
                        + " (expected: TLSv1.2 or TLSv1.3)");
            }
            this.minVersion = minVersion;
            return this;
        }

        /**
         * Reads the files and builds the settings.
         *
         * @throws IllegalArgumentException naming the field, the file and what is wrong with it (never a key's
         *     content), or when both DNS names and a SPIFFE ID are expected
         */
        public TlsSettings build() {
            if ((trustRoots == null) == (certificateSource == null)) {
                throw new IllegalArgumentException("trustRoots and certificates: " + (trustRoots == null
                        ? "neither set" : "both set") + " (expected: a PEM file of CA certificates, or a"
                        + " certificate source)");
            }
            if (certificateSource != null && certificateChain != null) {
                throw new IllegalArgumentException("clientCertificate: set with a certificate source (expected: the"
                        + " source gives the client certificate)");
            }
            if (spiffeId != null && !dnsNames.isEmpty()) {
                throw new IllegalArgumentException("expectSpiffeId and expectDnsNames: both set (expected: one"
                        + " kind of identity)");
            }
            TlsSettings settings = new TlsSettings(this);
            if (trustRoots != null) {
                TlsMaterial.load(settings);
            }
            return settings;
        }
    }
}
