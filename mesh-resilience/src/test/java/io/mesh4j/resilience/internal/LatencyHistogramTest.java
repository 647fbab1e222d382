package io.mesh4j.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldPlaceEveryValueInBucketWhoseRangeHoldsIt() {
        for (long units = 0; units < 100_000; units++) {
            int bucket = LatencyHistogram.bucket(units);
            assertThat(LatencyHistogram.upperEdge(bucket)).isGreaterThanOrEqualTo(units);
            if (bucket > 0) {
                assertThat(LatencyHistogram.upperEdge(bucket - 1)).isLessThan(units);
            }
        }
    }

    @Test
    void shouldEstimatePercentilesWithinBucketErrorWhenSamplesAreSpread() {
        LatencyHistogram histogram = new LatencyHistogram(10 * SECOND);
        SplittableRandom random = new SplittableRandom(42);
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            long nanos = 100_000 + random.nextLong(50_000_000);
            samples.add(nanos);
            histogram.record(nanos, SECOND);
        }
        samples.sort(null);

        for (double percentile : new double[] {50, 90, 99}) {
            long exact = samples.get((int) Math.ceil(percentile / 100 * samples.size()) - 1);
            assertThat(histogram.percentileNanos(percentile, SECOND, 1))
                    .as("p%s", percentile)
                    .isBetween(exact, exact + exact / 8 + 1024);
        }
    }

    @Test
    void shouldForgetSamplesWhenTheyLeaveTheWindow() {
        LatencyHistogram histogram = new LatencyHistogram(2 * SECOND);
        for (int i = 0; i < 10; i++) {
            histogram.record(50_000_000, SECOND / 2);
        }
        for (int i = 0; i < 10; i++) {
            histogram.record(1_000_000, SECOND + SECOND / 2);
        }
        assertThat(histogram.percentileNanos(100, SECOND + SECOND / 2, 20)).isGreaterThanOrEqualTo(50_000_000);

        assertThat(histogram.percentileNanos(100, 2 * SECOND + SECOND / 2, 1)).isLessThan(1_200_000);
        assertThat(histogram.percentileNanos(100, 2 * SECOND + SECOND / 2, 11)).isEqualTo(-1);
        assertThat(histogram.percentileNanos(100, 4 * SECOND, 1)).isEqualTo(-1);
    }

    @Test
    void shouldCountEverySampleWhenThreadsRecordAtOnce() throws Exception {
        LatencyHistogram histogram = new LatencyHistogram(10 * SECOND);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            long latency = (t + 1) * 1_000_000L;
            done.add(threads.submit(() -> {
                start.await();
                for (int i = 0; i < 25_000; i++) {
                    histogram.record(latency, SECOND);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> future : done) {
            future.get();
        }
        threads.shutdown();

        assertThat(histogram.percentileNanos(25, SECOND, 100_000)).isBetween(1_000_000L, 1_125_000L);
        assertThat(histogram.percentileNanos(100, SECOND, 100_000)).isBetween(4_000_000L, 4_500_000L);
    }
}
