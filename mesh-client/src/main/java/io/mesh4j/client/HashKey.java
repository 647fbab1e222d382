package io.mesh4j.client;

import static java.util.Objects.requireNonNull;

/**
 * A consistent-hashing key set by the caller on one request, as an OkHttp tag. It takes precedence over the
 * header and cookie configured in {@link ServiceSettings}. Only balancers that hash (ring hash) read it.
 *
 * <pre>{@code
 * Request request = new Request.Builder()
 *     .url("http://carts/v1/cart")
 *     .tag(HashKey.class, HashKey.of(userId))
 *     .build();
 * }</pre>
 *
 * <p>Immutable.
 */
public final class HashKey {

    private final String value;

    private HashKey(String value) {
        this.value = value;
    }

    /** A key with {@code value}. */
    public static HashKey of(String value) {
        return new HashKey(requireNonNull(value, "value"));
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashKey && ((HashKey) o).value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return "HashKey{" + value + '}';
    }
}
