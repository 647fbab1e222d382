package io.mesh4j.api;

import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Thrown when an instance's TLS certificate does not carry the identity the service's TLS settings expect (a DNS
 * name or a SPIFFE ID): the mesh closes nothing it has not opened and sends no request byte to it. It is an
 * {@link SSLPeerUnverifiedException}, as a failed host name check is, and says what was expected and what the
 * certificate presented.
 */
public final class PeerIdentityException extends SSLPeerUnverifiedException {

    private static final long serialVersionUID = 1L;

    private final String service;
    private final String expected;
    private final List<String> presented;

    /**
     * @param instance the instance's address, as {@code host:port}
     * @param presented the certificate's subject alternative names, such as {@code DNS:orders.internal} or
     *     {@code URI:spiffe://example.org/ns/default/sa/orders}
     */
    public PeerIdentityException(String service, String instance, String expected, List<String> presented) {
        super("Instance " + instance + " of service '" + service + "' presented " + presented + ", expected "
                + expected);
        this.service = service;
        this.expected = expected;
        this.presented = List.copyOf(presented);
    }

    public String service() {
        return service;
    }

    /** The identity the service's TLS settings expect. */
    public String expected() {
        return expected;
    }

    /** The subject alternative names the instance's certificate carries. */
    public List<String> presented() {
        return presented;
    }
}
