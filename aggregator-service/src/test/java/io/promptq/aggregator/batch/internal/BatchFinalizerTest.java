package io.promptq.aggregator.batch.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.batch.BatchIds;
import io.promptq.batch.BatchStatus;
import io.promptq.files.FileIds;
import io.promptq.files.FileStore;
import io.promptq.files.FilesConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.BatchEvent;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchFinalizerTest {

    static {
        // the registry serdes let Avro build promptq's classes (as every service's do), here BatchEvent
        Topics.create(TopicNames.defaults(), SchemaRegistryClient.inMemory(), true);
    }

    private final String batchId = BatchIds.newId(Instant.now());
    private final FileStore files = FileStore.inMemory(FilesConfig.defaults());
    private final List<BatchEvent> published = new CopyOnWriteArrayList<>();
    private final AtomicInteger reads = new AtomicInteger();

    @Test
    void aFailedFinalizationIsRetriedUntilTheFilesAreWrittenAndFinalizedIsPublished() {
        AtomicInteger opens = new AtomicInteger();
        BatchReader reader = reader(false);
        try (BatchFinalizer finalizer = new BatchFinalizer(reader, () -> {
            if (opens.incrementAndGet() < 3) {
                throw new UncheckedIOException(new IOException("file store unavailable"));
            }
            return files;
        }, FilesConfig.defaults(), published::add, Clock.systemUTC())) {
            finalizer.submit(batchId);
            await().atMost(Duration.ofSeconds(30)).until(() -> published.size() == 1);
        }
        assertThat(opens.get()).isEqualTo(3);
        assertThat(published.getFirst().getOutputFileId()).isEqualTo(FileIds.output(batchId));
        assertThat(published.getFirst().getErrorFileId()).isNull();
        assertThat(files.get("acme", FileIds.output(batchId))).isPresent();
    }

    @Test
    void aBatchWhoseStoreMovedAwayIsDroppedHere() throws Exception {
        try (BatchFinalizer finalizer = new BatchFinalizer(reader(true), () -> files, FilesConfig.defaults(),
                published::add, Clock.systemUTC())) {
            finalizer.submit(batchId);
            await().atMost(Duration.ofSeconds(30)).until(() -> reads.get() == 1);
            Thread.sleep(1_000); // a retry would come after 200 ms
        }
        assertThat(reads.get()).isEqualTo(1);
        assertThat(published).isEmpty();
    }

    private BatchReader reader(boolean moved) {
        return new BatchReader() {
            @Override
            public Optional<BatchState> state(String id) {
                reads.incrementAndGet();
                if (moved) {
                    throw new StoreMovedException("owned by another instance", null);
                }
                BatchState state = new BatchState();
                state.created = true;
                state.tenant = "acme";
                state.status = BatchStatus.FINALIZING;
                state.createdAt = 0;
                state.expiresAt = 1;
                state.total = 1;
                state.completed = 1;
                return Optional.of(state);
            }

            @Override
            public void lines(String id, LineVisitor visitor) throws IOException {
                byte[] line = "{\"custom_id\":\"a\"}".getBytes();
                byte[] stored = new byte[line.length + 1];
                stored[0] = (byte) BatchLines.Kind.SUCCEEDED.ordinal();
                System.arraycopy(line, 0, stored, 1, line.length);
                visitor.visit(stored);
            }
        };
    }
}
