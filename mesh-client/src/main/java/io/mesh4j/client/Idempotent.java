package io.mesh4j.client;

/**
 * Marks one request as safe to send twice, so that a POST or PATCH may be retried after it reached a server, as
 * GET and PUT are. Set it as an OkHttp tag:
 *
 * <pre>{@code
 * Request request = new Request.Builder()
 *     .url("http://payments/v1/charges")
 *     .post(body)
 *     .header("Idempotency-Key", key)
 *     .tag(Idempotent.class, Idempotent.YES)
 *     .build();
 * }</pre>
 *
 * <p>A one-shot body is still never sent twice.
 */
public final class Idempotent {

    /** The tag value. */
    public static final Idempotent YES = new Idempotent();

    private Idempotent() {
    }

    @Override
    public String toString() {
        return "Idempotent.YES";
    }
}
