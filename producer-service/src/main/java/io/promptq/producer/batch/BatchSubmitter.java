package io.promptq.producer.batch;

import io.promptq.batch.BatchConfig;
import io.promptq.batch.BatchInput;
import io.promptq.client.JobIdKey;
import io.promptq.client.PromptqClient;
import io.promptq.files.FileStore;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.batch.internal.BatchTasks;
import io.promptq.producer.batch.internal.SubmitterLoop;
import io.promptq.topic.Topics;
import java.time.Clock;
import java.util.Objects;

/**
 * The batch submitter: a consumer group ({@code <client id>-batch-submitter}, manual commits) on the batches topic.
 * For CREATED it reads the batch's input file from the {@link FileStore} twice, as a stream: the first pass validates
 * every line ({@link BatchInput}) and writes FAILED with the errors, submitting nothing, or VALIDATED{total}; the
 * second submits one job per line through the producer's {@link PromptqClient}, at most {@link Settings#window()} in
 * flight. For CANCEL_REQUESTED it reads the file again and cancels every line's job. Other steps are ignored.
 *
 * <p>An event's work runs on a task thread, not the poll thread, which keeps polling (its partitions paused), so a
 * 50,000-line batch never exceeds {@code max.poll.interval.ms} and a rebalance is noticed while it runs. The offset
 * is committed only once the work is done; on revocation mid-task the task stops and nothing is committed, so the new
 * owner runs the event again - with the same job ids, since a line's job is keyed by
 * {@code BatchAttributes.idempotencyKey(batchId, line)}, so its copies are dropped as duplicates downstream.
 */
public final class BatchSubmitter implements AutoCloseable {

    /** Default most submissions (or cancellations) of one batch in flight at once. */
    public static final int DEFAULT_WINDOW = 2_048;

    private final SubmitterLoop loop;

    private BatchSubmitter(SubmitterLoop loop) {
        this.loop = loop;
    }

    /**
     * What the submitter needs besides the client and the store.
     *
     * @param kafka the cluster
     * @param topics the batches topic (with its serdes)
     * @param clientId the producer's client id; the group is {@code <clientId>-batch-submitter}
     * @param batch the Batch API's limits (lines per file)
     * @param jobIdKey the secret job ids are derived with (the client's), to name a line's job when cancelling
     * @param window most submissions in flight per batch
     * @param clock the time of the steps written
     */
    public record Settings(KafkaSettings kafka, Topics topics, String clientId, BatchConfig batch, JobIdKey jobIdKey,
            int window, Clock clock) {

        public Settings {
            Objects.requireNonNull(kafka, "kafka");
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(batch, "batch");
            Objects.requireNonNull(jobIdKey, "jobIdKey");
            Objects.requireNonNull(clock, "clock");
            if (window < 1) {
                throw new IllegalArgumentException("window must be at least 1, but was " + window);
            }
        }
    }

    /** The consumer group of the submitters of the producers with client id {@code clientId}. */
    public static String groupId(String clientId) {
        return clientId + "-batch-submitter";
    }

    /** Starts the submitter's poll thread; it writes its steps through {@code events} (shared, not closed here). */
    public static BatchSubmitter start(Settings settings, PromptqClient client, FileStore files, BatchEvents events) {
        BatchInput input = new BatchInput(settings.batch(), client.validator());
        BatchTasks tasks = new BatchTasks(settings, client, files, input, events);
        return new BatchSubmitter(SubmitterLoop.start(settings, tasks));
    }

    /** Stops polling and abandons a task in progress without committing it (another replica runs it again). */
    @Override
    public void close() {
        loop.close();
    }
}
