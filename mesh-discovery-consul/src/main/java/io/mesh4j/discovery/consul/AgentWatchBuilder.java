package io.mesh4j.discovery.consul;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.Ticker;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import java.time.Duration;

/**
 * The settings every watch of a Consul agent endpoint shares ({@link ConsulPolicySource},
 * {@link ConsulConnectCertificates}): where the agent is, the ACL token, how blocking queries wait and back off, and
 * how long the first subscription waits for a first answer. Not thread-safe.
 *
 * @param <B> the builder that extends it, returned by every setter
 */
public abstract class AgentWatchBuilder<B extends AgentWatchBuilder<B>> {

    private String agentUrl = "http://127.0.0.1:8500";
    @Nullable
    private String aclToken;
    private Duration wait = Duration.ofMinutes(5);
    private Duration minRequestInterval = Duration.ofMillis(500);
    private Ticker ticker = Ticker.system();
    private Duration errorBackoffBase = Duration.ofSeconds(1);
    private Duration errorBackoffMax = Duration.ofSeconds(60);
    private Duration firstReadTimeout;

    AgentWatchBuilder(Duration firstReadTimeout) {
        this.firstReadTimeout = firstReadTimeout;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The agent's HTTP address. Default: {@code http://127.0.0.1:8500}. */
    public B agentUrl(String agentUrl) {
        requireNonNull(agentUrl, "agentUrl");
        if (!agentUrl.startsWith("http://") && !agentUrl.startsWith("https://")) {
            throw new IllegalArgumentException("agentUrl: '" + agentUrl + "' (expected: http:// or https://)");
        }
        this.agentUrl = agentUrl;
        return self();
    }

    /** The ACL token, sent as {@code X-Consul-Token} and never in a URL or a log. Default: none. */
    public B aclToken(@Nullable String aclToken) {
        this.aclToken = aclToken;
        return self();
    }

    /** How long a blocking query may wait for a change, 1 s to 10 min, whole seconds. Default: 5 min. */
    public B wait(Duration wait) {
        requireNonNull(wait, "wait");
        Checks.range("wait", wait, Duration.ofSeconds(1), Duration.ofMinutes(10));
        if (wait.toMillis() % 1_000 != 0) {
            throw new IllegalArgumentException("wait: " + Checks.format(wait) + " (expected: whole seconds)");
        }
        this.wait = wait;
        return self();
    }

    /**
     * The shortest time between the starts of two queries of one endpoint, 0 to 1 min, so that answers that come back
     * at once (an index that did not block) cannot make the watch spin. Default: 500 ms.
     */
    public B minRequestInterval(Duration minRequestInterval) {
        requireNonNull(minRequestInterval, "minRequestInterval");
        Checks.range("minRequestInterval", minRequestInterval, Duration.ZERO, Duration.ofMinutes(1));
        this.minRequestInterval = minRequestInterval;
        return self();
    }

    /** The clock that spaces queries. Default: {@link Ticker#system()}. */
    public B ticker(Ticker ticker) {
        this.ticker = requireNonNull(ticker, "ticker");
        return self();
    }

    /** The backoff after failures: from {@code base} (1 ms to 1 min), doubling up to {@code max} (up to 10 min). */
    public B errorBackoff(Duration base, Duration max) {
        requireNonNull(base, "base");
        requireNonNull(max, "max");
        Checks.range("errorBackoffBase", base, Duration.ofMillis(1), Duration.ofMinutes(1));
        Checks.range("errorBackoffMax", max, base, Duration.ofMinutes(10));
        this.errorBackoffBase = base;
        this.errorBackoffMax = max;
        return self();
    }

    /** How long the first subscription waits for the agent's first answers, 0 to 1 min. */
    public B firstReadTimeout(Duration firstReadTimeout) {
        requireNonNull(firstReadTimeout, "firstReadTimeout");
        Checks.range("firstReadTimeout", firstReadTimeout, Duration.ZERO, Duration.ofMinutes(1));
        this.firstReadTimeout = firstReadTimeout;
        return self();
    }

    BlockingQueryLoop.Settings loopSettings() {
        return new BlockingQueryLoop.Settings(agentUrl, aclToken, wait, minRequestInterval, errorBackoffBase,
                errorBackoffMax, ticker);
    }

    Duration firstReadTimeout() {
        return firstReadTimeout;
    }
}
