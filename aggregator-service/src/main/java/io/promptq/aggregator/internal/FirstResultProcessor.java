package io.promptq.aggregator.internal;

import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets through the first result of each (job, redrive generation), drops later duplicates, and applies one
 * precedence rule within a generation: a later {@code SUCCEEDED} result replaces a stored {@code DEAD_LETTERED} or
 * {@code EXPIRED} one. A result of a higher generation than the stored one ({@code JobResult.redrive}: the job was
 * redriven from the dead-letter topic) is the new generation's one outcome: it replaces the stored result and is
 * counted as well (each generation counts once, so a dead letter redriven to success counts one dead letter and one
 * success); a result of a lower generation is a duplicate. Workers write each outcome once (transactions), so
 * duplicates come only from a job whose provider call was in flight when its worker died; this processor is the
 * safety net that keeps every (job, generation) counted once.
 *
 * <p>The first result is kept in a key-value store by job id, which also answers
 * {@code GET /v1/jobs/{id}/result}. The processor sees that store as encoded bytes, so whether a job is known is a
 * key lookup that never decodes the stored result nor asks the schema registry; the bytes are those of the store's
 * registry serde, so that store (and its changelog) keeps the format of earlier versions. A small status store
 * (job id → status name, {@code NAME@generation} for a generation above 0) answers the precedence rules. Jobs stored by a version without that store have no status
 * entry: for them alone the stored result is decoded, when a {@code SUCCEEDED} result of the job arrives. An expiry store indexes the job ids by first-seen event time
 * ({@code 8-byte big-endian timestamp + job id}), so that a stream-time punctuation can forget, in order,
 * every job id older than the retention: the stores stay bounded, and a duplicate arriving after the
 * retention would count again (that is the documented trade-off of {@code PROMPTQ_AGGREGATOR_DEDUP_RETENTION}).
 *
 * <p>Runs before any re-keying: records are keyed (and partitioned) by job id, so one task sees all copies
 * of a job.
 */
public final class FirstResultProcessor implements Processor<String, JobResult, String, CountedResult> {

    private static final Logger log = LoggerFactory.getLogger(FirstResultProcessor.class);
    private static final int PURGE_BATCH = 10_000;

    private final String resultsStoreName;
    private final String statusStoreName;
    private final String expiryStoreName;
    private final Duration retention;
    private final AggregatorMetrics metrics;
    private final Serializer<JobResult> resultSerializer;
    private final Deserializer<JobResult> resultDeserializer;
    private ProcessorContext<String, CountedResult> context;
    private KeyValueStore<String, byte[]> results;
    private KeyValueStore<String, String> statuses;
    private KeyValueStore<Bytes, byte[]> expiry;

    /**
     * @param resultsStoreName the store of first results, as encoded bytes
     * @param statusStoreName the store of the stored results' statuses (job id → status name)
     * @param storedResults encodes results into the results store (and decodes one stored without a status entry)
     */
    public FirstResultProcessor(String resultsStoreName, String statusStoreName, String expiryStoreName,
            Duration retention, AggregatorMetrics metrics, Serde<JobResult> storedResults) {
        this.statusStoreName = statusStoreName;
        this.resultSerializer = storedResults.serializer();
        this.resultDeserializer = storedResults.deserializer();
        this.resultsStoreName = resultsStoreName;
        this.expiryStoreName = expiryStoreName;
        this.retention = retention;
        this.metrics = metrics;
    }

    /** How often (in stream time) expired job ids are purged: a tenth of the retention, between 1 s and 1 h. */
    static Duration purgeInterval(Duration retention) {
        Duration tenth = retention.dividedBy(10);
        if (tenth.compareTo(Duration.ofSeconds(1)) < 0) {
            return Duration.ofSeconds(1);
        }
        return tenth.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : tenth;
    }

    @Override
    public void init(ProcessorContext<String, CountedResult> context) {
        this.context = context;
        this.results = context.getStateStore(resultsStoreName);
        this.statuses = context.getStateStore(statusStoreName);
        this.expiry = context.getStateStore(expiryStoreName);
        context.schedule(purgeInterval(retention), PunctuationType.STREAM_TIME, this::purge);
    }

