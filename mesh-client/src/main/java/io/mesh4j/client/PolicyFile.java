package io.mesh4j.client;

import static java.util.Objects.requireNonNull;

import io.mesh4j.api.PolicySource;
import io.mesh4j.api.Subscription;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import io.mesh4j.api.internal.DaemonThreads;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A routing policy read from a JSON file ({@code docs/POLICY.md}) and read again whenever its content changes. The
 * file is checked every {@link Builder#checkInterval} by reading it and comparing the content, not by file-system
 * events: that sees every kind of replacement, including the symbolic-link swap of a Kubernetes ConfigMap volume,
 * and costs one small read per interval. A file that is missing or unreadable is logged once per failure and
 * delivers nothing, so the policy in effect stays.
 *
 * <pre>{@code
 * MeshClient mesh = MeshClient.builder()
 *     .discovery(discovery)
 *     .policySource(PolicyFile.watch(Path.of("/etc/mesh/policy.json")))
 *     .build();
 * }</pre>
 *
 * <p>Thread-safe. Each subscription reads the file once before {@link #subscribe} returns, then checks it on the
 * source's one daemon thread, which runs while there are subscriptions.
 */
public final class PolicyFile implements PolicySource {

    private static final Logger log = LoggerFactory.getLogger(PolicyFile.class);

    private final Path path;
    private final Duration checkInterval;
    @Nullable
    private ScheduledThreadPoolExecutor checker;
    private int subscriptions;
    private boolean closed;

    private PolicyFile(Builder builder) {
        this.path = builder.path;
        this.checkInterval = builder.checkInterval;
    }

    /** Watches {@code path} with the default check interval, 1 s. */
    public static PolicyFile watch(Path path) {
        return builder(path).build();
    }

    public static Builder builder(Path path) {
        return new Builder(path);
    }

    @Override
    public String name() {
        return "file";
    }

    public Path path() {
        return path;
    }

    @Override
    public Subscription subscribe(Consumer<String> documents) {
        requireNonNull(documents, "documents");
        ScheduledThreadPoolExecutor scheduler;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("policy file source for " + path + " is closed");
            }
            if (checker == null) {
                checker = DaemonThreads.scheduler("mesh4j-policy-file");
            }
            scheduler = checker;
            subscriptions++;
        }
        Watch watch = new Watch(documents);
        watch.check();
        long interval = checkInterval.toNanos();
        watch.task = scheduler.scheduleWithFixedDelay(watch::check, interval, interval, TimeUnit.NANOSECONDS);
        return watch;
    }

    private synchronized void unsubscribed() {
        if (--subscriptions == 0 && checker != null) {
            checker.shutdownNow();
            checker = null;
        }
    }

    /** Stops every subscription's checks; idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (checker != null) {
            checker.shutdownNow();
            checker = null;
        }
    }

    @Override
    public String toString() {
        return "PolicyFile{" + path + ", every " + Checks.format(checkInterval) + '}';
    }

    /** One subscriber's checks: what it was last given, and the last failure it logged. */
    private final class Watch implements Subscription {
        private final Consumer<String> documents;
        @Nullable
        private String delivered;
        @Nullable
        private String failure;
        @Nullable
        private volatile ScheduledFuture<?> task;
        private boolean ended;

        Watch(Consumer<String> documents) {
            this.documents = documents;
        }

        synchronized void check() {
            if (ended) {
                return;
            }
            String content;
            try {
                content = new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                failed("it does not exist");
                return;
            } catch (IOException | RuntimeException e) {
                failed(e.toString());
                return;
            }
            if (failure != null) {
                log.info("Policy file {} is readable again", path);
                failure = null;
            }
            if (content.equals(delivered)) {
                return;
            }
            delivered = content;
            try {
                documents.accept(content);
            } catch (RuntimeException e) {
                log.warn("A listener of policy file {} failed", path, e);
            }
        }

        private void failed(String why) {
            if (!Objects.equals(why, failure)) {
                failure = why;
                log.warn("Cannot read policy file {}: {}; the policy in effect stays", path, why);
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                if (ended) {
                    return;
                }
                ended = true;
            }
            ScheduledFuture<?> scheduled = task;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            unsubscribed();
        }
    }

    /** Builds a {@link PolicyFile}. Not thread-safe. */
    public static final class Builder {
        private final Path path;
        private Duration checkInterval = Duration.ofSeconds(1);

        private Builder(Path path) {
            this.path = requireNonNull(path, "path");
        }

        /** How often the file is read and compared, 10 ms to 1 h. Default: 1 s. */
        public Builder checkInterval(Duration checkInterval) {
            requireNonNull(checkInterval, "checkInterval");
            Checks.range("checkInterval", checkInterval, Duration.ofMillis(10), Duration.ofHours(1));
            this.checkInterval = checkInterval;
            return this;
        }

        public PolicyFile build() {
            return new PolicyFile(this);
        }
    }
}
