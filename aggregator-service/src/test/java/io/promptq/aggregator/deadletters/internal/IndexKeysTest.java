package io.promptq.aggregator.deadletters.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.aggregator.deadletters.DeadLetterSummary;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class IndexKeysTest {

    @Test
    void keysSortNewestFirstThenByPartitionAndOffset() {
        List<Bytes> keys = new ArrayList<>(List.of(IndexKeys.of(1_000, 0, 5), IndexKeys.of(3_000, 2, 1),
                IndexKeys.of(2_000, 1, 9), IndexKeys.of(3_000, 0, 300), IndexKeys.of(3_000, 0, 7)));
        keys.sort(null);

        assertThat(keys).containsExactly(IndexKeys.of(3_000, 0, 7), IndexKeys.of(3_000, 0, 300),
                IndexKeys.of(3_000, 2, 1), IndexKeys.of(2_000, 1, 9), IndexKeys.of(1_000, 0, 5));
    }

    @Test
    void timeBoundsEncloseExactlyTheKeysOfTheirRange() {
        Bytes from = IndexKeys.firstAtOrBefore(2_000);
        Bytes to = IndexKeys.lastAtOrAfter(1_000);

        assertThat(IndexKeys.of(2_000, Integer.MAX_VALUE, Long.MAX_VALUE)).isBetween(from, to);
        assertThat(IndexKeys.of(1_000, Integer.MAX_VALUE, Long.MAX_VALUE)).isBetween(from, to);
        assertThat(IndexKeys.of(2_001, 0, 0)).isLessThan(from);
        assertThat(IndexKeys.of(999, 0, 0)).isGreaterThan(to);
    }

    @Test
    void theKeyAfterACursorLiesBetweenItAndTheNextKey() {
        Bytes key = IndexKeys.of(5_000, 1, 10);
        assertThat(IndexKeys.after(key)).isGreaterThan(key).isLessThan(IndexKeys.of(5_000, 1, 11));
    }

    @Test
    void aCursorIsTheKeyInHexAndAnythingElseIsNoCursor() {
        Bytes key = IndexKeys.of(5_000, 2, 42);
        assertThat(IndexKeys.parseCursor(IndexKeys.cursor(key))).isEqualTo(key);
        assertThat(IndexKeys.partition(key)).isEqualTo(2);
        assertThat(IndexKeys.offset(key)).isEqualTo(42);
        assertThat(IndexKeys.parseCursor("zz")).isNull();
        assertThat(IndexKeys.parseCursor("g".repeat(40))).isNull();
    }

    @Test
    void aSummaryRoundTripsThroughItsCompactEncodingWithItsMessageCut() {
        DeadLetterSummary summary = new DeadLetterSummary("2-42", "job-1", "acme", "gpt", "TIMEOUT", "x".repeat(1_000),
                3, 123_456, true, null);
        DeadLetterSummary undecodable = new DeadLetterSummary("0-1", null, null, null, "UNKNOWN_MAGIC_BYTE", "bad", 0, 7,
                false, null);

        DeadLetterSummary decoded = SummaryCodec.decode("2-42", SummaryCodec.encode(summary));
        assertThat(decoded.message()).hasSize(DeadLetterSummary.MAX_MESSAGE);
        assertThat(decoded).usingRecursiveComparison().ignoringFields("message").isEqualTo(summary);
        assertThat(SummaryCodec.decode("0-1", SummaryCodec.encode(undecodable))).isEqualTo(undecodable);
        assertThat(SummaryCodec.encode(summary).length).isLessThan(DeadLetterSummary.MAX_MESSAGE + 60);
    }
}
