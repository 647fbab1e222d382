package io.mesh4j.discovery.etcd.internal;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.mesh4j.api.annotation.Nullable;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Creates the jetcd clients of the etcd module. */
public final class EtcdClients {

    private EtcdClients() {
    }

    /**
     * A client of {@code endpoints}, authenticating as {@code user} when given. The password goes only to jetcd,
     * never into a message or a log line.
     */
    public static Client create(List<String> endpoints, @Nullable String user, @Nullable String password) {
        return create(endpoints, user, password, null);
    }

    /**
     * A client as {@link #create(List, String, String)}, over TLS when {@code tls} is given: the trust roots, and
     * a client certificate for etcd's {@code --client-cert-auth}.
     *
     * @throws IllegalArgumentException naming the file when TLS material cannot be read, without its content
     */
    public static Client create(List<String> endpoints, @Nullable String user, @Nullable String password,
            @Nullable TlsFiles tls) {
        ClientBuilder builder = Client.builder().endpoints(endpoints.toArray(String[]::new))
                .retryDelay(200).retryMaxDelay(2_000);
        if (user != null) {
            builder.user(bytes(user)).password(bytes(password == null ? "" : password));
        }
        if (tls != null) {
            try {
                builder.sslContext(ssl -> {
                    ssl.trustManager(tls.trustedCertificates.toFile());
                    if (tls.certificateChain != null && tls.privateKey != null) {
                        ssl.keyManager(tls.certificateChain.toFile(), tls.privateKey.toFile());
                    }
                });
            } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("tls: cannot use " + tls + " (" + e.getClass().getSimpleName()
                        + ")", e);
            }
        }
        return builder.build();
    }

    /** PEM files for TLS to etcd: trust roots, and optionally a client certificate chain and its PKCS#8 key. */
    public static final class TlsFiles {
        final java.nio.file.Path trustedCertificates;
        @Nullable
        final java.nio.file.Path certificateChain;
        @Nullable
        final java.nio.file.Path privateKey;

        public TlsFiles(java.nio.file.Path trustedCertificates, @Nullable java.nio.file.Path certificateChain,
                @Nullable java.nio.file.Path privateKey) {
            this.trustedCertificates = trustedCertificates;
            this.certificateChain = certificateChain;
            this.privateKey = privateKey;
        }

        /** Names the files only: never their content. */
        @Override
        public String toString() {
            return "trusted certificates " + trustedCertificates
                    + (certificateChain == null ? "" : ", client certificate " + certificateChain + ", its key "
                    + privateKey);
        }
    }

    public static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }
}
