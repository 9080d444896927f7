package io.promptq.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How {@code ./promptq batch} shows a Batch object (OpenAI's shape): the one-line progress of {@code submit --wait}
 * (status, completed/failed/total, a bar, rate, ETA), the summary of {@code status} and the table of {@code list}.
 * Pure text from JSON trees, so it is tested without a server.
 */
public final class BatchProgress {

    /** The statuses after which a batch no longer changes. */
    public static final Set<String> TERMINAL = Set.of("completed", "failed", "expired", "cancelled");

    private static final int BAR_WIDTH = 30;

    private BatchProgress() {}

    /** Whether {@code batch} has reached a terminal status. */
    public static boolean terminal(JsonNode batch) {
        return TERMINAL.contains(batch.path("status").asText());
    }

    /** Lines done (completed + failed) of {@code batch}. */
    public static long done(JsonNode batch) {
        JsonNode counts = batch.path("request_counts");
        return counts.path("completed").asLong() + counts.path("failed").asLong();
    }

    /** Lines of {@code batch} ({@code request_counts.total}; 0 while validating). */
    public static long total(JsonNode batch) {
        return batch.path("request_counts").path("total").asLong();
    }

    /**
     * The progress line, e.g. {@code in_progress   812/1000 (800 ok, 12 failed) [########-------] 81% 52.3 lines/s ETA 4s}.
     *
     * @param linesPerSecond lines finished per second so far, or a negative number when not known yet
     */
    public static String line(JsonNode batch, double linesPerSecond) {
        JsonNode counts = batch.path("request_counts");
        long completed = counts.path("completed").asLong();
        long failed = counts.path("failed").asLong();
        long total = counts.path("total").asLong();
        long done = completed + failed;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-11s %d/%d (%d ok, %d failed) %s %3d%%",
                batch.path("status").asText("?"), done, total, completed, failed, bar(done, total),
                total == 0 ? 0 : done * 100 / total));
        if (linesPerSecond >= 0) {
            line.append(String.format(Locale.ROOT, " %.1f lines/s", linesPerSecond));
            if (linesPerSecond > 0 && total > done && !terminal(batch)) {
                line.append(" ETA ").append(eta(Duration.ofMillis((long) ((total - done) * 1000 / linesPerSecond))));
            }
        }
        return line.toString();
    }

    /** A {@value #BAR_WIDTH}-character bar of {@code done} out of {@code total}. */
    static String bar(long done, long total) {
        int filled = total <= 0 ? 0 : (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
    }

    /** A short duration: {@code 42s}, {@code 3m05s}, {@code 2h10m}. */
    static String eta(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /** The multi-line summary {@code ./promptq batch status} prints. */
    public static String summary(JsonNode batch) {
        StringBuilder out = new StringBuilder();
        out.append("batch        ").append(batch.path("id").asText()).append('\n');
        out.append("status       ").append(batch.path("status").asText()).append('\n');
        JsonNode counts = batch.path("request_counts");
        out.append("requests     ").append(counts.path("completed").asLong()).append(" completed, ")
                .append(counts.path("failed").asLong()).append(" failed, ")
                .append(counts.path("total").asLong()).append(" total\n");
        out.append("created      ").append(time(batch.path("created_at"))).append('\n');
        for (String field : new String[] {"in_progress_at", "finalizing_at", "completed_at", "failed_at", "expired_at",
                "cancelling_at", "cancelled_at"}) {
            if (batch.path(field).isNumber()) {
                out.append(String.format(Locale.ROOT, "%-13s", field.substring(0, field.length() - 3)))
                        .append(time(batch.path(field))).append('\n');
            }
        }
        if (batch.path("expires_at").isNumber()) {
            out.append("expires      ").append(time(batch.path("expires_at"))).append('\n');
        }
        out.append("input file   ").append(batch.path("input_file_id").asText("-")).append('\n');
        out.append("output file  ").append(text(batch.path("output_file_id"))).append('\n');
        out.append("error file   ").append(text(batch.path("error_file_id"))).append('\n');
        JsonNode usage = batch.path("usage");
        if (usage.isObject()) {
            out.append("usage        ").append(usage.path("input_tokens").asLong()).append(" input + ")
                    .append(usage.path("output_tokens").asLong()).append(" output = ")
                    .append(usage.path("total_tokens").asLong()).append(" tokens\n");
        }
        JsonNode errors = batch.path("errors").path("data");
        if (errors.isArray() && !errors.isEmpty()) {
            out.append("errors\n");
            for (JsonNode e : errors) {
                out.append("  ").append(e.path("line").isNumber() ? "line " + e.path("line").asLong() + ": " : "")
                        .append(e.path("message").asText()).append(e.path("code").isTextual() ? " (" + e.path("code").asText() + ")" : "")
                        .append('\n');
            }
        }
        return out.toString();
    }

    /** The table {@code ./promptq batch list} prints for a list object. */
    public static String table(JsonNode list) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%-34s %-11s %21s  %s%n", "ID", "STATUS",
                "COMPLETED/FAILED/TOTAL", "CREATED"));
        for (JsonNode b : list.path("data")) {
            JsonNode c = b.path("request_counts");
            out.append(String.format(Locale.ROOT, "%-34s %-11s %21s  %s%n", b.path("id").asText(), b.path("status").asText(),
                    c.path("completed").asLong() + "/" + c.path("failed").asLong() + "/" + c.path("total").asLong(),
                    time(b.path("created_at"))));
        }
        return out.toString();
    }

    private static String time(JsonNode epochSeconds) {
        return epochSeconds.isNumber() ? Instant.ofEpochSecond(epochSeconds.asLong()).toString() : "-";
    }

    private static String text(@Nullable JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() ? "-" : node.asText();
    }
}
