package io.promptq.aggregator.internal;

import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * Lets through the first result of each job, drops later duplicates, and applies one precedence rule: a later
 * {@code SUCCEEDED} result replaces a stored {@code DEAD_LETTERED} or {@code EXPIRED} one (a dead letter redriven
 * and then successful). Every other later result of a known job is a duplicate. Workers write each outcome once
 * (transactions), so duplicates come only from a job whose provider call was in flight when its worker died, or
 * from a redrive; this processor is the safety net that keeps every job counted once either way.
 *
 * <p>The first result is kept in a key-value store by job id, which also answers
 * {@code GET /v1/jobs/{id}/result}. A second store indexes the job ids by first-seen event time
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
    private final String expiryStoreName;
    private final Duration retention;
    private final AggregatorMetrics metrics;
    private ProcessorContext<String, CountedResult> context;
    private KeyValueStore<String, JobResult> results;
    private KeyValueStore<Bytes, byte[]> expiry;

    public FirstResultProcessor(String resultsStoreName, String expiryStoreName, Duration retention,
            AggregatorMetrics metrics) {
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
        JobResult stored = results.get(jobId);
        if (stored == null) {
            results.put(jobId, result);
            expiry.put(expiryKey(record.timestamp(), jobId), jobId.getBytes(StandardCharsets.UTF_8));
            metrics.counted();
            context.forward(record.withKey(jobId).withValue(new CountedResult(result, null)));
        } else if (supersedes(result.getStatus(), stored.getStatus())) {
            // Keeps the job's expiry entry (first seen): a redrive does not extend how long the job is remembered.
            results.put(jobId, result);
            metrics.superseded();
            log.debug("Result {} of job {} replaces its earlier {} result (offset {})", result.getStatus(), jobId,
                    stored.getStatus(), offset());
            context.forward(record.withKey(jobId).withValue(new CountedResult(result, stored.getStatus())));
        } else {
            metrics.duplicate();
            log.debug("Ignoring duplicate result of job {} (offset {})", jobId, offset());
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
                results.delete(new String(entry.value, StandardCharsets.UTF_8));
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
