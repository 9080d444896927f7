package io.promptq.aggregator.internal.view;

import io.promptq.aggregator.JobResultView;
import io.promptq.aggregator.JobView;
import io.promptq.schema.ErrorInfo;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The ordering rule of a job's changes, as a pure function: a change is ranked (QUEUED 0, RUNNING of attempt n
 * 2n-1, RETRYING of attempt n 2n, terminal {@link JobView#TERMINAL}) and applied only if its rank is above the
 * view's version, so that each state appears once and in order even when changes arrive late or twice. A later
 * {@code SUCCEEDED} result replaces a {@code DEAD_LETTERED} or {@code EXPIRED} one of the same generation.
 *
 * <p>Changes and results carry the job's redrive generation ({@code redrive}, 0 as submitted): the version is
 * {@code generation << 32 | rank}, so a redriven job's view goes on from its terminal state to the new
 * generation's QUEUED, RUNNING, ... and terminal state with the version still growing, and anything of an older
 * generation arriving late is dropped. Generation 0 keeps the versions it always had.
 */
public final class JobViews {

    private static final int MAX_ATTEMPT = (JobView.TERMINAL - 1) / 2;

    private JobViews() {}

    /** The rank of a state change, or -1 if it cannot be ranked (a terminal or unknown state on the status topic). */
    public static int rank(JobStateChange change) {
        int attempt = Math.clamp(change.getAttempt(), 1, MAX_ATTEMPT);
        return switch (change.getState()) {
            case QUEUED -> 0;
            case RUNNING -> 2 * attempt - 1;
            case RETRYING -> 2 * attempt;
            default -> -1;
        };
    }

    /** The version of state rank {@code rank} in redrive generation {@code generation}. */
    public static long version(int generation, int rank) {
        return ((long) Math.max(0, generation) << 32) | rank;
    }

    /** The redrive generation of a view's version. */
    public static int generation(long version) {
        return (int) (version >>> 32);
    }

    private static int rankOf(long version) {
        return (int) version;
    }

    /** The view after {@code change}, or null if the change is dropped (late, repeated or unrankable). */
    public static @Nullable JobView apply(@Nullable JobView current, String jobId, JobStateChange change) {
        int rank = rank(change);
        long version = version(change.getRedrive(), rank);
        if (rank < 0 || (current != null && version <= current.version())) {
            return null;
        }
        JobView.Change entry = new JobView.Change(version, change.getState().name(), iso(change.getAt()),
                change.getAttempt(), change.getWorkerId(), iso(change.getNextAttemptAt()), change.getErrorClass());
        return next(current, jobId, change.getTenant(), entry, false, null);
    }

    /** The view after the job's result {@code result}, or null if it is a duplicate. */
    public static @Nullable JobView apply(@Nullable JobView current, String jobId, JobResult result) {
        int generation = Math.max(0, result.getRedrive());
        int currentGeneration = current == null ? -1 : generation(current.version());
        long rank;
        if (current == null || generation > currentGeneration
                || generation == currentGeneration && !current.terminal()) {
            rank = version(generation, JobView.TERMINAL);
        } else if (generation == currentGeneration && rankOf(current.version()) == JobView.TERMINAL
                && result.getStatus() == JobStatus.SUCCEEDED
                && current.result() != null && (current.result().status().equals(JobStatus.DEAD_LETTERED.name())
                        || current.result().status().equals(JobStatus.EXPIRED.name()))) {
            rank = version(generation, JobView.REDRIVEN);
        } else {
            return null;
        }
        String status = result.getStatus() == null ? JobStatus.UNKNOWN.name() : result.getStatus().name();
        ErrorInfo e = result.getError();
        JobView.Change entry = new JobView.Change(rank, status, iso(result.getCompletedAt()), result.getAttempts(),
                result.getWorkerId(), null, e == null ? null : e.getType());
        JobView.Result outcome = new JobView.Result(status, result.getModel(), result.getOutput(),
                result.getFinishReason(), result.getUsage() == null ? 0 : result.getUsage().getPromptTokens(),
                result.getUsage() == null ? 0 : result.getUsage().getCompletionTokens(), result.getAttempts(),
                result.getAttemptDurationsMs(), result.getQueueWaitMs(), result.getProviderMs(), result.getEndToEndMs(),
                e == null ? null : new JobResultView.Error(e.getType(), e.getMessage(), e.getRetryable(), e.getHttpStatus()),
                iso(result.getCompletedAt()));
        return next(current, jobId, result.getTenant(), entry, true, outcome);
    }

    private static JobView next(@Nullable JobView current, String jobId, @Nullable String tenant, JobView.Change entry,
            boolean terminal, JobView.@Nullable Result result) {
        List<JobView.Change> history = new ArrayList<>(current == null ? 1 : current.history().size() + 1);
        if (current != null) {
            List<JobView.Change> before = current.history();
            history.addAll(before.size() < JobView.MAX_HISTORY ? before
                    : before.subList(before.size() - JobView.MAX_HISTORY + 1, before.size()));
        }
        history.add(entry);
        String knownTenant = current != null && current.tenant() != null && !current.tenant().isEmpty()
                ? current.tenant() : tenant;
        return new JobView(jobId, knownTenant, entry.state(), entry.version(), terminal, history,
                terminal ? result : null);
    }

    private static @Nullable String iso(@Nullable Instant at) {
        return at == null ? null : at.toString();
    }
}
