package io.mesh4j.samples;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.mesh4j.api.CircuitOpenException;
import io.mesh4j.api.RateLimitedException;
import io.mesh4j.api.ServiceInstance;
import io.mesh4j.api.balancer.LoadBalancerFactory;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.ServiceSettings;
import io.mesh4j.client.StaticDiscovery;
import io.mesh4j.lb.Algorithm;
import io.mesh4j.lb.BalancerConfig;
import io.mesh4j.lb.LoadBalancers;
import io.mesh4j.lb.OutlierEjectionConfig;
import io.mesh4j.resilience.HedgingConfig;
import io.mesh4j.resilience.RetryConfig;
import io.mesh4j.routing.MeshPolicy;
import io.mesh4j.routing.Route;
import io.mesh4j.routing.ServiceRoutes;
import io.mesh4j.routing.Subset;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A tour of the mesh in short acts, each a before/after table over loopback instances of an {@code orders} service:
 * round robin against peak-EWMA when one instance is slow and one fails often; failover when an instance dies and
 * comes back; naive retries against the retry budget when the whole service fails; hedging against a slow instance;
 * a circuit breaker opening and closing; a rate limit; what a client records in Micrometer; and a 90/10 canary moved
 * to 50/50 by a live policy change while traffic flows.
 * Each act is a method that returns its figures, so a test runs the acts at small scale and checks what they claim.
 *
 * <p>Run it from the repository root: {@code mvn -B -q -Pdemo -pl samples -am verify -DskipTests}.
 */
public final class Tour {

