package io.promptq.batch;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptq.schema.BatchError;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A batch as the OpenAI Batch API shows it ({@code object: "batch"}); {@link #toJson()} writes exactly that shape,
 * times in epoch seconds, absent times as {@code null}.
 *
 * @param usage tokens of the batch's finished requests
 */
public record BatchView(
        String id,
        String endpoint,
        String inputFileId,
        String completionWindow,
        BatchStatus status,
        @Nullable String outputFileId,
        @Nullable String errorFileId,
        List<BatchError> errors,
        Instant createdAt,
        @Nullable Instant inProgressAt,
        Instant expiresAt,
        @Nullable Instant finalizingAt,
        @Nullable Instant completedAt,
        @Nullable Instant failedAt,
        @Nullable Instant expiredAt,
        @Nullable Instant cancellingAt,
        @Nullable Instant cancelledAt,
        int total,
        int completed,
        int failed,
        Map<String, String> metadata,
        long inputTokens,
        long outputTokens) {

    public BatchView {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(inputFileId, "inputFileId");
        Objects.requireNonNull(completionWindow, "completionWindow");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(expiresAt, "expiresAt");
        errors = List.copyOf(errors);
        metadata = Map.copyOf(metadata);
    }

    /** A batch just created: validating, nothing counted yet. */
    public static BatchView created(String id, String endpoint, String inputFileId, String completionWindow,
            Instant createdAt, Instant expiresAt, Map<String, String> metadata) {
        return new BatchView(id, endpoint, inputFileId, completionWindow, BatchStatus.VALIDATING, null, null, List.of(),
                createdAt, null, expiresAt, null, null, null, null, null, null, 0, 0, 0, metadata, 0, 0);
    }

    /** The OpenAI {@code Batch} object. */
    public ObjectNode toJson() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode node = f.objectNode();
        node.put("id", id);
        node.put("object", "batch");
        node.put("endpoint", endpoint);
        if (errors.isEmpty()) {
            node.putNull("errors");
        } else {
            ObjectNode list = node.putObject("errors");
            list.put("object", "list");
            var data = list.putArray("data");
            for (BatchError e : errors) {
                ObjectNode item = data.addObject();
                item.put("code", e.getCode());
                item.put("message", e.getMessage());
                if (e.getParam() == null) {
                    item.putNull("param");
                } else {
                    item.put("param", e.getParam());
                }
                if (e.getLine() == null) {
                    item.putNull("line");
                } else {
                    item.put("line", e.getLine());
                }
            }
        }
        node.put("input_file_id", inputFileId);
        node.put("completion_window", completionWindow);
        node.put("status", status.apiName());
        putNullable(node, "output_file_id", outputFileId);
        putNullable(node, "error_file_id", errorFileId);
        node.put("created_at", createdAt.getEpochSecond());
        putTime(node, "in_progress_at", inProgressAt);
        node.put("expires_at", expiresAt.getEpochSecond());
        putTime(node, "finalizing_at", finalizingAt);
        putTime(node, "completed_at", completedAt);
        putTime(node, "failed_at", failedAt);
        putTime(node, "expired_at", expiredAt);
        putTime(node, "cancelling_at", cancellingAt);
        putTime(node, "cancelled_at", cancelledAt);
        ObjectNode counts = node.putObject("request_counts");
        counts.put("total", total);
        counts.put("completed", completed);
        counts.put("failed", failed);
        ObjectNode meta = node.putObject("metadata");
        metadata.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> meta.put(e.getKey(), e.getValue()));
        ObjectNode usage = node.putObject("usage");
        usage.put("input_tokens", inputTokens);
        usage.putObject("input_tokens_details").put("cached_tokens", 0);
        usage.put("output_tokens", outputTokens);
        usage.putObject("output_tokens_details").put("reasoning_tokens", 0);
        usage.put("total_tokens", inputTokens + outputTokens);
        return node;
    }

    private static void putNullable(ObjectNode node, String field, @Nullable String value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value);
        }
    }

    private static void putTime(ObjectNode node, String field, @Nullable Instant value) {
        if (value == null) {
            node.putNull(field);
        } else {
            node.put(field, value.getEpochSecond());
        }
    }
}
