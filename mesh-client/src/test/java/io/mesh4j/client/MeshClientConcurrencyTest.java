package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesh4j.lb.LoadBalancers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class MeshClientConcurrencyTest {

    @Test
    void shouldAnswerEveryCallAndSpreadEvenlyWhenEightThreadsShareOneClient() throws Exception {
        int threads = 8;
        int callsPerThread = 1_000;
        try (Backends backends = Backends.start(3)) {
            OkHttpClient base = new OkHttpClient.Builder()
                    .connectionPool(new ConnectionPool(32, 1, TimeUnit.MINUTES))
                    .callTimeout(Duration.ofSeconds(10))
                    .build();
            MeshClient mesh = MeshClient.builder()
                    .discovery(StaticDiscovery.of(backends.instances("orders")))
                    .okHttpClient(base)
                    .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build())
                    .build();
            Map<String, LongAdder> answers = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < callsPerThread; i++) {
                        Request request = new Request.Builder().url("http://orders/work?i=" + i).build();
                        try (Response response = mesh.okHttpClient().newCall(request).execute()) {
                            assertThat(response.code()).isEqualTo(200);
                            answers.computeIfAbsent(response.body().string(), k -> new LongAdder()).increment();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            mesh.close();

            long total = answers.values().stream().mapToLong(LongAdder::sum).sum();
            assertThat(total).isEqualTo(threads * callsPerThread);
            assertThat(answers).containsOnlyKeys("backend-0", "backend-1", "backend-2");
            double even = total / 3.0;
            answers.forEach((backend, count) ->
                    assertThat(Math.abs(count.sum() - even) / even).as(backend).isLessThanOrEqualTo(0.05));
            for (int i = 0; i < 3; i++) {
                assertThat(backends.get(i).getRequestCount()).isEqualTo((int) answers.get("backend-" + i).sum());
            }
        }
    }
}
