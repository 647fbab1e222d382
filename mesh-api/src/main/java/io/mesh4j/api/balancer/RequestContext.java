package io.mesh4j.api.balancer;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.annotation.Nullable;
import java.util.List;

/**
 * What a {@link Picker} may know about the attempt it picks for. The client implements this over its own request
 * type, so no HTTP-library type leaks into balancers.
 *
 * <p>A context is valid only during the {@link Picker#pick} call it is passed to: pickers must not keep it.
 */
public interface RequestContext {

    /** Creates a context for a first attempt, for tests, benchmarks and callers outside the client. */
    static RequestContext of(String service, String method, String path) {
        return new DefaultRequestContext(service, method, path, null, 1, List.of());
    }

    /** Creates a context with every field set. {@code tried} is copied. */
    static RequestContext of(String service, String method, String path, @Nullable String hashKey, int attempt,
            List<ServiceInstance> tried) {
        return new DefaultRequestContext(service, method, path, hashKey, attempt, List.copyOf(tried));
    }

    /** The logical service name. */
    String service();

    /** The HTTP method, upper case. */
    String method();

    /** The encoded path, starting with {@code /}. */
    String path();

    /** The key consistent-hashing balancers hash on, or {@code null} when the request carries none. */
    @Nullable
    String hashKey();

    /** The first value of a request header, or {@code null}. */
    @Nullable
    default String header(String name) {
        return null;
    }

    /** 1 for the first attempt, 2 for the first retry or hedge, and so on. */
    int attempt();

    /** Instances this call has already sent to, oldest first; empty on the first attempt. Immutable. */
    List<ServiceInstance> triedInstances();

    /**
     * Asks the client to let the attempt of this pick run until its instance answers, even when a hedge of the same
     * call answers first: the balancer picked the instance to measure it (it has no latency estimate, or its
     * estimate is stale), and an attempt cut short would tell it only a lower bound. A picker calls it during
     * {@link Picker#pick}, for the endpoint it returns; a client free to do so sends that attempt in a way that can
     * run on after the call ended. Clients and contexts that cannot ignore it; so does the default.
     */
    default void measureToEnd() {
    }

    /** Whether an instance with {@code instance}'s id was already tried by this call. */
    default boolean wasTried(ServiceInstance instance) {
        List<ServiceInstance> tried = triedInstances();
        for (int i = 0, n = tried.size(); i < n; i++) {
            if (tried.get(i).id().equals(instance.id())) {
                return true;
            }
        }
        return false;
    }
}
