package io.promptq.aggregator.batch.internal;

import io.promptq.batch.BatchStatus;
import io.promptq.files.FileIds;
import io.promptq.files.FileStore;
import io.promptq.files.FilesConfig;
import io.promptq.files.NewFile;
import io.promptq.files.StoredFile;
import io.promptq.retry.Backoff;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.BatchEventType;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the output and error files of batches that reached {@code finalizing}, on its own thread (never the stream
 * thread): streams the batch's stored lines in line order into {@link FileStore#write} (each file only when it has
 * lines), then publishes FINALIZED with the files' ids. Idempotent (the file ids derive from the batch id), retried
 * with backoff; a batch whose store moved to another instance is dropped there (the new owner re-finds it).
 */
public final class BatchFinalizer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BatchFinalizer.class);
    static final Backoff RETRY = Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(30)).build();

    /** Publishes FINALIZED; returns once it is written (throws when it is not). */
    @FunctionalInterface
    public interface EventSink {
        void publish(BatchEvent event) throws Exception;
    }

    private final BatchReader reader;
    private final Supplier<FileStore> files;
    private final FilesConfig filesConfig;
    private final EventSink events;
    private final Clock clock;
    private final ScheduledExecutorService executor;
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    public BatchFinalizer(BatchReader reader, Supplier<FileStore> files, FilesConfig filesConfig, EventSink events,
            Clock clock) {
        this.reader = reader;
        this.files = files;
        this.filesConfig = filesConfig;
        this.events = events;
        this.clock = clock;
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("promptq-batch-finalizer").daemon().factory());
        pool.setRemoveOnCancelPolicy(true);
        this.executor = pool;
    }

    /** Queues the finalization of {@code batchId} unless it is queued already; never blocks. */
    public void submit(String batchId) {
        if (pending.add(batchId)) {
            executor.execute(() -> attempt(batchId, 1));
        }
    }

    private void attempt(String batchId, int attempt) {
        try {
            finalizeNow(batchId);
            pending.remove(batchId);
        } catch (BatchReader.StoreMovedException e) {
            pending.remove(batchId);
            log.info("Batch {} moved to another instance; it finalizes it", batchId);
        } catch (Exception e) {
            Duration delay = RETRY.delay(attempt);
            log.warn("Finalizing batch {} failed (attempt {}), retrying in {}: {}", batchId, attempt, delay, e.toString());
            if (!executor.isShutdown()) {
                executor.schedule(() -> attempt(batchId, attempt + 1), delay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Finalizes {@code batchId} on the calling thread if it is {@code finalizing}: writes its files and publishes
     * FINALIZED. Returns whether it did.
     */
    public boolean finalizeNow(String batchId) throws Exception {
        Optional<BatchState> found = reader.state(batchId);
        if (found.isEmpty() || found.get().status() != BatchStatus.FINALIZING) {
            return false;
        }
        BatchState state = found.get();
        FileStore store = files.get();
        String outputId = write(store, state, batchId, FileIds.output(batchId), batchId + "_output.jsonl", true);
        String errorId = write(store, state, batchId, FileIds.errors(batchId), batchId + "_error.jsonl", false);
        events.publish(BatchEvent.newBuilder()
                .setBatchId(batchId)
                .setTenant(state.tenant())
                .setType(BatchEventType.FINALIZED)
                .setAt(clock.instant())
                .setOutputFileId(outputId)
                .setErrorFileId(errorId)
                .build());
        log.info("Batch {} finalized: output {}, errors {}", batchId, outputId, errorId);
        return true;
    }

    private @Nullable String write(FileStore store, BatchState state, String batchId, String fileId, String filename,
            boolean output) throws IOException {
        int count = output ? state.completed : state.failed;
        if (count == 0) {
            return null;
        }
        Instant now = clock.instant();
        NewFile file = new NewFile(fileId, state.tenant(), filename, StoredFile.PURPOSE_BATCH_OUTPUT, now,
                now.plus(filesConfig.retention()));
        store.write(file, out -> reader.lines(batchId, stored -> {
            if (BatchLines.kindOf(stored).output() == output) {
                out.write(stored, 1, stored.length - 1);
                out.write('\n');
            }
        }));
        return fileId;
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
