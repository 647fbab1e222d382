package io.mesh4j.benchmarks.scenarios;

import io.mesh4j.api.ServiceInstance;
import io.mesh4j.client.MeshClient;
import io.mesh4j.client.StaticDiscovery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import okhttp3.OkHttpClient;

/**
 * Scenario 1, overhead: the same GET to one loopback backend that answers at once, from one calling thread, through
 * bare OkHttp, through Mesh4j ({@code MeshClient.newCall} to {@code http://orders/}, default settings) and through
 * bare OkHttp to a local nginx reverse proxy with upstream keep-alive (the sidecar hop). Every connection is pooled
 * after the warm-up. CPU per call is the calling thread's CPU time plus, for nginx, its processes' CPU time from
 * {@code /proc}; the backend's own CPU is left out of every row alike. A second bare OkHttp client, the control, makes
 * the same calls as the first: how far two identical contenders differ in one run is the noise any ratio here
 * carries.
 */
final class OverheadScenario implements Scenario {

    private static final String CONTROL = "bare OkHttp again (control)";

    private final Loopback loopback;

    OverheadScenario(Loopback loopback) {
        this.loopback = loopback;
    }

    @Override
    public String id() {
        return "overhead";
    }

    @Override
    public Report run(Pace pace) throws Exception {
        Report report = new Report(id(), "Overhead: bare OkHttp, Mesh4j, an nginx sidecar");
        try (Backend backend = loopback.start("b0", Backend.Answer.ok(0));
                Nginx nginx = Nginx.startInFrontOf(backend.port())) {
            OkHttpClient bare = new OkHttpClient();
            List<Contender> contenders = new ArrayList<>();
            contenders.add(Contenders.okHttp("bare OkHttp", bare, "http://127.0.0.1:" + backend.port() + "/"));
            MeshClient mesh = MeshClient.builder().discovery(StaticDiscovery.of(
                    ServiceInstance.builder("orders", "127.0.0.1", backend.port()).build())).build();
            contenders.add(Contenders.mesh("Mesh4j", mesh, "http://orders/"));
            contenders.add(Contenders.okHttp(CONTROL, new OkHttpClient(), "http://127.0.0.1:" + backend.port() + "/"));
            if (nginx != null) {
                contenders.add(Contenders.okHttp("nginx sidecar", bare, "http://127.0.0.1:" + nginx.port() + "/"));
            } else {
                report.text("nginx is not installed here, so its row is missing; `mesh-benchmarks/scenarios.sh` "
                        + "installs it (Debian's `nginx-light`).");
            }
            Interleaved.Plan plan = new Interleaved.Plan(pace.rounds(4), pace.blockNanos(2_000),
                    pace.blockNanos(2_000), 1, 5_000_000);
            Map<String, Interleaved.Tally> tallies = Interleaved.run(contenders, plan,
                    () -> new long[] {nginx == null ? 0 : nginx.cpuNanos()});
            contenders.forEach(Contender::close);
            report(report, plan, tallies);
        }
        return report;
    }

