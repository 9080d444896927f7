package io.promptq.aggregator.deadletters;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One dead letter as read back from Kafka: its summary fields plus everything the record holds.
 *
 * @param job the decoded job as JSON; null when the job could not be decoded
 * @param errorMessage the whole error message
 * @param headers the record's headers, values as UTF-8 text
 * @param rawKeyHex the undecodable source record's key bytes as hex (else null)
 * @param rawValueHex the undecodable source record's value bytes as hex; or the dead letter's own bytes when the
 *     aggregator cannot decode it (else null)
 * @param sourceTopic where the failing record was read from (jobs or a retry tier); null if the dead letter itself
 *     could not be decoded
 */
public record DeadLetterDetail(String id, @Nullable String jobId, @Nullable String tenant, @Nullable String model,
        String reason, String message, int attempts, long at, boolean decodable, @Nullable String mark,
        @Nullable JsonNode job, String errorMessage, Map<String, String> headers, @Nullable String rawKeyHex,
        @Nullable String rawValueHex, @Nullable String sourceTopic, @Nullable Integer sourcePartition,
        @Nullable Long sourceOffset, @Nullable Long firstFailureAt, @Nullable String workerId, String topic,
        int partition, long offset) {

    /** This dead letter with {@code mark} (REDRIVEN or PURGED). */
    public DeadLetterDetail withMark(@Nullable String mark) {
        return new DeadLetterDetail(id, jobId, tenant, model, reason, message, attempts, at, decodable, mark, job,
                errorMessage, headers, rawKeyHex, rawValueHex, sourceTopic, sourcePartition, sourceOffset,
                firstFailureAt, workerId, topic, partition, offset);
    }
}
