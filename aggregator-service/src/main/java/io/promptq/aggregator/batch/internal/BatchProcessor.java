package io.promptq.aggregator.batch.internal;

import io.promptq.batch.BatchAttributes;
import io.promptq.batch.BatchIds;
import io.promptq.batch.BatchStatus;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
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
 * Folds a batch's events and its jobs' results (both keyed by batch id, in any order across the two topics) into
 * the batch's state, one stored output or error line per input line (the first terminal outcome wins, except that a
 * SUCCEEDED replaces a failed one before finalization: a redrive) and the tenant's index. When every line is
 * terminal it moves the batch to {@code finalizing} and hands its id to the finalizer; FINALIZED ends it and drops
 * its lines. A wall-clock punctuator removes batches older than the retention, a bounded number per run.
 */
public final class BatchProcessor implements Processor<String, BatchInput, Void, Void> {

    private static final Logger log = LoggerFactory.getLogger(BatchProcessor.class);
    /** Most batches one retention run removes. */
    static final int PURGE_BATCH = 1_000;

    private final String stateStoreName;
    private final String linesStoreName;
    private final String indexStoreName;
    private final Duration retention;
    private final Duration purgeInterval;
    private final Consumer<String> finalizing;
    private KeyValueStore<String, byte[]> states;
    private KeyValueStore<Bytes, byte[]> lines;
    private KeyValueStore<Bytes, byte[]> index;
    private ProcessorContext<Void, Void> context;

    /**
     * @param finalizing told the id of each batch that reached {@code finalizing} (also, on init, of those found so
     *     in the store); must not block
     */
    public BatchProcessor(String stateStore, String linesStore, String indexStore, Duration retention,
            Duration purgeInterval, Consumer<String> finalizing) {
        this.stateStoreName = stateStore;
        this.linesStoreName = linesStore;
        this.indexStoreName = indexStore;
        this.retention = retention;
        this.purgeInterval = purgeInterval;
        this.finalizing = finalizing;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        states = context.getStateStore(stateStoreName);
        lines = context.getStateStore(linesStoreName);
        index = context.getStateStore(indexStoreName);
        context.schedule(purgeInterval, PunctuationType.WALL_CLOCK_TIME, this::purge);
        // a task (re)assigned here resumes the finalizations its previous owner had not finished
        try (KeyValueIterator<String, byte[]> all = states.all()) {
            while (all.hasNext()) {
                KeyValue<String, byte[]> entry = all.next();
                if (BatchState.decode(entry.value).status() == BatchStatus.FINALIZING) {
                    finalizing.accept(entry.key);
                }
            }
        }
    }

    @Override
    public void process(Record<String, BatchInput> record) {
        String batchId = record.key();
        if (batchId == null || record.value() == null) {
            return;
        }
        byte[] stored = states.get(batchId);
        BatchState state = stored == null ? new BatchState() : BatchState.decode(stored);
        if (stored == null && BatchIds.isValid(batchId)) {
            // expires with the retention even if its CREATED never arrives (results of a batch seen first)
            index.put(BatchKeys.expiry(BatchIds.createdAt(batchId).toEpochMilli(), batchId), new byte[0]);
        }
        boolean changed = switch (record.value()) {
            case BatchInput.Event e -> apply(batchId, state, e.event());
            case BatchInput.Result r -> apply(batchId, state, r.result());
        };
        if (!changed) {
            return;
        }
        boolean nowFinalizing = false;
        if (state.created && state.allLinesTerminal()
                && (state.status == BatchStatus.IN_PROGRESS || state.status == BatchStatus.CANCELLING)) {
            state.status = BatchStatus.FINALIZING;
            state.finalizingAt = context.currentSystemTimeMs();
            nowFinalizing = true;
        }
        states.put(batchId, state.encode());
        if (nowFinalizing) {
            finalizing.accept(batchId);
        }
    }