    private static void report(Report report, Interleaved.Plan plan, Map<String, Interleaved.Tally> tallies) {
        report.text(String.format(java.util.Locale.ROOT, "One calling thread, closed loop; %d interleaved rounds of "
                + "%.1f s blocks per contender after a warm-up block each.", plan.rounds(), plan.blockNanos() / 1e9));
        Table table = new Table("contender", "calls", "p50 ms", "p99 ms", "p99.9 ms", "p50 vs bare",
                "p99 vs bare", "client CPU µs/call", "proxy CPU µs/call");
        long[] bare = tallies.get("bare OkHttp").samples.sortedLatencies();
        List<String> names = new ArrayList<>(tallies.keySet());
        double[][] chart = new double[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            Interleaved.Tally tally = tallies.get(names.get(i));
            long[] sorted = tally.samples.sortedLatencies();
            long calls = tally.calls();
            table.row(names.get(i), calls, Table.millis(Samples.quantile(sorted, 0.5)),
                    Table.millis(Samples.quantile(sorted, 0.99)), Table.millis(Samples.quantile(sorted, 0.999)),
                    Table.fixed(ratio(sorted, bare, 0.5), 3), Table.fixed(ratio(sorted, bare, 0.99), 3),
                    Table.micros((double) tally.callerCpuNanos / calls), Table.micros((double) tally.counter(0) / calls));
            chart[i] = new double[] {Samples.quantile(sorted, 0.5) / 1e6, Samples.quantile(sorted, 0.99) / 1e6,
                Samples.quantile(sorted, 0.999) / 1e6};
        }
        report.table(table);
        long[] mesh = tallies.get("Mesh4j").samples.sortedLatencies();
        long[] control = tallies.get(CONTROL).samples.sortedLatencies();
        double p50Ratio = ratio(mesh, bare, 0.5);
        double p99Ratio = ratio(mesh, bare, 0.99);
        double p50Noise = Math.abs(ratio(control, bare, 0.5) - 1);
        double p99Noise = Math.abs(ratio(control, bare, 0.99) - 1);
        report.target("Mesh4j p50 and p99 within 1.02x of bare OkHttp, beyond the control's distance from it",
                p50Ratio <= 1.02 + p50Noise && p99Ratio <= 1.02 + p99Noise,
                "p50 " + Table.fixed(p50Ratio, 3) + "x, p99 " + Table.fixed(p99Ratio, 3) + "x; the control: p50 "
                        + Table.fixed(ratio(control, bare, 0.5), 3) + "x, p99 "
                        + Table.fixed(ratio(control, bare, 0.99), 3) + "x");
        Interleaved.Tally sidecar = tallies.get("nginx sidecar");
        if (sidecar != null) {
            long bareP50 = Samples.quantile(bare, 0.5);
            long meshAdds = Samples.quantile(mesh, 0.5) - bareP50;
            long controlAdds = Samples.quantile(control, 0.5) - bareP50;
            long nginxAdds = Samples.quantile(sidecar.samples.sortedLatencies(), 0.5) - bareP50;
            String figures = "p50 added: nginx " + Table.micros(nginxAdds) + " µs, Mesh4j " + Table.micros(meshAdds)
                    + " µs, the control " + Table.micros(controlAdds) + " µs";
            String target = "nginx adds at least 50x more than Mesh4j";
            if (meshAdds <= Math.abs(controlAdds)) {
                double bareCpu = cpuPerCall(tallies.get("bare OkHttp"));
                report.unresolved(target, figures + ": what Mesh4j adds is within what an identical client differs "
                        + "by. CPU per call added: nginx (client and proxy) "
                        + Table.micros(cpuPerCall(sidecar) - bareCpu) + " µs, Mesh4j "
                        + Table.micros(cpuPerCall(tallies.get("Mesh4j")) - bareCpu) + " µs, the control "
                        + Table.micros(cpuPerCall(tallies.get(CONTROL)) - bareCpu) + " µs");
            } else {
                report.target(target, nginxAdds >= 50 * meshAdds,
                        figures + ", " + Table.fixed((double) nginxAdds / meshAdds, 1) + "x");
            }
        }
        report.chart("latency", SvgChart.bars("Overhead: latency per call, one thread (ms, log scale)", "ms", names,
                List.of("p50", "p99", "p99.9"), chart, true));
    }

    /** The calling thread's and the proxy's CPU time per call, in nanoseconds. */
    private static double cpuPerCall(Interleaved.Tally tally) {
        return (double) (tally.callerCpuNanos + tally.counter(0)) / tally.calls();
    }

    private static double ratio(long[] sorted, long[] baseline, double quantile) {
        return (double) Samples.quantile(sorted, quantile) / Samples.quantile(baseline, quantile);
    }
}
