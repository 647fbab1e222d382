package io.mesh4j.benchmarks.scenarios;

import io.mesh4j.client.MeshClient;
import io.smallrye.stork.api.LoadBalancer;
import io.smallrye.stork.api.Service;
import io.smallrye.stork.api.ServiceInstance;
import io.smallrye.stork.api.observability.NoopObservationCollector;
import io.smallrye.stork.impl.DefaultServiceInstance;
import io.smallrye.stork.impl.RoundRobinLoadBalancer;
import io.smallrye.stork.loadbalancer.leastresponsetime.LeastResponseTimeConfiguration;
import io.smallrye.stork.loadbalancer.leastresponsetime.LeastResponseTimeLoadBalancerProvider;
import io.smallrye.stork.loadbalancer.poweroftwochoices.PowerOfTwoChoicesConfiguration;
import io.smallrye.stork.loadbalancer.poweroftwochoices.PowerOfTwoChoicesLoadBalancerProvider;
import io.smallrye.stork.loadbalancer.random.RandomConfiguration;
import io.smallrye.stork.loadbalancer.random.RandomLoadBalancerProvider;
import io.smallrye.stork.loadbalancer.requests.LeastRequestsConfiguration;
import io.smallrye.stork.loadbalancer.requests.LeastRequestsLoadBalancerProvider;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** The contenders the scenarios measure: bare OkHttp, Mesh4j, and SmallRye Stork's balancers in front of OkHttp. */
final class Contenders {

    /** Stork's strategies, by the names its configuration uses. */
    static final List<String> STORK_STRATEGIES = List.of("round-robin", "random", "power-of-two-choices",
            "least-requests", "least-response-time");

    private Contenders() {
    }

    /** Sends every call to {@code url} through {@code client}, as a caller with no mesh does. */
    static Contender okHttp(String name, OkHttpClient client, String url) {
        Request request = new Request.Builder().url(url).build();
        return new Named(name, () -> execute(client, request), () -> { });
    }

    /** Sends every call to {@code url} (a logical name such as {@code http://orders/}) through {@code mesh}. */
    static Contender mesh(String name, MeshClient mesh, String url) {
        Request request = new Request.Builder().url(url).build();
        return new Named(name, () -> {
            try (Response response = mesh.newCall(request).execute()) {
                response.body().bytes();
                return response.code();
            }
        }, mesh::close);
    }

    /**
     * Picks an instance with Stork's {@code strategy} (its default configuration) and sends the call there through
     * {@code client}, reporting the reply and the end to Stork the way its synchronous API is used.
     */
    static Contender stork(String strategy, List<Backend> backends, OkHttpClient client, String path) {
        LoadBalancer balancer = storkBalancer(strategy);
        Service service = new Service("orders", strategy, "static", new NoopObservationCollector(), balancer, null,
                null, balancer.requiresStrictRecording());
        List<ServiceInstance> instances = new ArrayList<>();
        List<Request> requests = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            instances.add(new DefaultServiceInstance(i, "127.0.0.1", backends.get(i).port(), false));
            requests.add(new Request.Builder().url(new HttpUrl.Builder().scheme("http").host("127.0.0.1")
                    .port(backends.get(i).port()).encodedPath(path).build()).build());
        }
        return new Named("stork " + strategy, () -> {
            ServiceInstance picked = service.selectInstanceAndRecordStart(instances, true);
            try {
                int status = execute(client, requests.get((int) picked.getId()));
                picked.recordReply();
                picked.recordEnd(status >= 500 ? new IOException("status " + status) : null);
                return status;
            } catch (IOException | RuntimeException e) {
                picked.recordEnd(e);
                throw e;
            }
        }, () -> { });
    }

    private static LoadBalancer storkBalancer(String strategy) {
        switch (strategy) {
            case "round-robin":
                return new RoundRobinLoadBalancer();
            case "random":
                return new RandomLoadBalancerProvider().createLoadBalancer(new RandomConfiguration(), null);
            case "power-of-two-choices":
                return new PowerOfTwoChoicesLoadBalancerProvider()
                        .createLoadBalancer(new PowerOfTwoChoicesConfiguration(), null);
            case "least-requests":
                return new LeastRequestsLoadBalancerProvider().createLoadBalancer(new LeastRequestsConfiguration(),
                        null);
            case "least-response-time":
                return new LeastResponseTimeLoadBalancerProvider()
                        .createLoadBalancer(new LeastResponseTimeConfiguration(), null);
            default:
                throw new IllegalArgumentException("strategy: " + strategy + " (expected: one of "
                        + STORK_STRATEGIES + ")");
        }
    }

    /**
     * A caller with no mesh that tries each call up to {@code attempts} times while it fails with a 5xx or an
     * exception, on the next backend each time, with no budget and no backoff: the naive retry loop.
     */
    static Contender naiveRetries(String name, List<Backend> backends, OkHttpClient client, int attempts) {
        List<Request> requests = backends.stream().map(backend -> new Request.Builder()
                .url("http://127.0.0.1:" + backend.port() + "/").build()).toList();
        AtomicInteger next = new AtomicInteger();
        return new Named(name, () -> {
            IOException failure = null;
            int status = 0;
            for (int attempt = 0; attempt < attempts; attempt++) {
                Request request = requests.get(Math.floorMod(next.getAndIncrement(), requests.size()));
                try {
                    status = execute(client, request);
                    if (status < 500) {
                        return status;
                    }
                } catch (IOException e) {
                    failure = e;
                }
            }
            if (status != 0) {
                return status;
            }
            throw failure;
        }, () -> { });
    }

    /** One logical call: its HTTP status, or an exception when it failed without one. */
    @FunctionalInterface
    interface Caller {
        int call() throws IOException;
    }

    /** A contender made of a name, a call and what closing it releases. */
    private record Named(String name, Caller caller, Runnable closer) implements Contender {
        @Override
        public int call() throws IOException {
            return caller.call();
        }

        @Override
        public void close() {
            closer.run();
        }
    }

    static int execute(OkHttpClient client, Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            response.body().bytes();
            return response.code();
        }
    }
}
