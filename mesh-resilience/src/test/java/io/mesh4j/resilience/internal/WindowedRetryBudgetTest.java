package io.mesh4j.resilience.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class WindowedRetryBudgetTest {

    private static final long NOW = 5_000_000_000L;

    @Test
    void shouldAllowFloorPlusShareOfRequestsWhenOneThreadWithdraws() {
        WindowedRetryBudget budget = new WindowedRetryBudget(20, 1, 10, () -> NOW);
        for (int i = 0; i < 100; i++) {
            budget.deposit(NOW);
        }

        int allowed = 0;
        while (budget.tryWithdraw()) {
            allowed++;
        }

        assertThat(allowed).isEqualTo(10 + 20);
        assertThat(budget.balance()).isZero();
    }

    @RepeatedTest(20)
    void shouldNeverAllowMoreThanTheBudgetWhenThreadsWithdrawAtOnce() throws InterruptedException {
        WindowedRetryBudget budget = new WindowedRetryBudget(20, 0, 10, () -> NOW);
        for (int i = 0; i < 100; i++) {
            budget.deposit(NOW);
        }
        AtomicInteger allowed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 1_000; i++) {
                    if (budget.tryWithdraw()) {
                        allowed.incrementAndGet();
                    }
                }
            });
            threads.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        int afterwards = 0;
        while (budget.tryWithdraw()) {
            afterwards++;
        }

        assertThat(allowed.get()).isLessThanOrEqualTo(20);
        assertThat(allowed.get() + afterwards).isEqualTo(20);
    }
}
