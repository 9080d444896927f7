package io.promptq.aggregator.internal.view;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.aggregator.JobView;
import io.promptq.schema.ErrorInfo;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.JobStatus;
import io.promptq.schema.TokenUsage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobViewsTest {

    private static final Instant T0 = Instant.parse("2026-12-02T10:00:00Z");

    static JobStateChange change(JobState state, int attempt) {
        return JobStateChange.newBuilder().setJobId("j").setTenant("acme").setState(state)
                .setAt(T0.plusSeconds(attempt)).setAttempt(attempt).build();
    }

    static JobResult result(JobStatus status) {
        return JobResult.newBuilder().setJobId("j").setTenant("acme").setModel("m").setStatus(status)
                .setOutput(status == JobStatus.SUCCEEDED ? "hello" : null)
                .setUsage(TokenUsage.newBuilder().setPromptTokens(3).setCompletionTokens(4).build()).setAttempts(2)
                .setAttemptDurationsMs(List.of(10L, 20L)).setQueueWaitMs(1).setProviderMs(30).setEndToEndMs(99)
                .setSubmittedAt(T0).setCompletedAt(T0.plusSeconds(60)).setWorkerId("w1")
                .setError(status == JobStatus.SUCCEEDED ? null
                        : ErrorInfo.newBuilder().setType("TIMEOUT").setMessage("slow").setRetryable(true).build())
                .setAttributes(Map.of()).build();
    }

    @Test
    void ranksQueuedRunningAndRetryingPerAttempt() {
        assertThat(JobViews.rank(change(JobState.QUEUED, 0))).isEqualTo(0);
        assertThat(JobViews.rank(change(JobState.RUNNING, 1))).isEqualTo(1);
        assertThat(JobViews.rank(change(JobState.RETRYING, 1))).isEqualTo(2);
        assertThat(JobViews.rank(change(JobState.RUNNING, 3))).isEqualTo(5);
        assertThat(JobViews.rank(change(JobState.SUCCEEDED, 1))).isEqualTo(-1);
        assertThat(JobViews.rank(change(JobState.UNKNOWN, 1))).isEqualTo(-1);
    }

    @Test
    void lateAndRepeatedChangesAreDroppedSoEachStateAppearsOnceInOrder() {
        JobView view = JobViews.apply(null, "j", change(JobState.QUEUED, 0));
        view = JobViews.apply(view, "j", change(JobState.RUNNING, 1));
        view = JobViews.apply(view, "j", change(JobState.RETRYING, 1));
        assertThat(JobViews.apply(view, "j", change(JobState.RUNNING, 1))).isNull();
        assertThat(JobViews.apply(view, "j", change(JobState.QUEUED, 0))).isNull();
        assertThat(JobViews.apply(view, "j", change(JobState.RETRYING, 1))).isNull();
        view = JobViews.apply(view, "j", change(JobState.RUNNING, 2));
        view = JobViews.apply(view, "j", result(JobStatus.SUCCEEDED));
        assertThat(view.history()).extracting(JobView.Change::state)
                .containsExactly("QUEUED", "RUNNING", "RETRYING", "RUNNING", "SUCCEEDED");
        assertThat(view.version()).isEqualTo(JobView.TERMINAL);
        assertThat(view.result().output()).isEqualTo("hello");
        assertThat(JobViews.apply(view, "j", result(JobStatus.SUCCEEDED))).isNull();
        assertThat(JobViews.apply(view, "j", change(JobState.RUNNING, 9))).isNull();
    }

    @Test
    void aResultWithoutEarlierChangesIsATerminalView() {
        JobView view = JobViews.apply(null, "j", result(JobStatus.DEAD_LETTERED));
        assertThat(view.terminal()).isTrue();
        assertThat(view.state()).isEqualTo("DEAD_LETTERED");
        assertThat(view.history()).singleElement().satisfies(c -> assertThat(c.errorClass()).isEqualTo("TIMEOUT"));
    }

    @Test
    void aRedrivenJobGoesFromItsDeadLetterThroughTheNewGenerationWithTheVersionStillGrowing() {
        JobView view = JobViews.apply(null, "j", change(JobState.QUEUED, 0));
        view = JobViews.apply(view, "j", change(JobState.RUNNING, 1));
        view = JobViews.apply(view, "j", result(JobStatus.DEAD_LETTERED));
        long deadVersion = view.version();

        JobStateChange queued = change(JobState.QUEUED, 0);
        queued.setRedrive(1);
        JobView requeued = JobViews.apply(view, "j", queued);
        assertThat(requeued.state()).isEqualTo("QUEUED");
        assertThat(requeued.terminal()).isFalse();
        assertThat(requeued.result()).isNull();
        assertThat(requeued.version()).isGreaterThan(deadVersion);
        assertThat(JobViews.apply(requeued, "j", change(JobState.RUNNING, 2))).as("generation 0, late").isNull();
        assertThat(JobViews.apply(requeued, "j", result(JobStatus.SUCCEEDED))).as("generation 0, late").isNull();

        JobStateChange running = change(JobState.RUNNING, 1);
        running.setRedrive(1);
        view = JobViews.apply(requeued, "j", running);
        JobResult success = result(JobStatus.SUCCEEDED);
        success.setRedrive(1);
        view = JobViews.apply(view, "j", success);
        assertThat(view.state()).isEqualTo("SUCCEEDED");
        assertThat(view.terminal()).isTrue();
        assertThat(JobViews.generation(view.version())).isEqualTo(1);
        assertThat(view.history()).extracting(JobView.Change::state)
                .containsExactly("QUEUED", "RUNNING", "DEAD_LETTERED", "QUEUED", "RUNNING", "SUCCEEDED");
        assertThat(view.history()).extracting(JobView.Change::version).isSorted();
        assertThat(JobViews.apply(view, "j", success)).as("a second outcome of generation 1").isNull();
    }

    @Test
    void aSuccessReplacesADeadLetterOnceButNothingReplacesASuccess() {
        JobView dead = JobViews.apply(null, "j", result(JobStatus.DEAD_LETTERED));
        JobView redriven = JobViews.apply(dead, "j", result(JobStatus.SUCCEEDED));
        assertThat(redriven.version()).isEqualTo(JobView.REDRIVEN);
        assertThat(redriven.state()).isEqualTo("SUCCEEDED");
        assertThat(JobViews.apply(redriven, "j", result(JobStatus.SUCCEEDED))).isNull();
        assertThat(JobViews.apply(JobViews.apply(null, "j", result(JobStatus.SUCCEEDED)), "j",
                result(JobStatus.DEAD_LETTERED))).isNull();
    }

    @Test
    void historyKeepsTheLatestEntriesWithinItsBound() {
        JobView view = JobViews.apply(null, "j", change(JobState.QUEUED, 0));
        for (int attempt = 1; attempt <= 40; attempt++) {
            view = JobViews.apply(view, "j", change(JobState.RUNNING, attempt));
            view = JobViews.apply(view, "j", change(JobState.RETRYING, attempt));
        }
        assertThat(view.history()).hasSize(JobView.MAX_HISTORY);
        assertThat(view.history().getLast().version()).isEqualTo(80);
        assertThat(view.history().getFirst().version()).isEqualTo(80 - JobView.MAX_HISTORY + 1);
    }

    @Test
    void theStoredFormatRoundTripsAndIsCompact() {
        JobView view = JobViews.apply(null, "j", change(JobState.QUEUED, 0));
        view = JobViews.apply(view, "j", change(JobState.RUNNING, 1));
        view = JobViews.apply(view, "j", result(JobStatus.EXPIRED));
        byte[] bytes = StoredViewCodec.encode(view);
        assertThat(bytes[0]).isEqualTo(StoredViewCodec.FORMAT_V2);
        assertThat(StoredViewCodec.decode("j", bytes)).isEqualTo(view);
        assertThat(bytes.length).isLessThan(320);
        JobView succeeded = JobViews.apply(null, "j", result(JobStatus.SUCCEEDED));
        assertThat(StoredViewCodec.decode("j", StoredViewCodec.encode(succeeded))).isEqualTo(succeeded);
    }

    @Test
    void aRedrivenViewIsStoredWithWideVersionsAndRoundTrips() {
        JobView dead = JobViews.apply(null, "j", result(JobStatus.DEAD_LETTERED));
        JobStateChange queued = change(JobState.QUEUED, 0);
        queued.setRedrive(1);
        JobView view = JobViews.apply(dead, "j", queued);
        byte[] bytes = StoredViewCodec.encode(view);
        assertThat(bytes[0]).isEqualTo(StoredViewCodec.FORMAT_V2);
        assertThat(StoredViewCodec.decode("j", bytes)).isEqualTo(view);
    }
}
