package io.mesh4j.discovery.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.discovery.etcd.internal.EtcdClients;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to reach etcd, shared by {@link EtcdDiscovery} and {@link EtcdRegistration}: the members' URLs, etcd's own
 * authentication and TLS. Immutable and thread-safe; the password is never logged nor part of {@link #toString()}.
 *
 * <pre>{@code
 * EtcdConnection etcd = EtcdConnection.builder()
 *     .endpoints("https://etcd-1:2379", "https://etcd-2:2379")
 *     .tls(Path.of("ca.pem"), Path.of("client.pem"), Path.of("client-key.pem"))
 *     .build();
 * EtcdDiscovery discovery = EtcdDiscovery.builder().connection(etcd).build();
 * }</pre>
 */
public final class EtcdConnection {

    private static final EtcdConnection LOCAL = of("http://127.0.0.1:2379");

    private final List<String> endpoints;
    @Nullable
    private final String user;
    @Nullable
    private final String password;
    @Nullable
    private final EtcdClients.TlsFiles tls;

    private EtcdConnection(Builder builder) {
        this.endpoints = List.copyOf(builder.endpoints);
        this.user = builder.user;
        this.password = builder.password;
        this.tls = builder.tls;
    }

    /** A plain connection to {@code endpoints}. */
    public static EtcdConnection of(String... endpoints) {
        return builder().endpoints(endpoints).build();
    }

    /** {@code http://127.0.0.1:2379}, the default. */
    public static EtcdConnection local() {
        return LOCAL;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<String> endpoints() {
        return endpoints;
    }

    /** A new jetcd client over this connection. */
    Client newClient() {
        return EtcdClients.create(endpoints, user, password, tls);
    }

    @Override
    public String toString() {
        return "EtcdConnection{" + endpoints + (user == null ? "" : ", user " + user) + (tls == null ? "" : ", " + tls)
                + '}';
    }

    /** Builds an {@link EtcdConnection}. Not thread-safe; {@link #build()} checks the URLs. */
    public static final class Builder {
        private final List<String> endpoints = new ArrayList<>();
        @Nullable
        private String user;
        @Nullable
        private String password;
        @Nullable
        private EtcdClients.TlsFiles tls;

        private Builder() {
        }

        /** The etcd members to talk to: http or https URLs. Required. */
        public Builder endpoints(String... endpoints) {
            requireNonNull(endpoints, "endpoints");
            this.endpoints.clear();
            for (String endpoint : endpoints) {
                this.endpoints.add(requireNonNull(endpoint, "endpoint"));
            }
            return this;
        }

        /** etcd's user and password (etcd authentication); the password is never logged. */
        public Builder credentials(String user, String password) {
            this.user = requireNonNull(user, "user");
            this.password = requireNonNull(password, "password");
            return this;
        }

        /**
         * TLS to etcd ({@code https://} endpoints): the PEM file of the certificates to trust, and for etcd's
         * {@code --client-cert-auth} a client certificate chain and its PKCS#8 private key, or {@code null} for both.
         * Unreadable files fail when a client is built, naming the file; their content is never logged.
         */
        public Builder tls(Path trustedCertificates, @Nullable Path certificateChain, @Nullable Path privateKey) {
            requireNonNull(trustedCertificates, "trustedCertificates");
            if ((certificateChain == null) != (privateKey == null)) {
                throw new IllegalArgumentException("tls: certificateChain " + certificateChain + ", privateKey "
                        + privateKey + " (expected: both or neither)");
            }
            this.tls = new EtcdClients.TlsFiles(trustedCertificates, certificateChain, privateKey);
            return this;
        }

        /**
         * Builds the connection settings.
         *
         * @throws IllegalArgumentException when there is no endpoint or one is not an http or https URL
         */
        public EtcdConnection build() {
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("endpoints: [] (expected: at least one http or https URL)");
            }
            for (String endpoint : endpoints) {
                if (!endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
                    throw new IllegalArgumentException("endpoints: '" + endpoint
                            + "' (expected: an http or https URL)");
                }
            }
            return new EtcdConnection(this);
        }
    }
}
