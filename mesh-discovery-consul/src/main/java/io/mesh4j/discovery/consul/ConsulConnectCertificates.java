package io.mesh4j.discovery.consul;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mesh4j.api.ServiceNames;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.tls.CertificateBundle;
import io.mesh4j.api.tls.CertificateSource;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Consul Connect's certificates for a Connect-native client: the calling service's leaf certificate and the CA
 * roots, from the local agent ({@code GET /v1/agent/connect/ca/leaf/<service>} and
 * {@code GET /v1/agent/connect/ca/roots}), each watched with blocking queries, so a rotation reaches the client one
 * round trip after the agent has it. Each bundle trusts every root the agent lists (during a CA rotation, the old and
 * the new), presents the leaf as the client certificate, and expects an instance of service {@code x} to present
 * {@code x}'s SPIFFE ID in the caller's own trust domain, namespace and datacenter (the leaf's {@code ServiceURI}
 * with {@code x} as the service), as Connect-native clients check. With Consul discovery, that makes mutual TLS
 * between services with no sidecar:
 *
 * <pre>{@code
 * ConsulConnectCertificates connect = ConsulConnectCertificates.builder("web").aclToken(token).build();
 * MeshClient mesh = MeshClient.builder()
 *     .discovery(ConsulDiscovery.builder().aclToken(token).build())
 *     .service("orders", ServiceSettings.custom()
 *         .tls(TlsSettings.builder().certificates(connect).build()).build())
 *     .build();
 * }</pre>
 *
 * <p>When the agent fails or answers with something that is not the documented JSON, the last bundle stays in use;
 * the problem is logged once and queries back off. {@link #subscribe} waits up to {@link Builder#firstReadTimeout}
 * for both endpoints' first answers. Thread-safe; close it when done.
 */
public final class ConsulConnectCertificates extends AgentWatch<CertificateBundle> implements CertificateSource {

    private final String service;
    private final ObjectMapper json = new ObjectMapper();
    /** The latest answers of each endpoint, guarded by this object's monitor. */
    @Nullable
    private List<String> roots;
    @Nullable
    private Leaf leaf;

    /** The parts of a leaf answer a bundle needs. */
    private static final class Leaf {
        final String certificatePem;
        final String privateKeyPem;
        final String identityTemplate;

        Leaf(String certificatePem, String privateKeyPem, String identityTemplate) {
            this.certificatePem = certificatePem;
            this.privateKeyPem = privateKeyPem;
            this.identityTemplate = identityTemplate;
        }
    }

    private ConsulConnectCertificates(Builder builder) {
        super("consul-connect", builder);
        this.service = builder.service;
    }

    /** Certificates for the calling service {@code service}, the one whose leaf certificate the client presents. */
    public static Builder builder(String service) {
        return new Builder(service);
    }

    @Override
    public String name() {
        return "consul-connect";
    }

    @Override
    List<BlockingQueryLoop> loops(HttpClient http, ScheduledExecutorService scheduler,
            BlockingQueryLoop.Settings settings) {
        return List.of(
                new BlockingQueryLoop(http, scheduler, settings, "/v1/agent/connect/ca/roots",
                        handler("CA roots", this::roots)),
                new BlockingQueryLoop(http, scheduler, settings,
                        "/v1/agent/connect/ca/leaf/" + HealthQueries.encode(service),
                        handler("leaf certificate of service '" + service + "'", this::leaf)));
    }

    @Override
    String noFirstValue() {
        return "Consul Connect gave no certificates for service '" + service + "'; calls wait for them";
    }

    /** Parses one endpoint's answers with {@code parse}, which returns why an answer is unusable, or null. */
    private BlockingQueryLoop.Handler handler(String what, Parser parse) {
        return new BlockingQueryLoop.Handler() {
            @Override
            public String answered(int status, byte[] body) {
                if (status == 404) {
                    firstAnswered();
                    return "no " + what + " at the agent (HTTP 404)";
                }
                try {
                    return parse.parse(json.readTree(body));
                } catch (IOException | RuntimeException e) {
                    return "a body for the " + what + " that is not the documented JSON ("
                            + e.getClass().getSimpleName() + ")";
                }
            }

            @Override
            public void failed(String why) {
                problem("the query for the " + what + " failed: " + why);
                firstAnswered();
            }
        };
    }

    private interface Parser {
        @Nullable
        String parse(JsonNode answer);
    }

    /** Takes the roots answer: {@code {"TrustDomain": ..., "Roots": [{"RootCert": PEM, ...}, ...]}}. */
    @Nullable
    private String roots(JsonNode answer) {
        JsonNode list = answer.get("Roots");
        if (list == null || !list.isArray() || list.isEmpty()) {
            return "no Roots in the CA roots answer";
        }
        List<String> pems = new ArrayList<>();
        for (JsonNode root : list) {
            JsonNode pem = root.get("RootCert");
            if (pem == null || !pem.isTextual()) {
                return "a root without RootCert";
            }
            pems.add(pem.asText());
        }
        synchronized (this) {
            if (!pems.equals(roots)) {
                roots = List.copyOf(pems);
                publishBoth();
            }
        }
        return null;
    }

    /** Takes the leaf answer: {@code {"CertPEM": ..., "PrivateKeyPEM": ..., "ServiceURI": "spiffe://.../svc/web"}}. */
    @Nullable
    private String leaf(JsonNode answer) {
        JsonNode certificate = answer.get("CertPEM");
        JsonNode key = answer.get("PrivateKeyPEM");
        JsonNode uri = answer.get("ServiceURI");
        if (certificate == null || !certificate.isTextual() || key == null || !key.isTextual()) {
            return "a leaf answer without CertPEM and PrivateKeyPEM";
        }
        String suffix = "/svc/" + service;
        if (uri == null || !uri.isTextual() || !uri.asText().startsWith("spiffe://")
                || !uri.asText().endsWith(suffix)) {
            return "a leaf answer whose ServiceURI is not the SPIFFE ID of service '" + service + "'";
        }
        String template = uri.asText().substring(0, uri.asText().length() - service.length())
                + CertificateBundle.SERVICE;
        Leaf next = new Leaf(certificate.asText(), key.asText(), template);
        synchronized (this) {
            if (leaf == null || !leaf.certificatePem.equals(next.certificatePem)
                    || !leaf.identityTemplate.equals(next.identityTemplate)) {
                leaf = next;
                publishBoth();
            }
        }
        return null;
    }

    /** Hands every subscriber a bundle of the latest roots and leaf, once both are known; holding the monitor. */
    private void publishBoth() {
        if (roots != null && leaf != null) {
            publish(new CertificateBundle(roots, leaf.certificatePem, leaf.privateKeyPem, leaf.identityTemplate));
        }
    }

    @Override
    public String toString() {
        return "ConsulConnectCertificates{" + agentUrl() + ", service " + service + '}';
    }

    /**
     * Builds {@link ConsulConnectCertificates}: the calling service here, the agent's address, token and timing in
     * {@link AgentWatchBuilder} (first certificates awaited for 5 s by default). Not thread-safe.
     */
    public static final class Builder extends AgentWatchBuilder<Builder> {
        private final String service;

        private Builder(String service) {
            super(Duration.ofSeconds(5));
            this.service = ServiceNames.check("service", requireNonNull(service, "service"));
        }

        public ConsulConnectCertificates build() {
            return new ConsulConnectCertificates(this);
        }
    }
}
