package io.promptq.schema;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The schema's docs say what the worker writes for an undecodable record (they once implied a null jobId). */
class DeadLetterSchemaTest {

    @Test
    void theDocsOfAnUndecodableRecordsDeadLetterSayTheJobIdIsTheKeyAsText() {
        assertThat(DeadLetter.SCHEMA$.getField("jobId").doc())
                .contains("undecodable record").contains("key as UTF-8 text").contains("Kafka key");
        assertThat(DeadLetter.SCHEMA$.getField("rawKey").doc()).contains("key bytes");
        assertThat(DeadLetter.SCHEMA$.getField("attempts").doc()).contains("0 for an undecodable record");
    }
}