    @Override
    public void process(Record<String, JobResult> record) {
        JobResult result = record.value();
        if (result == null) {
            metrics.invalid();
            log.debug("Ignoring a result without value (key {})", record.key());
            return;
        }
        String jobId = record.key() != null ? record.key() : result.getJobId();
        if (jobId == null || jobId.isEmpty()) {
            metrics.invalid();
            log.warn("Ignoring a result without job id (partition {}, offset {})", partition(), offset());
            return;
        }
        if (record.key() == null) {
            log.debug("Result of job {} has no key; de-duplication relies on results being keyed by job id", jobId);
        }
        byte[] stored = results.get(jobId);
        if (stored == null) {
            store(jobId, result);
            expiry.put(expiryKey(record.timestamp(), jobId), jobId.getBytes(StandardCharsets.UTF_8));
            metrics.counted();
            context.forward(record.withKey(jobId).withValue(new CountedResult(result, null)));
            return;
        }
        int generation = Math.max(0, result.getRedrive());
        Stored known = result.getStatus() == JobStatus.SUCCEEDED || generation > 0 ? stored(jobId, stored) : null;
        if (known != null && generation > known.generation()) {
            // Keeps the job's expiry entry (first seen): a redrive does not extend how long the job is remembered.
            store(jobId, result);
            metrics.counted();
            log.debug("Result {} of job {} is the outcome of its redrive generation {} (offset {})",
                    result.getStatus(), jobId, generation, offset());
            context.forward(record.withKey(jobId).withValue(new CountedResult(result, null)));
            return;
        }
        JobStatus storedStatus = known != null && known.generation() == generation ? known.status() : null;
        if (supersedes(result.getStatus(), storedStatus)) {
            // Keeps the job's expiry entry (first seen): a redrive does not extend how long the job is remembered.
            store(jobId, result);
            metrics.superseded();
            log.debug("Result {} of job {} replaces its earlier {} result (offset {})", result.getStatus(), jobId,
                    storedStatus, offset());
            context.forward(record.withKey(jobId).withValue(new CountedResult(result, storedStatus)));
        } else {
            metrics.duplicate();
            log.debug("Ignoring duplicate result of job {} (offset {})", jobId, offset());
        }
    }

    private void store(String jobId, JobResult result) {
        results.put(jobId, resultSerializer.serialize(resultsStoreName, result));
        statuses.put(jobId, statusEntry(result.getStatus(), result.getRedrive()));
    }

    /** The stored result's status and generation. */
    record Stored(@Nullable JobStatus status, int generation) {}

    /** The status store's entry: the status name, with {@code @generation} when above 0 (older entries parse). */
    static String statusEntry(@Nullable JobStatus status, int generation) {
        String name = status == null ? JobStatus.UNKNOWN.name() : status.name();
        return generation > 0 ? name + "@" + generation : name;
    }

    /** Parses {@link #statusEntry}. */
    static Stored parseEntry(String entry) {
        int at = entry.indexOf('@');
        if (at < 0) {
            return new Stored(parseStatus(entry), 0);
        }
        int generation;
        try {
            generation = Integer.parseInt(entry.substring(at + 1));
        } catch (NumberFormatException e) {
            generation = 0;
        }
        return new Stored(parseStatus(entry.substring(0, at)), generation);
    }

    /** The stored result's status and generation: from the status store, or (stored by an older version) decoded. */
    private @Nullable Stored stored(String jobId, byte[] stored) {
        String status = statuses.get(jobId);
        if (status != null) {
            return parseEntry(status);
        }
        JobResult decoded = resultDeserializer.deserialize(resultsStoreName, stored);
        return decoded == null ? null : new Stored(decoded.getStatus(), decoded.getRedrive());
    }

    private static JobStatus parseStatus(String name) {
        try {
            return JobStatus.valueOf(name);
        } catch (IllegalArgumentException e) {
            return JobStatus.UNKNOWN;
        }
    }

    /**
     * The precedence rule: whether a later result with status {@code later} replaces a stored one with status
     * {@code stored}. Only a success replaces a dead letter or an expiry; nothing replaces a success.
     */
    static boolean supersedes(@Nullable JobStatus later, @Nullable JobStatus stored) {
        return later == JobStatus.SUCCEEDED && (stored == JobStatus.DEAD_LETTERED || stored == JobStatus.EXPIRED);
    }

    private void purge(long streamTime) {
        long cutoff = streamTime - retention.toMillis();
        if (cutoff <= 0) {
            return;
        }
        Bytes from = Bytes.wrap(timestampPrefix(0));
        Bytes to = Bytes.wrap(timestampPrefix(cutoff)); // keys at t < cutoff sort before the bare prefix of cutoff
        long purged = 0;
        while (true) {
            List<KeyValue<Bytes, byte[]>> batch = new ArrayList<>();
            try (KeyValueIterator<Bytes, byte[]> it = expiry.range(from, to)) {
                while (it.hasNext() && batch.size() < PURGE_BATCH) {
                    batch.add(it.next());
                }
            }
            for (KeyValue<Bytes, byte[]> entry : batch) {
                String jobId = new String(entry.value, StandardCharsets.UTF_8);
                results.delete(jobId);
                statuses.delete(jobId);
                expiry.delete(entry.key);
            }
            purged += batch.size();
            if (batch.size() < PURGE_BATCH) {
                break;
            }
        }
        if (purged > 0) {
            metrics.expired(purged);
            log.debug("Forgot {} job ids completed before {}", purged, cutoff);
        }
    }

    /** The index key of a job first seen at {@code timestamp}: sorts by time, then job id. */
    static Bytes expiryKey(long timestamp, String jobId) {
        byte[] id = jobId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + id.length).putLong(Math.max(0, timestamp)).put(id).array());
    }

    private static byte[] timestampPrefix(long timestamp) {
        return ByteBuffer.allocate(8).putLong(timestamp).array();
    }

    private String partition() {
        return context.recordMetadata().map(m -> m.topic() + "-" + m.partition()).orElse("?");
    }

    private String offset() {
        return context.recordMetadata().map(m -> String.valueOf(m.offset())).orElse("?");
    }
}
