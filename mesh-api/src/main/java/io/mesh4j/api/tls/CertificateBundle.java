package io.mesh4j.api.tls;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.annotation.Nullable;
import java.util.List;

/**
 * One version of the TLS material a {@link CertificateSource} hands out, as PEM text: the roots to trust, the
 * client's certificate chain and private key for mutual TLS, and how to name the identity an instance of a service
 * must prove. Immutable.
 */
public final class CertificateBundle {

    /** The place of the service's name in {@link #identityTemplate()}. */
    public static final String SERVICE = "{service}";

    private final List<String> trustRootsPem;
    @Nullable
    private final String certificateChainPem;
    @Nullable
    private final String privateKeyPem;
    @Nullable
    private final String identityTemplate;

    /**
     * @param trustRootsPem the roots to trust, each one or more PEM {@code CERTIFICATE} blocks
     * @param certificateChainPem the client's chain, leaf first, or {@code null} without a client certificate
     * @param privateKeyPem the client's key ({@code PRIVATE KEY}, or {@code EC PRIVATE KEY} as Consul issues it),
     *     or {@code null} without a client certificate
     * @param identityTemplate the SPIFFE ID an instance of a service must present, with {@value #SERVICE} for the
     *     service's name, such as {@code spiffe://7f3c.consul/ns/default/dc/dc1/svc/{service}}; {@code null} when the
     *     source does not say
     */
    public CertificateBundle(List<String> trustRootsPem, @Nullable String certificateChainPem,
            @Nullable String privateKeyPem, @Nullable String identityTemplate) {
        this.trustRootsPem = List.copyOf(requireNonNull(trustRootsPem, "trustRootsPem"));
        if ((certificateChainPem == null) != (privateKeyPem == null)) {
            throw new IllegalArgumentException("certificateChainPem and privateKeyPem: one without the other"
                    + " (expected: both or neither)");
        }
        if (identityTemplate != null && !identityTemplate.contains(SERVICE)) {
            throw new IllegalArgumentException("identityTemplate: '" + identityTemplate + "' (expected: "
                    + SERVICE + " in it)");
        }
        this.certificateChainPem = certificateChainPem;
        this.privateKeyPem = privateKeyPem;
        this.identityTemplate = identityTemplate;
    }

    public List<String> trustRootsPem() {
        return trustRootsPem;
    }

    @Nullable
    public String certificateChainPem() {
        return certificateChainPem;
    }

    @Nullable
    public String privateKeyPem() {
        return privateKeyPem;
    }

    @Nullable
    public String identityTemplate() {
        return identityTemplate;
    }

    /** The identity an instance of {@code service} must present, or {@code null} when the source does not say. */
    @Nullable
    public String identityOf(String service) {
        return identityTemplate == null ? null : identityTemplate.replace(SERVICE, service);
    }

    /** Says what the bundle holds, never the key. */
    @Override
    public String toString() {
        return "CertificateBundle{" + trustRootsPem.size() + " root blocks"
                + (certificateChainPem == null ? "" : ", a client certificate")
                + (identityTemplate == null ? "" : ", identity " + identityTemplate) + '}';
    }
}
