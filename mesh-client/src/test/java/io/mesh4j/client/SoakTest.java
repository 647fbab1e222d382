package io.mesh4j.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.mesh4j.api.ServiceInstance;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * A bounded soak (issue 15): 8 threads call through one mesh client, sync and async, GET and POST, for
 * {@code mesh4j.soak.seconds} (10 by default) while 5 loopback backends turn slow, fail, reset connections, die (their
 * port refuses) and restart on the same port, and leave and rejoin discovery. Invariants: every call ends exactly
 * once, with a response or an {@code IOException}; no POST is read twice; the backends read no request the mesh did
 * not count as sent, and miss only those a dying backend took with it (at most two per caller and death); once the
 * storm is over every backend, restarted ones included, is called again; after {@code close()} the threads of Mesh4j
 * are back to those alive before the test, and the client's idle connections are gone. Prints its figures for
 * {@code docs/RELIABILITY.md}, with the heap after a GC each second and its slope (measured, not asserted: a 10 s run
 * is too short to tell a leak from the JIT's warm-up). A longer run: {@code -Dmesh4j.soak.seconds=60}.
 */
class SoakTest {

    /** Calls one run makes at most: enough for 60 s on the build machine (about 110,000). */
    private static final int MAX_CALLS = 1 << 20;

    /** What a backend does with the requests it reads; a DEAD backend's process is gone (its port refuses). */
    private enum Mode { OK, SLOW, FAIL, RESET, DEAD }

    /** Attempts a caller can have in flight at once, each on its own connection: 8 callers, no hedging. */
    private static final int CALLERS = 8;

    @Test
    void shouldEndEveryCallOnceAndAddUpWhenBackendsMisbehaveUnderLoad() throws Exception {
        long seconds = Long.getLong("mesh4j.soak.seconds", 10);
        Set<Thread> baseline = meshThreads();
        // Counts by call id in fixed arrays, so that the harness itself keeps no more memory as the soak goes on.
        AtomicIntegerArray postsRead = new AtomicIntegerArray(MAX_CALLS);
        AtomicLong serverReads = new AtomicLong();
        List<AtomicReference<Mode>> modes = new ArrayList<>();
        List<Function<RecordedRequest, MockResponse>> answers = new ArrayList<>();
        // Reads since each backend's last start, to show that restarted backends get traffic again.
        AtomicLongArray readsSinceStart = new AtomicLongArray(5);
        List<MockWebServer> servers = new ArrayList<>();
        List<ServiceInstance> instances = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int backend = i;
            AtomicReference<Mode> mode = new AtomicReference<>(Mode.OK);
            modes.add(mode);
            answers.add(request -> {
                serverReads.incrementAndGet();
                readsSinceStart.incrementAndGet(backend);
                if ("POST".equals(request.getMethod())) {
                    postsRead.incrementAndGet(Integer.parseInt(request.getHeaders().get("X-Call")));
                }
                switch (mode.get()) {
                    case SLOW:
                        return new MockResponse.Builder().body("slow").headersDelay(20, TimeUnit.MILLISECONDS)
                                .build();
                    case FAIL:
                        return new MockResponse.Builder().code(503).build();
                    case RESET:
                        return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
                    default:
                        return new MockResponse.Builder().body("ok").build();
                }
            });
            MockWebServer server = Backends.serve(answers.get(i));
            servers.add(server);
            instances.add(ServiceInstance.builder("orders", "127.0.0.1", server.getPort()).id("backend-" + i)
                    .build());
        }
        AtomicInteger deaths = new AtomicInteger();
        AtomicInteger movedOnRestart = new AtomicInteger();
        StaticDiscovery discovery = StaticDiscovery.of(instances);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // Ejections short enough that a backend which died and came back is called again within the recovery check.
        MeshClient mesh = MeshClient.builder().discovery(discovery).meterRegistry(meters)
                .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.of(BalancerConfig.custom()
                        .outlierEjection(OutlierEjectionConfig.custom().baseEjectionTime(Duration.ofMillis(500))
                                .maxEjectionTime(Duration.ofSeconds(2)).build())
                        .build())).build())
                .build();
        AtomicIntegerArray ends = new AtomicIntegerArray(MAX_CALLS);
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        AtomicLong ids = new AtomicLong();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService threads = Executors.newFixedThreadPool(10);
        List<long[]> heap = new java.util.concurrent.CopyOnWriteArrayList<>();
        try {
            threads.submit(() -> {
                long start = System.nanoTime();
                while (System.nanoTime() < until) {
                    System.gc();
                    heap.add(new long[] {System.nanoTime() - start,
                            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed()});
                    TimeUnit.SECONDS.sleep(1);
                }
                return null;
            });
            Future<?> chaos = threads.submit(() -> {
                Random random = new Random(42);
                while (System.nanoTime() < until) {
                    int victim = random.nextInt(5);
                    Mode next = Mode.values()[random.nextInt(Mode.values().length)];
                    Mode previous = modes.get(victim).getAndSet(next);
                    if (next == Mode.DEAD && previous != Mode.DEAD) {
                        servers.get(victim).close();
                        deaths.incrementAndGet();
                    } else if (next != Mode.DEAD && previous == Mode.DEAD) {
                        restart(victim, servers, instances, answers, readsSinceStart, movedOnRestart);
                    }
                    if (random.nextInt(4) == 0) {
                        List<ServiceInstance> some = new ArrayList<>(instances);
                        some.remove(random.nextInt(some.size()));
                        discovery.setInstances("orders", some);
                    } else {
                        discovery.setInstances("orders", instances);
                    }
                    // MockWebServer keeps every request it reads for takeRequest(): let them go.
                    for (MockWebServer server : servers) {
                        while (server.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
                            continue;
                        }
                    }
                    TimeUnit.MILLISECONDS.sleep(100);
                }
                // The storm is over: every backend up, healthy and in discovery again.
                for (int backend = 0; backend < 5; backend++) {
                    if (modes.get(backend).getAndSet(Mode.OK) == Mode.DEAD) {
                        restart(backend, servers, instances, answers, readsSinceStart, movedOnRestart);
                    }
                }
                discovery.setInstances("orders", instances);
                return null;
            });
            List<Future<?>> callers = new ArrayList<>();
            for (int t = 0; t < CALLERS; t++) {
                int thread = t;
                callers.add(threads.submit(() -> {
                    while (System.nanoTime() < until) {
                        int id = (int) ids.incrementAndGet();
                        if (id >= MAX_CALLS) {
                            return null;
                        }
                        boolean post = id % 3 == 0;
                        Request.Builder request = new Request.Builder().url("http://orders/v1/items")
                                .header("X-Call", Long.toString(id));
                        if (post) {
                            request.post(RequestBody.create("{}", MediaType.get("application/json")));
                        }
                        String outcome;
                        if (thread % 2 == 0) {
                            outcome = sync(mesh.newCall(request.build()), ends, id);
                        } else {
                            outcome = async(mesh.newCall(request.build()), ends, id).get(30, TimeUnit.SECONDS);
                        }
                        outcomes.computeIfAbsent(outcome, key -> new AtomicInteger()).incrementAndGet();
                    }
                    return null;
                }));
            }
            for (Future<?> caller : callers) {
                caller.get(seconds + 60, TimeUnit.SECONDS);
            }
            chaos.get(10, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }

        int calls = (int) Math.min(ids.get(), MAX_CALLS - 1);
        for (int id = 1; id <= calls; id++) {
            assertThat(ends.get(id)).as("ends of call %d", id).isEqualTo(1);
            assertThat(postsRead.get(id)).as("reads of POST %d", id).isLessThanOrEqualTo(1);
        }
        assertThat(outcomes.keySet()).as("responses or IOExceptions only")
                .allMatch(outcome -> outcome.startsWith("HTTP ") || isIoException(outcome));
        long attempts = (long) meters.find("mesh.client.attempts").counters().stream()
                .mapToDouble(Counter::count).sum();
        long refused = (long) meters.find("mesh.client.attempts").tag("outcome", "connect_failure").counters()
                .stream().mapToDouble(Counter::count).sum();
        long sent = attempts - refused;
        // A backend that dies takes with it the requests on its connections it had not read yet: at most one per
        // caller in flight and one per idle pooled connection (no more than one per caller either).
        assertThat(serverReads.get()).as("backends read no request the mesh did not count as sent")
                .isLessThanOrEqualTo(sent)
                .isGreaterThanOrEqualTo(sent - 2L * CALLERS * deaths.get());

        long recoveryStart = System.nanoTime();
        for (int backend = 0; backend < 5; backend++) {
            readsSinceStart.set(backend, 0);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            sync(mesh.newCall(new Request.Builder().url("http://orders/v1/items").header("X-Call", "0").build()),
                    new AtomicIntegerArray(1), 0);
            return IntStream.range(0, 5).allMatch(backend -> readsSinceStart.get(backend) > 0);
        });
        long recoveryMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recoveryStart);

        mesh.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> baseline.containsAll(meshThreads()));
        await().atMost(Duration.ofSeconds(10)).until(() -> mesh.okHttpClient().connectionPool().connectionCount()
                == 0);
        servers.forEach(MockWebServer::close);
        System.out.printf("soak %d s: %d calls, outcomes %s, POSTs read twice: 0; attempts %d, refused %d, read by"
                + " backends %d; backend deaths %d (restarts on another port %d), all 5 called again %d ms after the"
                + " storm; heap after GC %.1f to %.1f MiB, slope %.1f KiB/s%n", seconds, calls, outcomes, attempts,
                refused, serverReads.get(), deaths.get(), movedOnRestart.get(), recoveryMillis, heap.stream().mapToLong(sample -> sample[1]).min().orElse(0) / 1048576.0,
                heap.stream().mapToLong(sample -> sample[1]).max().orElse(0) / 1048576.0, slopeKibPerSecond(heap));
    }

    /**
     * Starts backend {@code index} again, on its old port when that is still free (as a restarted process would), or
     * else on a new one that discovery then announces under the same instance id.
     */
    private static void restart(int index, List<MockWebServer> servers, List<ServiceInstance> instances,
            List<Function<RecordedRequest, MockResponse>> answers, AtomicLongArray readsSinceStart,
            AtomicInteger movedOnRestart) {
        readsSinceStart.set(index, 0);
        MockWebServer server;
        try {
            server = Backends.serve(instances.get(index).port(), answers.get(index));
        } catch (UncheckedIOException portTaken) {
            server = Backends.serve(answers.get(index));
            instances.set(index, ServiceInstance.builder("orders", "127.0.0.1", server.getPort())
                    .id("backend-" + index).build());
            movedOnRestart.incrementAndGet();
        }
        servers.set(index, server);
    }

    /** The least-squares slope of heap samples ({nanos since start, bytes used}) in KiB a second; 0 for fewer than 2. */
    private static double slopeKibPerSecond(List<long[]> samples) {
        int n = samples.size();
        if (n < 2) {
            return 0;
        }
        double meanX = samples.stream().mapToDouble(sample -> sample[0] / 1e9).average().orElse(0);
        double meanY = samples.stream().mapToDouble(sample -> sample[1] / 1024.0).average().orElse(0);
        double covariance = 0;
        double variance = 0;
        for (long[] sample : samples) {
            double x = sample[0] / 1e9 - meanX;
            covariance += x * (sample[1] / 1024.0 - meanY);
            variance += x * x;
        }
        return variance == 0 ? 0 : covariance / variance;
    }

    private static boolean isIoException(String className) {
        try {
            return IOException.class.isAssignableFrom(Class.forName(className));
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    /** The live threads of Mesh4j, of this test's client and of any a test before it left. */
    private static Set<Thread> meshThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("mesh4j-") && thread.isAlive())
                .collect(Collectors.toSet());
    }

    /** Sends {@code call} on this thread; its outcome as a status or an exception's class. */
    private static String sync(Call call, AtomicIntegerArray ends, int id) {
        try (Response response = call.execute()) {
            response.body().string();
            ends.incrementAndGet(id);
            return "HTTP " + response.code();
        } catch (IOException e) {
            ends.incrementAndGet(id);
            return e.getClass().getName();
        }
    }

    /** Enqueues {@code call}; its outcome as a status or an exception's class, counting every callback. */
    private static CompletableFuture<String> async(Call call, AtomicIntegerArray ends, int id) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        call.enqueue(new Callback() {
            @Override
            public void onFailure(Call failed, IOException e) {
                ends.incrementAndGet(id);
                outcome.complete(e.getClass().getName());
            }

            @Override
            public void onResponse(Call answered, Response response) {
                try (response) {
                    response.body().string();
                    outcome.complete("HTTP " + response.code());
                } catch (IOException e) {
                    outcome.complete(e.getClass().getName());
                } finally {
                    ends.incrementAndGet(id);
                }
            }
        });
        return outcome;
    }
}