    private Tour() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        out.println("Mesh4j tour: loopback instances of 'orders', a MeshClient over static discovery.");
        printBalancers(out, balancers(400, out));
        printFailover(out, failover(Duration.ofMillis(2_500), out));
        printRetries(out, retries(300, out));
        printHedging(out, hedging(300, out));
        printBreaker(out, circuitBreaker(100, Duration.ofSeconds(1), out));
        printRateLimit(out, rateLimit(200, out));
        printMetrics(out, metrics(200, out));
        printCanary(out, canary(1_000, out));
    }

    /**
     * Act 8's figures, per phase (90/10, then 50/50): calls started in the phase, the share of them that v2 answered,
     * and the calls that failed; and the requests the instances read in all.
     */
    record Canary(List<Integer> calls, List<Double> v2Share, int failed, int requests) {
    }

    /**
     * Act 8: four instances, two of version v1 and two of v2; a route splits calls 90/10, then a live policy update
     * moves it to 50/50 while two threads keep calling: about {@code calls} calls in each phase (the threads do not
     * stop for the change).
     */
    static Canary canary(int calls, PrintStream progress) throws IOException {
        List<LoopbackBackend> all = new ArrayList<>();
        try {
            List<ServiceInstance> instances = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                LoopbackBackend backend = new LoopbackBackend((i <= 2 ? "v1-" : "v2-") + i).delay(1);
                all.add(backend);
                instances.add(ServiceInstance.builder("orders", "127.0.0.1", backend.port()).id(backend.name())
                        .metadata("version", i <= 2 ? "v1" : "v2").build());
            }
            try (MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(instances))
                    .policy(canaryPolicy(90, 10)).build()) {
                AtomicInteger phase = new AtomicInteger();
                AtomicIntegerArray started = new AtomicIntegerArray(2);
                AtomicIntegerArray v2 = new AtomicIntegerArray(2);
                AtomicInteger failed = new AtomicInteger();
                Runnable traffic = () -> {
                    while (true) {
                        int p = phase.get();
                        if (p == 1 && started.get(1) >= calls) {
                            return;
                        }
                        started.incrementAndGet(p);
                        try (Response response = mesh.newCall(request()).execute()) {
                            if (response.body().string().startsWith("v2-")) {
                                v2.incrementAndGet(p);
                            }
                        } catch (IOException e) {
                            failed.incrementAndGet();
                        }
                    }
                };
                Thread first = new Thread(traffic, "canary-traffic-1");
                Thread second = new Thread(traffic, "canary-traffic-2");
                first.start();
                second.start();
                while (started.get(0) < calls) {
                    progress.printf("\r  act 8, 90/10: %d calls", started.get(0));
                    pause(20);
                }
                mesh.updatePolicy(canaryPolicy(50, 50));
                phase.set(1);
                join(first);
                join(second);
                clearProgress(progress);
                int requests = all.stream().mapToInt(LoopbackBackend::takeReceived).sum();
                List<Integer> made = List.of(started.get(0), started.get(1));
                return new Canary(made, List.of((double) v2.get(0) / made.get(0), (double) v2.get(1) / made.get(1)),
                        failed.get(), requests);
            }
        } finally {
            all.forEach(LoopbackBackend::close);
        }
    }

    /** Every call of {@code orders} to v1 or v2 by weight. */
    private static MeshPolicy canaryPolicy(int v1, int v2) {
        return MeshPolicy.builder().service(ServiceRoutes.builder("orders")
                .subset(Subset.builder("v1").metadata("version", "v1").build())
                .subset(Subset.builder("v2").metadata("version", "v2").build())
                .route(Route.builder("canary").split("v1", v1).split("v2", v2).build())
                .build()).build();
    }

    private static void join(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Act 7: what a client records in Micrometer: 5 instances, one 30 ms slow, round robin with hedging after 5 ms. */
    static SimpleMeterRegistry metrics(int calls, PrintStream progress) throws IOException {
        List<LoopbackBackend> all = new ArrayList<>();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try {
            for (int i = 1; i <= 4; i++) {
                all.add(new LoopbackBackend("orders-" + i).delay(1));
            }
            all.add(new LoopbackBackend("slow").delay(30));
            try (MeshClient mesh = MeshClient.builder().discovery(discovery(all)).meterRegistry(meters)
                    .defaultSettings(ServiceSettings.custom().balancer(LoadBalancers.roundRobin())
                            .hedging(HedgingConfig.custom().delay(Duration.ofMillis(5)).build()).build())
                    .build()) {
                for (int i = 0; i < calls; i++) {
                    try (Response response = mesh.newCall(request()).execute()) {
                        response.body().string();
                    }
                }
                progress.print("\r  act 7");
                clearProgress(progress);
                return meters;
            }
        } finally {
            all.forEach(LoopbackBackend::close);
        }
    }

    /**
     * What one way of calling did: calls per instance, latency percentiles, the share of calls slower than 20 ms,
     * success rate, requests on the wire.
     */
    record Spread(Map<String, Integer> answeredBy, double p50Millis, double p99Millis, double over20Millis,
            double successRate, int calls, int requests) {

        double share(String instance) {
            return (double) answeredBy.getOrDefault(instance, 0) / calls;
        }

        double requestsPerCall() {
            return (double) requests / calls;
        }
    }

    /** Act 1's figures: the same calls by round robin and by peak-EWMA, and EWMA's share of the slow one per window. */
    record Balancers(Spread roundRobin, Spread peakEwma, List<Double> ewmaSlowShareByWindow) {
    }

    /**
     * Act 2's figures, per phase (before, down, back up): the share of the calls that sent a request to the dying
     * instance (counted where it arrives), and the calls that failed.
     */
    record Failover(List<Double> shareOfDying, List<Integer> failedCalls, List<Integer> calls, List<Integer> ejected) {
    }

    /** Act 3's figures: requests on the wire per call with retries and no budget, and with the default budget. */
    record Retries(Spread naive, Spread budgeted) {
    }

    /** Act 4's figures: round robin without and with hedging after 5 ms. */
    record Hedging(Spread without, Spread with) {
    }

    /** Act 5's figures, per phase: calls answered 200, calls the breaker rejected, requests reaching the service. */
    record Breaker(List<Integer> answered, List<Integer> rejected, List<Integer> requests, List<String> transitions) {
    }

    /** Act 6's figures: calls made, answered, rejected by the rate limit, and requests reaching the service. */
    record RateLimit(int calls, int answered, int rejected, int requests) {
    }

    /** Act 1: two fast instances, one 10 times slower, one failing 30% of its calls. */
    static Balancers balancers(int calls, PrintStream progress) throws IOException {
        try (LoopbackBackend fast1 = new LoopbackBackend("orders-1").delay(1);
                LoopbackBackend fast2 = new LoopbackBackend("orders-2").delay(1);
                LoopbackBackend slow = new LoopbackBackend("slow").delay(10);
                LoopbackBackend flaky = new LoopbackBackend("flaky").delay(1).failing(3)) {
            List<LoopbackBackend> all = List.of(fast1, fast2, slow, flaky);
            Spread roundRobin = run(all, ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build(),
                    calls, "act 1, round robin", progress, null);
            List<String> order = new ArrayList<>();
            Spread peakEwma = run(all, ServiceSettings.ofDefaults(), calls, "act 1, peak-EWMA", progress, order);
            List<Double> windows = new ArrayList<>();
            int window = Math.max(1, calls / 8);
            for (int from = 0; from + window <= order.size(); from += window) {
                windows.add((double) order.subList(from, from + window).stream().filter("slow"::equals).count()
                        / window);
            }
            return new Balancers(roundRobin, peakEwma, windows);
        }
    }

    /** Act 2: four instances under steady traffic; one dies for a {@code phase}, then comes back for one more. */
    static Failover failover(Duration phase, PrintStream progress) throws IOException {
        try (LoopbackBackend a = new LoopbackBackend("orders-1"); LoopbackBackend b = new LoopbackBackend("orders-2");
                LoopbackBackend c = new LoopbackBackend("orders-3"); LoopbackBackend dying = new LoopbackBackend("orders-4")) {
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            try (MeshClient mesh = MeshClient.builder().discovery(discovery(List.of(a, b, c, dying)))
                    .meterRegistry(meters).build()) {
                return failover(mesh, meters, dying, phase, progress);
            }
        }
    }

    /** Act 2's three phases on {@code mesh}: before, while {@code dying} drops connections, after it is back. */
    private static Failover failover(MeshClient mesh, SimpleMeterRegistry meters, LoopbackBackend dying, Duration phase,
            PrintStream progress) {
        List<Double> share = new ArrayList<>();
        List<Integer> failed = new ArrayList<>();
        List<Integer> calls = new ArrayList<>();
        List<Integer> ejected = new ArrayList<>();
        String[] names = {"before", "orders-4 down", "orders-4 back"};
        for (int p = 0; p < 3; p++) {
            dying.down(p == 1);
            int made = 0;
            int errors = 0;
            dying.takeReceived();
            long end = System.nanoTime() + phase.toNanos();
            while (System.nanoTime() < end) {
                try (Response response = mesh.newCall(request()).execute()) {
                    response.body().string();
                    if (response.code() != 200) {
                        errors++;
                    }
                } catch (IOException e) {
                    errors++;
                }
                made++;
                pause(2);
                progress.printf("\r  act 2, %s: %d calls", names[p], made);
            }
            clearProgress(progress);
            share.add((double) dying.takeReceived() / made);
            failed.add(errors);
            calls.add(made);
            ejected.add((int) meters.get("mesh.service.instances").tag("state", "ejected").gauge().value());
        }
        return new Failover(share, failed, calls, ejected);
    }

    /** Act 3: every instance answers 503; three attempts per call without a budget, then within the default one. */
    static Retries retries(int calls, PrintStream progress) throws IOException {
        try (LoopbackBackend a = new LoopbackBackend("orders-1").failing(10);
                LoopbackBackend b = new LoopbackBackend("orders-2").failing(10);
                LoopbackBackend c = new LoopbackBackend("orders-3").failing(10)) {
            List<LoopbackBackend> all = List.of(a, b, c);
            RetryConfig unbudgeted = RetryConfig.custom().backoffBase(Duration.ZERO).backoffMax(Duration.ZERO)
                    .budgetPercent(1_000).budgetMinPerSecond(100_000).build();
            RetryConfig budgeted = RetryConfig.from(RetryConfig.ofDefaults()).backoffBase(Duration.ZERO)
                    .backoffMax(Duration.ZERO).build();
            LoadBalancerFactory noEjection = LoadBalancers.of(BalancerConfig.custom().algorithm(Algorithm.ROUND_ROBIN)
                    .outlierEjection(OutlierEjectionConfig.disabled()).build());
            Spread naive = run(all, ServiceSettings.custom().balancer(noEjection).retry(unbudgeted).build(), calls,
                    "act 3, retries without a budget", progress, null);
            Spread withBudget = run(all, ServiceSettings.custom().balancer(noEjection).retry(budgeted).build(),
                    calls, "act 3, retries within the budget", progress, null);
            return new Retries(naive, withBudget);
        }
    }

    /** Act 4: five instances, one answering in 30 ms and the others in 1 ms, by round robin. */
    static Hedging hedging(int calls, PrintStream progress) throws IOException {
        List<LoopbackBackend> all = new ArrayList<>();
        try {
            for (int i = 1; i <= 4; i++) {
                all.add(new LoopbackBackend("orders-" + i).delay(1));
            }
            all.add(new LoopbackBackend("slow").delay(30));
            ServiceSettings roundRobin = ServiceSettings.custom().balancer(LoadBalancers.roundRobin()).build();
            Spread without = run(all, roundRobin, calls, "act 4, without hedging", progress, null);
            Spread with = run(all, ServiceSettings.from(roundRobin)
                    .hedging(HedgingConfig.custom().delay(Duration.ofMillis(5)).build()).build(),
                    calls, "act 4, hedging after 5 ms", progress, null);
            return new Hedging(without, with);
        } finally {
            all.forEach(LoopbackBackend::close);
        }
    }

    /**
     * Act 5: a service circuit breaker (open at 50% failures over 10 calls, for {@code openFor}). The service fails
     * every call for a while, then recovers: first while the breaker is still open, then after it may try again.
     */
    static Breaker circuitBreaker(int callsPerPhase, Duration openFor, PrintStream progress) throws IOException {
        try (LoopbackBackend a = new LoopbackBackend("orders-1").failing(10);
                LoopbackBackend b = new LoopbackBackend("orders-2").failing(10);
                MeshClient mesh = MeshClient.builder().discovery(discovery(List.of(a, b)))
                        .defaultSettings(ServiceSettings.custom().retry(RetryConfig.disabled())
                                .circuitBreaker(CircuitBreakerConfig.custom().slidingWindowSize(10)
                                        .minimumNumberOfCalls(10).failureRateThreshold(50)
                                        .waitDurationInOpenState(openFor).permittedNumberOfCallsInHalfOpenState(3)
                                        .build())
                                .build())
                        .build()) {
            List<String> transitions = new ArrayList<>();
            mesh.guard("orders").circuitBreaker().getEventPublisher()
                    .onStateTransition(event -> transitions.add(event.getStateTransition().toString()));
            List<Integer> answered = new ArrayList<>();
            List<Integer> rejected = new ArrayList<>();
            List<Integer> requests = new ArrayList<>();
            for (int phase = 0; phase < 3; phase++) {
                if (phase == 1) {
                    a.failing(0);
                    b.failing(0);
                } else if (phase == 2) {
                    pause(openFor.toMillis() + 100);
                }
                a.takeReceived();
                b.takeReceived();
                int ok = 0;
                int open = 0;
                for (int i = 0; i < callsPerPhase; i++) {
                    try (Response response = mesh.newCall(request()).execute()) {
                        response.body().string();
                        ok += response.code() == 200 ? 1 : 0;
                    } catch (CircuitOpenException e) {
                        open++;
                    }
                }
                answered.add(ok);
                rejected.add(open);
                requests.add(a.takeReceived() + b.takeReceived());
                progress.printf("\r  act 5, phase %d of 3", phase + 1);
            }
            clearProgress(progress);
            return new Breaker(answered, rejected, requests, transitions);
        }
    }

    /** Act 6: a rate limit of 50 calls a second, and {@code calls} calls made as fast as one thread can. */
    static RateLimit rateLimit(int calls, PrintStream progress) throws IOException {
        try (LoopbackBackend a = new LoopbackBackend("orders-1");
                MeshClient mesh = MeshClient.builder().discovery(discovery(List.of(a)))
                        .defaultSettings(ServiceSettings.custom().rateLimit(RateLimiterConfig.custom()
                                .limitForPeriod(50).limitRefreshPeriod(Duration.ofSeconds(1)).build()).build())
                        .build()) {
            a.takeReceived();
            int ok = 0;
            int limited = 0;
            for (int i = 0; i < calls; i++) {
                try (Response response = mesh.newCall(request()).execute()) {
                    response.body().string();
                    ok += response.code() == 200 ? 1 : 0;
                } catch (RateLimitedException e) {
                    limited++;
                }
            }
            progress.print("\r  act 6");
            clearProgress(progress);
            return new RateLimit(calls, ok, limited, a.takeReceived());
        }
    }

    /** Sends {@code calls} GETs through a new mesh client with {@code settings}; records who answered, in order. */
    private static Spread run(List<LoopbackBackend> backends, ServiceSettings settings, int calls, String act,
            PrintStream progress, List<String> order) throws IOException {
        backends.forEach(LoopbackBackend::takeReceived);
        Map<String, Integer> answeredBy = new LinkedHashMap<>();
        long[] nanos = new long[calls];
        int ok = 0;
        try (MeshClient mesh = MeshClient.builder().discovery(discovery(backends)).defaultSettings(settings)
                .build()) {
            Call.Factory http = mesh;
            for (int i = 0; i < calls; i++) {
                long start = System.nanoTime();
                String answer;
                try (Response response = http.newCall(request()).execute()) {
                    answer = response.body().string();
                    ok += response.code() == 200 ? 1 : 0;
                } catch (IOException e) {
                    answer = "failed";
                }
                nanos[i] = System.nanoTime() - start;
                answeredBy.merge(answer, 1, Integer::sum);
                if (order != null) {
                    order.add(answer);
                }
                if (i % 20 == 0) {
                    progress.printf("\r  %s: %d/%d calls", act, i, calls);
                }
            }
        }
        clearProgress(progress);
        int requests = backends.stream().mapToInt(LoopbackBackend::takeReceived).sum();
        Arrays.sort(nanos);
        long over20 = Arrays.stream(nanos).filter(took -> took > 20_000_000L).count();
        return new Spread(answeredBy, nanos[calls / 2] / 1e6, nanos[Math.min(calls - 1, calls * 99 / 100)] / 1e6,
                (double) over20 / calls, (double) ok / calls, calls, requests);
    }

    private static void clearProgress(PrintStream progress) {
        progress.print("\r" + " ".repeat(72) + "\r");
    }

    private static StaticDiscovery discovery(List<LoopbackBackend> backends) {
        List<ServiceInstance> instances = new ArrayList<>();
        for (LoopbackBackend backend : backends) {
            instances.add(ServiceInstance.builder("orders", "127.0.0.1", backend.port()).id(backend.name()).build());
        }
        return StaticDiscovery.of(instances);
    }

    private static Request request() {
        return new Request.Builder().url("http://orders/v1/items").build();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void printBalancers(PrintStream out, Balancers act) {
        out.println();
        out.println("Act 1. Round robin or peak-EWMA (the default), " + act.roundRobin().calls() + " calls each:"
                + " orders-1 and orders-2 answer in 1 ms, 'slow' in 10 ms, 'flaky' fails 3 calls in 10 (retried"
                + " elsewhere)");
        out.println("  balancer     orders-1 orders-2   slow  flaky   p50 ms   p99 ms  success");
        for (Map.Entry<String, Spread> row : Map.of("round robin", act.roundRobin(), "peak-EWMA", act.peakEwma())
                .entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.reverseOrder())).toList()) {
            Spread s = row.getValue();
            out.printf(Locale.ROOT, "  %-11s %8.0f%% %7.0f%% %5.0f%% %5.0f%% %8.2f %8.2f %7.1f%%%n", row.getKey(),
                    100 * s.share("orders-1"), 100 * s.share("orders-2"), 100 * s.share("slow"),
                    100 * s.share("flaky"), s.p50Millis(), s.p99Millis(), 100 * s.successRate());
        }
        StringBuilder windows = new StringBuilder();
        act.ewmaSlowShareByWindow().forEach(share -> windows.append(String.format(Locale.ROOT, " %.0f%%", 100 * share)));
        out.println("  peak-EWMA's share of 'slow', call window by call window:" + windows);
        out.println("  (peak-EWMA compares two instances drawn at random: 'slow' still wins when drawn against 'flaky',"
                + " whose failures weigh more than slowness)");
    }

    private static void printFailover(PrintStream out, Failover act) {
        out.println();
        out.println("Act 2. Failover: orders-4 drops every connection for a while, then answers again (GETs are"
                + " retried on another instance)");
        out.println("  phase            calls  requests reaching orders-4  failed calls  instances ejected");
        String[] names = {"before", "orders-4 down", "orders-4 back"};
        for (int p = 0; p < 3; p++) {
            out.printf(Locale.ROOT, "  %-15s %6d %26.1f%% %13d %18d%n", names[p], act.calls().get(p),
                    100 * act.shareOfDying().get(p), act.failedCalls().get(p), act.ejected().get(p));
        }
        out.println("  (after its first failed attempts, peak-EWMA's failure penalty keeps orders-4 out for 2 s at a"
                + " time, so it rarely fails 5 times in a row, which outlier ejection needs)");
    }

    private static void printRetries(PrintStream out, Retries act) {
        out.println();
        out.println("Act 3. Every instance answers 503 (outlier ejection off, to show retries alone): what the"
                + " service receives per call");
        out.printf(Locale.ROOT, "  3 attempts, no budget          %.2f requests per call%n",
                act.naive().requestsPerCall());
        out.printf(Locale.ROOT, "  3 attempts, the default budget %.2f requests per call (20%% of calls plus 10 a second)%n",
                act.budgeted().requestsPerCall());
    }

    private static void printBreaker(PrintStream out, Breaker act) {
        out.println();
        out.println("Act 5. A circuit breaker on the service (opens at 50% failures over 10 calls, tries again after 1 s),"
                + " no retries");
        out.println("  phase                              answered  rejected by the breaker  requests reaching orders");
        String[] names = {"service fails every call", "service recovered, breaker open", "1 s later"};
        for (int p = 0; p < 3; p++) {
            out.printf(Locale.ROOT, "  %-33s %9d %24d %25d%n", names[p], act.answered().get(p), act.rejected().get(p),
                    act.requests().get(p));
        }
        out.println("  transitions: " + String.join(", ", act.transitions()));
    }

    private static void printRateLimit(PrintStream out, RateLimit act) {
        out.println();
        out.println("Act 6. A rate limit of 50 calls a second, " + act.calls() + " calls from one thread as fast as it"
                + " can");
        out.printf(Locale.ROOT, "  answered %d, rejected at once with RateLimitedException %d, requests reaching orders"
                + " %d%n", act.answered(), act.rejected(), act.requests());
    }

    private static void printMetrics(PrintStream out, SimpleMeterRegistry meters) {
        out.println();
        out.println("Act 7. What the client recorded in Micrometer (act 4's setup with hedging, 200 calls)");
        for (Timer timer : meters.find("mesh.client.requests").timers()) {
            out.printf(Locale.ROOT, "  mesh.client.requests{status=%s,outcome=%s}: %d calls, mean %.2f ms, max %.2f ms%n",
                    timer.getId().getTag("status"), timer.getId().getTag("outcome"), timer.count(),
                    timer.mean(TimeUnit.MILLISECONDS), timer.max(TimeUnit.MILLISECONDS));
        }
        Map<String, Double> byKind = new TreeMap<>();
        meters.find("mesh.client.attempts").counters().forEach(counter ->
                byKind.merge(counter.getId().getTag("kind"), counter.count(), Double::sum));
        byKind.forEach((kind, count) -> out.printf(Locale.ROOT, "  mesh.client.attempts{kind=%s}: %.0f%n", kind,
                count));
    }

    private static void printCanary(PrintStream out, Canary act) {
        out.println();
        out.println("Act 8. A canary: a route splits calls 90/10 between v1 and v2 (two instances each), then"
                + " mesh.updatePolicy(...) moves it to 50/50 while two threads keep calling");
        out.println("  phase   calls  answered by v2");
        String[] names = {"90/10", "50/50"};
        for (int p = 0; p < 2; p++) {
            out.printf(Locale.ROOT, "  %-6s %6d %14.1f%%%n", names[p], act.calls().get(p), 100 * act.v2Share().get(p));
        }
        out.printf(Locale.ROOT, "  failed calls: %d; requests the instances read: %d for %d calls%n", act.failed(),
                act.requests(), act.calls().get(0) + act.calls().get(1));
    }

    private static void printHedging(PrintStream out, Hedging act) {
        out.println();
        out.println("Act 4. One instance of five answers in 30 ms, round robin: a backup request after 5 ms");
        out.printf(Locale.ROOT, "  without hedging  p50 %.2f ms  p99 %.2f ms  %.2f requests per call%n",
                act.without().p50Millis(), act.without().p99Millis(), act.without().requestsPerCall());
        out.printf(Locale.ROOT, "  with hedging     p50 %.2f ms  p99 %.2f ms  %.2f requests per call%n",
                act.with().p50Millis(), act.with().p99Millis(), act.with().requestsPerCall());
    }
}