    private boolean apply(String batchId, BatchState state, BatchEvent event) {
        long at = event.getAt().toEpochMilli();
        switch (event.getType()) {
            case CREATED -> {
                if (state.created) {
                    return false;
                }
                state.created = true;
                state.tenant = event.getTenant();
                state.inputFileId = nonNull(event.getInputFileId());
                state.endpoint = nonNull(event.getEndpoint());
                state.completionWindow = nonNull(event.getCompletionWindow());
                state.createdAt = BatchIds.isValid(batchId) ? BatchIds.createdAt(batchId).toEpochMilli() : at;
                state.expiresAt = event.getExpiresAt() == null ? state.createdAt : event.getExpiresAt().toEpochMilli();
                state.metadata = new LinkedHashMap<>(event.getMetadata());
                state.status = BatchStatus.VALIDATING;
                index.put(BatchKeys.tenantEntry(state.tenant, batchId), new byte[0]);
                index.put(BatchKeys.expiry(state.createdAt, batchId), new byte[0]);
                return true;
            }
            case VALIDATED -> {
                if (!state.created || state.total >= 0 || event.getTotal() == null
                        || !(state.status == BatchStatus.VALIDATING || state.status == BatchStatus.CANCELLING)) {
                    return false;
                }
                state.total = event.getTotal();
                if (state.status == BatchStatus.VALIDATING) {
                    state.status = BatchStatus.IN_PROGRESS;
                }
                state.inProgressAt = at;
                return true;
            }
            case FAILED -> {
                if (!state.created || state.total >= 0
                        || !(state.status == BatchStatus.VALIDATING || state.status == BatchStatus.CANCELLING)) {
                    return false;
                }
                state.status = BatchStatus.FAILED;
                state.failedAt = at;
                state.errors = new ArrayList<>(event.getErrors());
                deleteLines(batchId);
                return true;
            }
            case CANCEL_REQUESTED -> {
                if (!state.created || !state.status.cancellable()) {
                    return false;
                }
                state.status = BatchStatus.CANCELLING;
                state.cancellingAt = at;
                return true;
            }
            case FINALIZED -> {
                if (state.status != BatchStatus.FINALIZING) {
                    return false;
                }
                state.outputFileId = event.getOutputFileId();
                state.errorFileId = event.getErrorFileId();
                if (BatchState.isSet(state.cancellingAt)) {
                    state.status = BatchStatus.CANCELLED;
                    state.cancelledAt = at;
                } else if (state.expiredLines > 0) {
                    state.status = BatchStatus.EXPIRED;
                    state.expiredAt = at;
                } else {
                    state.status = BatchStatus.COMPLETED;
                    state.completedAt = at;
                }
                deleteLines(batchId);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private boolean apply(String batchId, BatchState state, JobResult result) {
        if (result.getStatus() == JobStatus.UNKNOWN || state.status == BatchStatus.FINALIZING
                || state.status.terminal()) {
            return false;
        }
        if (state.created && !state.tenant.equals(result.getTenant())) {
            log.warn("Result of job {} names batch {} of another tenant; ignored", result.getJobId(), batchId);
            return false;
        }
        int line;
        try {
            line = Integer.parseInt(result.getAttributes().getOrDefault(BatchAttributes.LINE, ""));
        } catch (NumberFormatException e) {
            log.warn("Result of job {} of batch {} has no line number; ignored", result.getJobId(), batchId);
            return false;
        }
        if (line < 1 || state.total >= 0 && line > state.total) {
            return false;
        }
        Bytes key = BatchKeys.line(batchId, line);
        byte[] previous = lines.get(key);
        BatchLines.Kind kind = BatchLines.Kind.of(result.getStatus());
        if (previous != null) {
            BatchLines.Kind was = BatchLines.kindOf(previous);
            if (was.output() || !kind.output()) {
                return false; // the first terminal outcome wins, except a redrive's success over a failure
            }
            state.failed--;
            if (was == BatchLines.Kind.EXPIRED) {
                state.expiredLines--;
            }
        }
        lines.put(key, BatchLines.store(result));
        if (kind.output()) {
            state.completed++;
            state.inputTokens += result.getUsage().getPromptTokens();
            state.outputTokens += result.getUsage().getCompletionTokens();
        } else {
            state.failed++;
            if (kind == BatchLines.Kind.EXPIRED) {
                state.expiredLines++;
            }
        }
        return true;
    }

    private void deleteLines(String batchId) {
        List<Bytes> keys = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = lines.range(BatchKeys.firstLine(batchId), BatchKeys.lastLine(batchId))) {
            while (it.hasNext()) {
                keys.add(it.next().key);
            }
        }
        for (Bytes key : keys) {
            lines.delete(key);
        }
    }

    /** Removes up to {@value #PURGE_BATCH} batches created more than the retention ago, with their lines and index entries. */
    void purge(long now) {
        long cutoff = now - retention.toMillis();
        List<Bytes> expired = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = index.range(BatchKeys.expiryStart(), BatchKeys.expiry(cutoff, ""))) {
            while (it.hasNext() && expired.size() < PURGE_BATCH) {
                expired.add(it.next().key);
            }
        }
        for (Bytes key : expired) {
            String batchId = BatchKeys.batchIdOfExpiry(key);
            byte[] stored = states.get(batchId);
            if (stored != null) {
                index.delete(BatchKeys.tenantEntry(BatchState.decode(stored).tenant(), batchId));
                states.delete(batchId);
            }
            deleteLines(batchId);
            index.delete(key);
        }
        if (!expired.isEmpty()) {
            log.info("Removed {} batches created before {} (retention {})", expired.size(), cutoff, retention);
        }
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }
}
