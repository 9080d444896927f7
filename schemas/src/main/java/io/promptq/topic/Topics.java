package io.promptq.topic;

import io.promptq.registry.AvroSerdes;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.ConsoleAudit;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.DeadLetterMark;
import io.promptq.schema.FileChunk;
import io.promptq.schema.FileInfo;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.schema.JobCancellation;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.JobStats;
import io.promptq.schema.PromptJob;
import io.promptq.schema.RetryJob;
import io.promptq.schema.WorkerStatus;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every promptq topic as a typed descriptor. Values are Avro in the Confluent wire format, registered
 * under {@code <topic>-value}; keys are UTF-8 strings (the job id, or the aggregate's scope key).
 * Build one per service with {@link #create}; instances are immutable and thread-safe.
 */
public final class Topics {

    private final TopicNames names;
    private final Serde<String> keys = Serdes.String();
    private final Topic<String, PromptJob> jobs;
    private final Serde<RetryJob> retrySerde;
    private final Topic<String, DeadLetter> deadLetters;
    private final Topic<String, JobResult> results;
    private final Topic<String, JobStats> totals;
    private final Topic<String, JobStats> windows;
    private final Topic<String, IdempotencyEntry> idempotency;
    private final Topic<String, JobStateChange> status;
    private final Topic<String, JobCancellation> cancellations;
    private final Topic<String, JobResult> webhookDeadLetters;
    private final Topic<String, WorkerStatus> workers;
    private final Topic<String, ConsoleAudit> consoleAudit;
    private final Topic<String, DeadLetterMark> deadLetterMarks;
    private final Topic<String, BatchEvent> batches;
    private final Topic<String, FileChunk> files;
    private final Topic<String, FileInfo> fileIndex;

    private Topics(TopicNames names, SchemaRegistryClient registry, boolean autoRegister) {
        this.names = names;
        this.jobs = new Topic<>(names.jobs(), keys, AvroSerdes.specific(PromptJob.class, registry, autoRegister));
        this.retrySerde = AvroSerdes.specific(RetryJob.class, registry, autoRegister);
        this.deadLetters = new Topic<>(names.deadLetters(), keys, AvroSerdes.specific(DeadLetter.class, registry, autoRegister));
        this.results = new Topic<>(names.results(), keys, AvroSerdes.specific(JobResult.class, registry, autoRegister));
        Serde<JobStats> stats = AvroSerdes.specific(JobStats.class, registry, autoRegister);
        this.totals = new Topic<>(names.totals(), keys, stats);
        this.windows = new Topic<>(names.windows(), keys, stats);
        this.idempotency = new Topic<>(names.idempotency(), keys,
                AvroSerdes.specific(IdempotencyEntry.class, registry, autoRegister));
        this.status = new Topic<>(names.status(), keys, AvroSerdes.specific(JobStateChange.class, registry, autoRegister));
        this.cancellations = new Topic<>(names.cancellations(), keys,
                AvroSerdes.specific(JobCancellation.class, registry, autoRegister));
        this.webhookDeadLetters = new Topic<>(names.webhookDeadLetters(), keys,
                AvroSerdes.specific(JobResult.class, registry, autoRegister));
        this.workers = new Topic<>(names.workers(), keys, AvroSerdes.specific(WorkerStatus.class, registry, autoRegister));
        this.consoleAudit = new Topic<>(names.consoleAudit(), keys,
                AvroSerdes.specific(ConsoleAudit.class, registry, autoRegister));
        this.deadLetterMarks = new Topic<>(names.deadLetterMarks(), keys,
                AvroSerdes.specific(DeadLetterMark.class, registry, autoRegister));
        this.batches = new Topic<>(names.batches(), keys, AvroSerdes.specific(BatchEvent.class, registry, autoRegister));
        this.files = new Topic<>(names.files(), keys, AvroSerdes.specific(FileChunk.class, registry, autoRegister));
        this.fileIndex = new Topic<>(names.fileIndex(), keys, AvroSerdes.specific(FileInfo.class, registry, autoRegister));
    }

    /**
     * Descriptors for {@code names}, with serdes backed by {@code registry}.
     *
     * @param autoRegister register value schemas on first use (otherwise they must already be registered)
     */
    public static Topics create(TopicNames names, SchemaRegistryClient registry, boolean autoRegister) {
        return new Topics(names, registry, autoRegister);
    }

    public TopicNames names() {
        return names;
    }

    /** Prompt jobs published by upstream systems, keyed by job id. */
    public Topic<String, PromptJob> jobs() {
        return jobs;
    }

    /** Retry tier {@code tier} (0-based), keyed by job id. */
    public Topic<String, RetryJob> retry(int tier) {
        return new Topic<>(names.retry(tier), keys, retrySerde);
    }

    /** Dead letters, keyed by job id (null when the record could not be decoded). */
    public Topic<String, DeadLetter> deadLetters() {
        return deadLetters;
    }

    /** Terminal outcomes, keyed by job id. */
    public Topic<String, JobResult> results() {
        return results;
    }

    /** All-time aggregates (compacted), keyed by scope, e.g. {@code overall}, {@code model:gpt-4o}. */
    public Topic<String, JobStats> totals() {
        return totals;
    }

    /** Windowed aggregates, keyed by scope and window start. */
    public Topic<String, JobStats> windows() {
        return windows;
    }

    /** The idempotency ledger (compacted), keyed by job id like the jobs topic. */
    public Topic<String, IdempotencyEntry> idempotency() {
        return idempotency;
    }

    /** Jobs' non-terminal state changes (QUEUED, RUNNING, RETRYING), keyed by job id; terminal ones are results. */
    public Topic<String, JobStateChange> status() {
        return status;
    }

    /** Cancel requests, keyed by job id; read in full by every worker. */
    public Topic<String, JobCancellation> cancellations() {
        return cancellations;
    }

    /** Results whose webhook could not be delivered after the last attempt, keyed by job id. */
    public Topic<String, JobResult> webhookDeadLetters() {
        return webhookDeadLetters;
    }

    /** Each worker replica's latest status (compacted), keyed by workerId; a null value is a worker that stopped. */
    public Topic<String, WorkerStatus> workers() {
        return workers;
    }

    /** The console's audit records of redrives and purges, keyed by audit id. */
    public Topic<String, ConsoleAudit> consoleAudit() {
        return consoleAudit;
    }

    /** The console's marks of redriven or purged dead letters (compacted), keyed by dead-letter id. */
    public Topic<String, DeadLetterMark> deadLetterMarks() {
        return deadLetterMarks;
    }

    /** The steps of OpenAI-compatible batches, keyed by batch id. */
    public Topic<String, BatchEvent> batches() {
        return batches;
    }

    /** The chunks of stored files, keyed by file id. */
    public Topic<String, FileChunk> files() {
        return files;
    }

    /** Stored files' metadata and location (compacted), keyed by file id; a null value is a deleted file. */
    public Topic<String, FileInfo> fileIndex() {
        return fileIndex;
    }
}
