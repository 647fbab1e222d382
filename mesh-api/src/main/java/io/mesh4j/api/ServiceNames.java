package io.mesh4j.api;

import static java.util.Objects.requireNonNull;

/**
 * Checks logical service names. A service name is used as the host of a mesh URL ({@code http://orders/...}), and
 * OkHttp lower-cases hosts, so a name with capitals could never be matched: it is rejected up front.
 */
public final class ServiceNames {

    /** The longest accepted service name, the longest DNS name. */
    public static final int MAX_LENGTH = 253;

    private ServiceNames() {
    }

    /** Returns whether {@code name} is a valid service name: see {@link #check(String, String)}. */
    public static boolean isValid(String name) {
        requireNonNull(name, "name");
        int length = name.length();
        if (length == 0 || length > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
            boolean inner = c == '-' || c == '.' || c == '_';
            if (!alnum && !(inner && i > 0 && i < length - 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns {@code name} when it is 1 to 253 characters of lower-case letters, digits, and inner {@code '-'},
     * {@code '.'} or {@code '_'}.
     *
     * @param field the field name to put in the error message
     * @throws IllegalArgumentException naming {@code field} and the expected form otherwise
     */
    public static String check(String field, String name) {
        if (!isValid(name)) {
            throw new IllegalArgumentException(field + ": '" + name + "' (expected: 1 to " + MAX_LENGTH
                    + " lower-case letters, digits and inner '-', '.' or '_')");
        }
        return name;
    }
}
