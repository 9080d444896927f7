package io.promptq.aggregator.internal.view;

import io.promptq.aggregator.JobView;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one {@link JobView} per job id ({@link StoredViewCodec encoded}) from the job's state changes and result,
 * applying {@link JobViews}' ordering rule, and wakes the job's {@link JobViewWaiters} with each new view. An expiry
 * store indexes job ids by first-seen time ({@code 8-byte big-endian timestamp + job id}); a stream-time punctuation
 * forgets views older than the retention. The {@link JobIndex} store lists each tenant's jobs by submission time: the
 * job's one entry is rewritten with every new view (and moved only if the job's tenant becomes known late) and
 * forgotten with the view. Runs on records keyed (and partitioned) by job id from co-partitioned
 * topics, so one task sees everything about a job.
 */
public final class JobViewProcessor implements Processor<String, ViewInput, Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(JobViewProcessor.class);
    private static final int PURGE_BATCH = 10_000;

    private final String viewStoreName;
    private final String expiryStoreName;
    private final String indexStoreName;
    private final Duration retention;
    private final JobViewWaiters waiters;
    private KeyValueStore<String, byte[]> views;
    private KeyValueStore<Bytes, byte[]> expiry;
    private KeyValueStore<Bytes, byte[]> index;

    public JobViewProcessor(String viewStoreName, String expiryStoreName, String indexStoreName, Duration retention,
            JobViewWaiters waiters) {
        this.viewStoreName = viewStoreName;
        this.expiryStoreName = expiryStoreName;
        this.indexStoreName = indexStoreName;
        this.retention = retention;
        this.waiters = waiters;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.views = context.getStateStore(viewStoreName);
        this.expiry = context.getStateStore(expiryStoreName);
        this.index = context.getStateStore(indexStoreName);
        Duration tenth = retention.dividedBy(10);
        Duration interval = tenth.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1)
                : tenth.compareTo(Duration.ofHours(1)) > 0 ? Duration.ofHours(1) : tenth;
        context.schedule(interval, PunctuationType.STREAM_TIME, this::purge);
    }

    @Override
    public void process(Record<String, ViewInput> record) {
        ViewInput input = record.value();
        if (input == null) {
            return;
        }
        String jobId = record.key() != null && !record.key().isEmpty() ? record.key() : switch (input) {
            case ViewInput.StateChanged s -> s.change().getJobId();
            case ViewInput.ResultArrived r -> r.result().getJobId();
        };
        if (jobId == null || jobId.isEmpty()) {
            log.debug("Ignoring a job view update without job id");
            return;
        }
        byte[] stored = views.get(jobId);
        JobView current = stored == null ? null : StoredViewCodec.decode(jobId, stored);
        JobView next = switch (input) {
            case ViewInput.StateChanged s -> JobViews.apply(current, jobId, s.change());
            case ViewInput.ResultArrived r -> JobViews.apply(current, jobId, r.result());
        };
        if (next == null) {
            log.debug("Dropping a late or repeated change of job {}", jobId);
            return;
        }
        long listedAt = stored == null ? JobIndex.NO_TIME : StoredViewCodec.listedAt(stored);
        if (listedAt == JobIndex.NO_TIME) {
            listedAt = switch (input) {
                case ViewInput.StateChanged s -> s.change().getAt() != null ? s.change().getAt().toEpochMilli()
                        : record.timestamp();
                case ViewInput.ResultArrived r -> r.result().getSubmittedAt() != null
                        ? r.result().getSubmittedAt().toEpochMilli() : record.timestamp();
            };
        } else if (current != null && hasTenant(current) && !current.tenant().equals(next.tenant())) {
            index.delete(JobIndex.key(current.tenant(), listedAt, jobId));
        }
        views.put(jobId, StoredViewCodec.encode(next, listedAt));
        if (hasTenant(next)) {
            index.put(JobIndex.key(next.tenant(), listedAt, jobId), JobIndex.encode(next));
        }
        if (current == null) {
            expiry.put(expiryKey(record.timestamp(), jobId), jobId.getBytes(StandardCharsets.UTF_8));
        }
        waiters.changed(jobId, next);
    }

    private void purge(long streamTime) {
        long cutoff = streamTime - retention.toMillis();
        if (cutoff <= 0) {
            return;
        }
        Bytes from = Bytes.wrap(ByteBuffer.allocate(8).putLong(0).array());
        Bytes to = Bytes.wrap(ByteBuffer.allocate(8).putLong(cutoff).array());
        while (true) {
            List<KeyValue<Bytes, byte[]>> batch = new ArrayList<>();
            try (KeyValueIterator<Bytes, byte[]> it = expiry.range(from, to)) {
                while (it.hasNext() && batch.size() < PURGE_BATCH) {
                    batch.add(it.next());
                }
            }
            for (KeyValue<Bytes, byte[]> entry : batch) {
                String jobId = new String(entry.value, StandardCharsets.UTF_8);
                byte[] stored = views.delete(jobId);
                if (stored != null) {
                    unlist(jobId, stored);
                }
                expiry.delete(entry.key);
            }
            if (batch.size() < PURGE_BATCH) {
                return;
            }
        }
    }

    private void unlist(String jobId, byte[] stored) {
        long listedAt = StoredViewCodec.listedAt(stored);
        if (listedAt == JobIndex.NO_TIME) {
            return;
        }
        JobView view = StoredViewCodec.decode(jobId, stored);
        if (hasTenant(view)) {
            index.delete(JobIndex.key(view.tenant(), listedAt, jobId));
        }
    }

    private static boolean hasTenant(JobView view) {
        return view.tenant() != null && !view.tenant().isEmpty();
    }

    static Bytes expiryKey(long timestamp, String jobId) {
        byte[] id = jobId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(8 + id.length).putLong(Math.max(0, timestamp)).put(id).array());
    }
}
