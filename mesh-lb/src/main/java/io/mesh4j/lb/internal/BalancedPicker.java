package io.mesh4j.lb.internal;

import io.mesh4j.api.balancer.Endpoint;
import io.mesh4j.api.balancer.Picker;
import io.mesh4j.api.balancer.RequestContext;

/**
 * One immutable snapshot of a {@link MeshLoadBalancer}: the candidates and the selector built for them, plus the
 * generic parts every algorithm shares:
 * <ul>
 *   <li><b>review</b>: when an ejection ends or a ramp completes at a known time, the first pick after it asks the
 *       balancer to rebuild; until then no pick reads the clock for this;</li>
 *   <li><b>slow start</b>: a ramping endpoint is kept with probability equal to its ramp factor, else the selector
 *       draws again (at most {@value #MAX_REDRAWS} times), so its share grows with the ramp;</li>
 *   <li><b>retries</b>: an endpoint the call already tried is redrawn, and if the draws keep hitting tried ones, the
 *       first untried candidate after a random start is taken.</li>
 * </ul>
 * Thread-safe and lock-free.
 */
final class BalancedPicker implements Picker {

    private static final int MAX_REDRAWS = 3;

    private final MeshLoadBalancer owner;
    private final BalancedEndpoint[] candidates;
    private final Selector selector;
    private final long reviewAt;
    private final boolean hasReview;
    private final boolean ramping;

    BalancedPicker(MeshLoadBalancer owner, BalancedEndpoint[] candidates, Selector selector, long reviewAt,
            boolean hasReview, boolean ramping) {
        this.owner = owner;
        this.candidates = candidates;
        this.selector = selector;
        this.reviewAt = reviewAt;
        this.hasReview = hasReview;
        this.ramping = ramping;
    }

    @Override
    public Endpoint pick(RequestContext context) {
        if (hasReview && owner.ticker().read() - reviewAt >= 0) {
            owner.review();
            Picker current = owner.picker();
            if (current != this) {
                return current.pick(context);
            }
        }
        BalancedEndpoint picked = selector.select(context);
        if (ramping) {
            picked = applyRamp(picked, context);
        }
        if (!context.triedInstances().isEmpty() && context.wasTried(picked.instance())) {
            picked = untried(picked, context);
        }
        return picked;
    }

    private BalancedEndpoint applyRamp(BalancedEndpoint picked, RequestContext context) {
        long now = owner.ticker().read();
        for (int draw = 0; draw < MAX_REDRAWS; draw++) {
            double factor = picked.rampFactor(now, owner.slowStartNanos(), owner.slowStartMinFactor());
            if (factor >= 1.0 || owner.random().nextDouble() < factor) {
                return picked;
            }
            picked = selector.select(context);
        }
        return picked;
    }

    private BalancedEndpoint untried(BalancedEndpoint picked, RequestContext context) {
        for (int draw = 0; draw < MAX_REDRAWS; draw++) {
            BalancedEndpoint again = selector.select(context);
            if (!context.wasTried(again.instance())) {
                return again;
            }
        }
        int n = candidates.length;
        int start = owner.random().nextInt(n);
        for (int i = 0; i < n; i++) {
            BalancedEndpoint candidate = candidates[(start + i) % n];
            if (!context.wasTried(candidate.instance())) {
                return candidate;
            }
        }
        return picked;
    }

    /** The candidates of this snapshot, for tests. */
    BalancedEndpoint[] candidates() {
        return candidates.clone();
    }
}
