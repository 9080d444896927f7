package io.promptq.aggregator.internal.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.aggregator.JobView;
import io.promptq.aggregator.QueryUnavailableException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class JobViewWaitersTest {

    private static final JobView VIEW = new JobView("a", "t", "QUEUED", 0, false, List.of(), null);

    @Test
    void aChangeWakesTheWaitersOfItsJobOnly() {
        JobViewWaiters waiters = new JobViewWaiters(10);
        CompletableFuture<JobView> a = waiters.register("a");
        CompletableFuture<JobView> b = waiters.register("b");
        waiters.changed("a", VIEW);
        assertThat(a).isCompletedWithValue(VIEW);
        assertThat(b).isNotDone();
        waiters.remove("a", a);
        waiters.remove("b", b);
        assertThat(waiters.waiting()).isZero();
    }

    @Test
    void waitersBeyondTheBoundAreRefusedUntilOneLeaves() {
        JobViewWaiters waiters = new JobViewWaiters(2);
        CompletableFuture<JobView> first = waiters.register("a");
        waiters.register("a");
        assertThatThrownBy(() -> waiters.register("b")).isInstanceOf(QueryUnavailableException.class)
                .hasMessageContaining("too many");
        waiters.remove("a", first);
        waiters.remove("a", first);
        assertThat(waiters.waiting()).isEqualTo(1);
        assertThat(waiters.register("b")).isNotDone();
    }
}
