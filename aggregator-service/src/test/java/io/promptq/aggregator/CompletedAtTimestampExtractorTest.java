package io.promptq.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.aggregator.internal.CompletedAtTimestampExtractor;
import io.promptq.schema.JobResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class CompletedAtTimestampExtractorTest {

    private static final Instant APPENDED = Instant.parse("2026-11-22T10:00:00Z");

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final CompletedAtTimestampExtractor extractor =
            new CompletedAtTimestampExtractor(Duration.ofMinutes(5), new AggregatorMetrics(meters));

    private static ConsumerRecord<Object, Object> record(long timestamp, Object value) {
        return new ConsumerRecord<>("results", 0, 0, timestamp, TimestampType.CREATE_TIME, -1, -1, "j1", value,
                new RecordHeaders(), Optional.empty());
    }

    private static JobResult completedAt(Instant at) {
        return Results.succeeded("j1", "gpt", "acme", at);
    }

    private double clamped() {
        return meters.get(AggregatorMetrics.CLAMPED).counter().count();
    }

    @Test
    void completedAtWithinTheSkewOfTheAppendTimeIsTheEventTime() {
        Instant at = APPENDED.minusSeconds(299);
        assertThat(extractor.extract(record(APPENDED.toEpochMilli(), completedAt(at)), 0)).isEqualTo(at.toEpochMilli());
        assertThat(extractor.extract(record(APPENDED.toEpochMilli(), completedAt(APPENDED.plusSeconds(300))), 0))
                .isEqualTo(APPENDED.plusSeconds(300).toEpochMilli());
        assertThat(clamped()).isZero();
    }

    @Test
    void completedAtFarInTheFutureOrPastIsReplacedByTheAppendTimeAndCounted() {
        long appended = APPENDED.toEpochMilli();
        assertThat(extractor.extract(record(appended, completedAt(APPENDED.plus(Duration.ofDays(3650)))), 0))
                .isEqualTo(appended);
        assertThat(extractor.extract(record(appended, completedAt(APPENDED.plusSeconds(301))), 0)).isEqualTo(appended);
        assertThat(extractor.extract(record(appended, completedAt(Instant.EPOCH.plusSeconds(1))), 0)).isEqualTo(appended);
        assertThat(clamped()).isEqualTo(3);
    }

    @Test
    void withoutCompletedAtTheAppendTimeAndWithoutAppendTimeCompletedAtIsUsed() {
        assertThat(extractor.extract(record(APPENDED.toEpochMilli(), "not a result"), 7)).isEqualTo(APPENDED.toEpochMilli());
        Instant at = APPENDED.plus(Duration.ofDays(3650));
        assertThat(extractor.extract(record(-1, completedAt(at)), 7)).isEqualTo(at.toEpochMilli());
        assertThat(extractor.extract(record(-1, null), 7)).isEqualTo(7);
        assertThat(clamped()).isZero();
    }
}
