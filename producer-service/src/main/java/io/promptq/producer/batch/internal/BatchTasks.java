package io.promptq.producer.batch.internal;

import io.promptq.batch.BatchAttributes;
import io.promptq.batch.BatchInput;
import io.promptq.client.JobIds;
import io.promptq.client.PromptqClient;
import io.promptq.files.FileStore;
import io.promptq.files.StoredFile;
import io.promptq.producer.batch.BatchEvents;
import io.promptq.producer.batch.BatchSubmitter;
import io.promptq.schema.BatchError;
import io.promptq.schema.BatchEvent;
import io.promptq.schema.BatchEventType;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one batch step: CREATED (validate, then VALIDATED and one job per line, or FAILED) and
 * CANCEL_REQUESTED (cancel every line's job). Runs on the submitter's task thread; a task checks {@code aborted}
 * between lines and stops when its partition was revoked. Failing with an exception leaves the step uncommitted.
 */
public final class BatchTasks {

    private static final Logger log = LoggerFactory.getLogger(BatchTasks.class);
    static final String CANCEL_REASON = "batch cancelled";

    private final BatchSubmitter.Settings settings;
    private final PromptqClient client;
    private final FileStore files;
    private final BatchInput input;
    private final BatchEvents events;

    public BatchTasks(BatchSubmitter.Settings settings, PromptqClient client, FileStore files, BatchInput input,
            BatchEvents events) {
        this.settings = settings;
        this.client = client;
        this.files = files;
        this.input = input;
        this.events = events;
    }

    /** The batches topic's name. */
    String topicName() {
        return events.topic();
    }

    /** Handles {@code event}; returns once its work is durable. */
    void handle(BatchEvent event, BooleanSupplier aborted) throws Exception {
        switch (event.getType()) {
            case CREATED -> created(event, aborted);
            case CANCEL_REQUESTED -> cancelRequested(event, aborted);
            default -> { }
        }
    }

    private void created(BatchEvent event, BooleanSupplier aborted) throws Exception {
        String batchId = event.getBatchId();
        String inputFileId = event.getInputFileId();
        if (inputFileId == null || event.getEndpoint() == null || event.getExpiresAt() == null) {
            log.warn("Batch {}: CREATED without input file, endpoint or expiry; ignored", batchId);
            return;
        }
        Optional<StoredFile> file = files.get(event.getTenant(), inputFileId);
        if (file.isEmpty()) {
            write(step(event, BatchEventType.FAILED).setErrors(List.of(BatchError.newBuilder().setCode("invalid_file")
                    .setMessage("input file " + inputFileId + " not found (deleted or expired)")
                    .setParam("input_file_id").build())).build());
            return;
        }
        BatchInput.Target target = new BatchInput.Target(event.getTenant(), batchId, event.getEndpoint(),
                event.getExpiresAt());
        BatchInput.Validation validation;
        try (InputStream in = files.open(file.get())) {
            validation = input.validate(in, target);
        }
        if (!validation.valid()) {
            log.info("Batch {}: input file {} refused with {} errors; nothing submitted", batchId, inputFileId,
                    validation.errors().size());
            write(step(event, BatchEventType.FAILED).setErrors(validation.errors()).build());
            return;
        }
        write(step(event, BatchEventType.VALIDATED).setTotal(validation.total()).build());
        Window window = new Window(settings.window());
        int submitted;
        try (InputStream in = files.open(file.get())) {
            submitted = input.forEachJob(in, target, job -> !aborted.getAsBoolean()
                    && window.send(() -> client.submit(job.request())));
        }
        window.drain();
        if (!aborted.getAsBoolean()) {
            log.info("Batch {}: {} jobs submitted", batchId, submitted);
        }
    }

    private void cancelRequested(BatchEvent event, BooleanSupplier aborted) throws Exception {
        String batchId = event.getBatchId();
        String inputFileId = event.getInputFileId();
        Optional<StoredFile> file = inputFileId == null ? Optional.empty() : files.get(event.getTenant(), inputFileId);
        if (file.isEmpty()) {
            log.warn("Batch {}: cancel without a readable input file ({}); no job cancelled", batchId, inputFileId);
            return;
        }
        String tenant = event.getTenant();
        Window window = new Window(settings.window());
        int lines;
        try (InputStream in = files.open(file.get())) {
            lines = BatchInput.forEachRequestLine(in, line -> !aborted.getAsBoolean() && window.send(
                    () -> client.cancel(tenant, jobId(tenant, batchId, line), CANCEL_REASON)));
        }
        window.drain();
        log.info("Batch {}: cancellation of {} jobs requested", batchId, lines);
    }

    /** The job id of line {@code line} of batch {@code batchId}: as the client derives it from the idempotency key. */
    public String jobId(String tenant, String batchId, int line) {
        return JobIds.of(settings.jobIdKey(), tenant, BatchAttributes.idempotencyKey(batchId, line));
    }

    private BatchEvent.Builder step(BatchEvent created, BatchEventType type) {
        return BatchEvent.newBuilder().setBatchId(created.getBatchId()).setTenant(created.getTenant()).setType(type)
                .setAt(Instant.now(settings.clock())).setMetadata(Map.of());
    }

    private void write(BatchEvent event) throws IOException, InterruptedException {
        events.write(event);
    }

    /** At most a fixed number of sends in flight; the first failure stops the task. */
    private static final class Window {
        private final Semaphore permits;
        private final int size;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Window(int size) {
            this.size = size;
            this.permits = new Semaphore(size);
        }

        /** Starts one send once a slot is free; false (stop) after a failure. */
        boolean send(Supplier<? extends CompletableFuture<?>> start) throws InterruptedException, IOException {
            permits.acquire();
            if (failure.get() != null) {
                permits.release();
                return false;
            }
            CompletableFuture<?> sent;
            try {
                sent = start.get();
            } catch (RuntimeException e) {
                permits.release();
                throw new IOException(e);
            }
            sent.whenComplete((ok, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                permits.release();
            });
            return true;
        }

        /** Waits for every send in flight; throws the first failure. */
        void drain() throws InterruptedException, IOException {
            permits.acquire(size);
            permits.release(size);
            Throwable e = failure.get();
            if (e != null) {
                throw new IOException("a send of the batch failed: " + e, e);
            }
        }
    }
}
