package io.mesh4j.client.internal;

import io.mesh4j.api.annotation.Nullable;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a certificate for the identity a service's TLS settings expect: the SPIFFE ID as a URI subject
 * alternative name, or one of the DNS names as a DNS subject alternative name (a leading {@code *.} in the
 * certificate matches exactly one label, as RFC 6125 allows). The subject's common name is not looked at, as browsers
 * and OkHttp no longer do.
 */
final class PeerIdentity {

    private static final int DNS = 2;
    private static final int URI = 6;
    private static final int IP = 7;

    private PeerIdentity() {
    }

    /** Whether {@code certificate} carries {@code spiffeId}, or when that is {@code null} one of {@code dnsNames}. */
    static boolean matches(@Nullable String spiffeId, Set<String> dnsNames, X509Certificate certificate) {
        Collection<List<?>> names = names(certificate);
        if (names == null) {
            return false;
        }
        for (List<?> name : names) {
            Object type = name.get(0);
            Object value = name.get(1);
            if (spiffeId != null) {
                if (Integer.valueOf(URI).equals(type) && spiffeId.equals(value)) {
                    return true;
                }
            } else if (Integer.valueOf(DNS).equals(type) && value instanceof String) {
                for (String expected : dnsNames) {
                    if (dnsMatches(expected, ((String) value).toLowerCase(Locale.ROOT))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** Whether {@code presented}, lower case, names {@code expected}: equal, or a one-label wildcard over it. */
    static boolean dnsMatches(String expected, String presented) {
        if (presented.startsWith("*.")) {
            int dot = expected.indexOf('.');
            return dot > 0 && presented.length() > 2 && expected.substring(dot + 1).equals(presented.substring(2))
                    && presented.indexOf('.', 2) > 0;
        }
        return expected.equals(presented);
    }

    /** The subject alternative names of {@code certificate} as errors show them: {@code DNS:x}, {@code URI:y}. */
    static List<String> presented(X509Certificate certificate) {
        List<String> shown = new ArrayList<>();
        Collection<List<?>> names = names(certificate);
        if (names != null) {
            for (List<?> name : names) {
                Object type = name.get(0);
                if (Integer.valueOf(DNS).equals(type)) {
                    shown.add("DNS:" + name.get(1));
                } else if (Integer.valueOf(URI).equals(type)) {
                    shown.add("URI:" + name.get(1));
                } else if (Integer.valueOf(IP).equals(type)) {
                    shown.add("IP:" + name.get(1));
                }
            }
        }
        return shown;
    }

    @Nullable
    private static Collection<List<?>> names(X509Certificate certificate) {
        try {
            return certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return null;
        }
    }
}
