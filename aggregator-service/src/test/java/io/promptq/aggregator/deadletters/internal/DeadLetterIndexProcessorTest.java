package io.promptq.aggregator.deadletters.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.schema.DeadLetter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DeadLetterIndexProcessorTest {

    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private static final Duration RETENTION = Duration.ofDays(7);

    private final MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
    private KeyValueStore<Bytes, byte[]> summaries;
    private KeyValueStore<String, Long> counts;
    private DeadLetterIndexProcessor processor;

    @BeforeEach
    void initProcessorWithInMemoryStores() {
        summaries = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("summaries"), Serdes.Bytes(),
                Serdes.ByteArray()).withLoggingDisabled().build();
        counts = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("counts"), Serdes.String(), Serdes.Long())
                .withLoggingDisabled().build();
        summaries.init(context.getStateStoreContext(), summaries);
        counts.init(context.getStateStoreContext(), counts);
        context.addStateStore(summaries);
        context.addStateStore(counts);
        processor = new DeadLetterIndexProcessor("summaries", "counts", RETENTION);
        processor.init(context);
    }

    @Test
    void summariesOlderThanTheRetentionAreForgottenOldestFirstWithTheirCounts() {
        for (int i = 0; i < 10; i++) {
            // 0-3 failed 8-11 days ago (beyond the retention), 4-9 within the last hours
            Instant at = i < 4 ? NOW.minus(Duration.ofDays(8 + i)) : NOW.minus(Duration.ofHours(i));
            index(i, at, i % 2 == 0 ? "TIMEOUT" : "PROVIDER_5XX");
        }
        assertThat(counts.get("reason:TIMEOUT")).isEqualTo(5);
        assertThat(counts.get("reason:PROVIDER_5XX")).isEqualTo(5);

        assertThat(processor.expireBefore(NOW.minus(RETENTION).toEpochMilli())).isEqualTo(4);

        assertThat(offsetsLeft()).containsExactly(4L, 5L, 6L, 7L, 8L, 9L);
        assertThat(counts.get("reason:TIMEOUT")).isEqualTo(3);
        assertThat(counts.get("reason:PROVIDER_5XX")).isEqualTo(3);
        assertThat(processor.expireBefore(NOW.minus(RETENTION).toEpochMilli())).as("nothing left to expire").isZero();
    }

    @Test
    void expiryRunsEveryMinuteOnTheWallClockAndForgetsACountWhoseLastDeadLetterWent() {
        index(0, NOW.minus(Duration.ofDays(30)), "CONTENT_FILTER");
        MockProcessorContext.CapturedPunctuator punctuator = context.scheduledPunctuators().getFirst();
        assertThat(punctuator.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        assertThat(punctuator.getInterval()).isEqualTo(Duration.ofMinutes(1));

        punctuator.getPunctuator().punctuate(NOW.toEpochMilli());

        assertThat(offsetsLeft()).isEmpty();
        assertThat(counts.get("reason:CONTENT_FILTER")).isNull();
    }

    @Test
    void aZeroRetentionKeepsEverySummary() {
        MockProcessorContext<Void, Void> keeping = new MockProcessorContext<>();
        keeping.addStateStore(summaries);
        keeping.addStateStore(counts);
        new DeadLetterIndexProcessor("summaries", "counts", Duration.ZERO).init(keeping);
        assertThat(keeping.scheduledPunctuators()).isEmpty();
    }

    private void index(long offset, Instant at, String reason) {
        context.setRecordMetadata("dlq", 0, offset);
        DeadLetter deadLetter = DeadLetter.newBuilder().setJobId("job-" + offset).setErrorType(reason)
                .setErrorMessage("failed").setAttempts(1).setSourceTopic("jobs").setSourcePartition(0)
                .setSourceOffset(offset).setFirstFailureAt(at).setLastFailureAt(at).setWorkerId("w").build();
        processor.process(new Record<>(("job-" + offset).getBytes(), deadLetter, at.toEpochMilli()));
    }

    private List<Long> offsetsLeft() {
        List<Long> offsets = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = summaries.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                offsets.add(IndexKeys.offset(entry.key));
            }
        }
        offsets.sort(null);
        return offsets;
    }
}
