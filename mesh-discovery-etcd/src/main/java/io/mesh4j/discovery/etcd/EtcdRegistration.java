package io.mesh4j.discovery.etcd;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import io.mesh4j.api.internal.Checks;
import io.mesh4j.api.internal.DaemonThreads;
import io.mesh4j.discovery.etcd.internal.EtcdClients;
import io.mesh4j.discovery.etcd.internal.InstanceCodec;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers one instance in etcd under a lease, the layout {@link EtcdDiscovery} reads: the key
 * {@code <prefix><service>/<instance-id>} holds the instance's JSON and lives as long as the lease. The lease is kept
 * alive by etcd's keep-alive stream; when it is lost (etcd restarted without it, a partition longer than the TTL)
 * the instance registers again under a new lease, retrying with backoff until etcd answers. {@link #close()} and JVM
 * shutdown revoke the lease, so the instance disappears at once instead of after its TTL.
 *
 * <pre>{@code
 * ServiceInstance me = ServiceInstance.builder("orders", "10.0.0.7", 8080).id("orders-7").build();
 * try (EtcdRegistration registration = EtcdRegistration.builder(me).ttl(Duration.ofSeconds(10)).register()) {
 *     // serve
 * }
 * }</pre>
 *
 * <p>Thread-safe. One daemon thread of this registration does the (re)registering; the password is never logged.
 */
public final class EtcdRegistration implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EtcdRegistration.class);

    private final ServiceInstance instance;
    private final Client client;
    private final ScheduledExecutorService thread;
    private final ByteSequence key;
    private final ByteSequence value;
    private final long ttlSeconds;
    private final Duration backoffMax;
    @Nullable
    private final Thread shutdownHook;

    // Confined to the registration thread.
    private long leaseId;
    @Nullable
    private CloseableClient keepAlive;
    private int failuresInRow;
    private volatile boolean registered;
    private volatile boolean closed;

    private EtcdRegistration(Builder builder) {
        this.instance = builder.instance;
        this.client = builder.connection.newClient();
        this.thread = DaemonThreads.scheduler("mesh4j-etcd-registration");
        InstanceCodec codec = new InstanceCodec(builder.prefix);
        this.key = EtcdClients.bytes(codec.key(instance));
        this.value = EtcdClients.bytes(codec.value(instance));
        this.ttlSeconds = builder.ttl.toSeconds();
        this.backoffMax = builder.ttl;
        this.shutdownHook = builder.deregisterOnShutdown ? new Thread(this::close, "mesh4j-etcd-deregister") : null;
    }

    /** Starts a builder for registering {@code instance}. */
    public static Builder builder(ServiceInstance instance) {
        return new Builder(requireNonNull(instance, "instance"));
    }

    /** The registered instance. */
    public ServiceInstance instance() {
        return instance;
    }

    /** Whether the instance's key is in etcd under a live lease, as far as this registration knows. */
    public boolean isRegistered() {
        return registered;
    }

    /** Registers once, waiting up to {@code timeout}; keeps trying in the background when etcd does not answer. */
    private void start(Duration timeout) {
        try {
            thread.submit(this::register).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("Registering {} in etcd did not finish in {} ms; it goes on in the background", key,
                    timeout.toMillis());
        }
        if (shutdownHook != null) {
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    /** Grants a lease, writes the key under it and keeps the lease alive; on failure tries again later. */
    private void register() {
        if (closed) {
            return;
        }
        try {
            long lease = client.getLeaseClient().grant(ttlSeconds).get(ttlSeconds, TimeUnit.SECONDS).getID();
            client.getKVClient().put(key, value, PutOption.builder().withLeaseId(lease).build())
                    .get(ttlSeconds, TimeUnit.SECONDS);
            leaseId = lease;
            failuresInRow = 0;
            registered = true;
            log.info("Registered {} in etcd under lease {} ({} s)", key, Long.toHexString(lease), ttlSeconds);
            keepAlive = client.getLeaseClient().keepAlive(lease, new KeepAliveObserver(lease));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            registered = false;
            failuresInRow++;
            long delay = Math.min(backoffMax.toMillis(), 200L << Math.min(10, failuresInRow - 1));
            log.warn("Registering {} in etcd failed ({}); trying again in {} ms", key, e.getClass().getSimpleName(),
                    delay);
            schedule(this::register, delay);
        }
    }

    /** The lease is gone: register again, under a new lease, unless closed or already done. */
    private void leaseLost(long lease, String why) {
        if (closed || lease != leaseId) {
            return;
        }
        registered = false;
        leaseId = 0;
        if (keepAlive != null) {
            keepAlive.close();
            keepAlive = null;
        }
        log.warn("The etcd lease of {} was lost ({}): registering again", key, why);
        schedule(this::register, 0);
    }

    private void schedule(Runnable task, long delayMillis) {
        try {
            thread.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closedMeanwhile) {
            // Closed: nothing more to register.
        }
    }

    /** Revokes the lease, so the instance disappears at once, and releases the client. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            thread.submit(this::revoke).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            log.warn("Revoking the etcd lease of {} did not finish; the key goes when its TTL ends", key);
        }
        thread.shutdownNow();
        client.close();
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is already shutting down.
            }
        }
    }

    private void revoke() {
        if (keepAlive != null) {
            keepAlive.close();
            keepAlive = null;
        }
        if (leaseId != 0) {
            try {
                client.getLeaseClient().revoke(leaseId).get(3, TimeUnit.SECONDS);
                log.info("Deregistered {} from etcd (lease revoked)", key);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("Revoking the etcd lease of {} failed ({}); the key goes when its TTL ends", key,
                        e.getClass().getSimpleName());
            }
        }
        registered = false;
    }

    @Override
    public String toString() {
        return "EtcdRegistration{" + key + ", registered=" + registered + '}';
    }

    /** Hears the keep-alive stream of one lease; every call hops to the registration thread. */
    private final class KeepAliveObserver implements StreamObserver<LeaseKeepAliveResponse> {
        private final long lease;

        KeepAliveObserver(long lease) {
            this.lease = lease;
        }

        @Override
        public void onNext(LeaseKeepAliveResponse response) {
            if (response.getTTL() <= 0) {
                schedule(() -> leaseLost(lease, "etcd says it expired"), 0);
            }
        }

        @Override
        public void onError(Throwable failure) {
            schedule(() -> leaseLost(lease, failure.getClass().getSimpleName()), 0);
        }

        @Override
        public void onCompleted() {
            schedule(() -> leaseLost(lease, "keep-alive stream ended"), 0);
        }
    }

    /**
     * Builds and starts an {@link EtcdRegistration}. Not thread-safe.
     *
     * <table>
     *   <caption>Settings and defaults</caption>
     *   <tr><th>setting</th><th>default</th><th>range</th></tr>
     *   <tr><td>{@code connection}</td><td>{@link EtcdConnection#local()}</td><td></td></tr>
     *   <tr><td>{@code prefix}</td><td>{@code /services/}</td><td>starts and ends with {@code /}</td></tr>
     *   <tr><td>{@code ttl}</td><td>10 s</td><td>2 s to 1 h, whole seconds</td></tr>
     *   <tr><td>{@code deregisterOnShutdown}</td><td>true</td><td></td></tr>
     * </table>
     */
    public static final class Builder {
        private final ServiceInstance instance;
        private EtcdConnection connection = EtcdConnection.local();
        private String prefix = "/services/";
        private Duration ttl = Duration.ofSeconds(10);
        private boolean deregisterOnShutdown = true;

        private Builder(ServiceInstance instance) {
            this.instance = instance;
        }

        /** How to reach etcd. Default: {@link EtcdConnection#local()}. */
        public Builder connection(EtcdConnection connection) {
            this.connection = requireNonNull(connection, "connection");
            return this;
        }

        public Builder prefix(String prefix) {
            this.prefix = requireNonNull(prefix, "prefix");
            return this;
        }

        /** The lease's time to live: how long the key outlives a process that dies without closing. */
        public Builder ttl(Duration ttl) {
            this.ttl = requireNonNull(ttl, "ttl");
            return this;
        }

        /** Whether JVM shutdown revokes the lease. */
        public Builder deregisterOnShutdown(boolean deregisterOnShutdown) {
            this.deregisterOnShutdown = deregisterOnShutdown;
            return this;
        }

        /**
         * Registers the instance, waiting up to the TTL for etcd; if etcd does not answer, registering goes on in
         * the background ({@link EtcdRegistration#isRegistered()} tells).
         *
         * @throws IllegalArgumentException naming the field and its range when a value is out of range
         */
        public EtcdRegistration register() {
            EtcdDiscovery.checkPrefix(prefix);
            Checks.range("ttl", ttl, Duration.ofSeconds(2), Duration.ofHours(1));
            if (ttl.toNanos() % 1_000_000_000L != 0) {
                throw new IllegalArgumentException("ttl: " + Checks.format(ttl) + " (expected: whole seconds, as etcd"
                        + " leases count in seconds)");
            }
            EtcdRegistration registration = new EtcdRegistration(this);
            registration.start(ttl);
            return registration;
        }
    }
}
