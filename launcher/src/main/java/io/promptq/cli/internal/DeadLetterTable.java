package io.promptq.cli.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.promptq.aggregator.deadletters.DeadLetterDetail;
import io.promptq.aggregator.deadletters.DeadLetterSummary;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Renders dead letters for a terminal: a page as a fixed-width table, one dead letter as labelled lines. */
public final class DeadLetterTable {

    private static final String[] HEADERS = {"id", "failed at", "reason", "model", "tenant", "attempts", "job", "message"};
    private static final int MESSAGE_WIDTH = 60;

    private DeadLetterTable() {}

    /** One row per dead letter. */
    public static String render(List<DeadLetterSummary> items) {
        String[][] cells = new String[items.size() + 1][];
        cells[0] = HEADERS;
        for (int i = 0; i < items.size(); i++) {
            DeadLetterSummary s = items.get(i);
            String message = s.message().replace('\n', ' ');
            cells[i + 1] = new String[] {
                s.id(),
                Instant.ofEpochMilli(s.at()).toString(),
                s.reason() + (s.decodable() ? "" : " (undecodable)"),
                orDash(s.model()),
                orDash(s.tenant()),
                Integer.toString(s.attempts()),
                orDash(s.jobId()),
                message.length() <= MESSAGE_WIDTH ? message : message.substring(0, MESSAGE_WIDTH - 3) + "..."
            };
        }
        StringBuilder out = new StringBuilder();
        int[] widths = new int[HEADERS.length];
        for (String[] row : cells) {
            for (int c = 0; c < row.length; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        for (String[] row : cells) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                line.append(c == 0 ? "" : "  ").append(c == row.length - 1 ? row[c]
                        : String.format("%-" + widths[c] + "s", row[c]));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString().stripTrailing();
    }

    /** The dead letter as labelled lines: the error, where it came from, headers, then the job or the raw bytes. */
    public static String describe(DeadLetterDetail d, ObjectMapper json) throws JsonProcessingException {
        StringBuilder out = new StringBuilder();
        line(out, "id", d.id() + " (" + d.topic() + " partition " + d.partition() + " offset " + d.offset() + ")");
        line(out, "job id", orDash(d.jobId()));
        line(out, "reason", d.reason() + (d.decodable() ? "" : " (the job could not be decoded)"));
        line(out, "attempts", Integer.toString(d.attempts()));
        line(out, "failed at", Instant.ofEpochMilli(d.at()).toString()
                + (d.firstFailureAt() == null ? "" : " (first failure " + Instant.ofEpochMilli(d.firstFailureAt()) + ")"));
        line(out, "model", orDash(d.model()));
        line(out, "tenant", orDash(d.tenant()));
        line(out, "source", d.sourceTopic() == null ? "-"
                : d.sourceTopic() + " partition " + d.sourcePartition() + " offset " + d.sourceOffset());
        line(out, "worker", orDash(d.workerId()));
        line(out, "mark", orDash(d.mark()));
        line(out, "error", d.errorMessage());
        for (Map.Entry<String, String> header : d.headers().entrySet()) {
            line(out, "header", header.getKey() + "=" + header.getValue());
        }
        if (d.job() != null && !d.job().isNull()) {
            out.append("job:\n").append(json.writeValueAsString(d.job())).append('\n');
        }
        if (d.rawKeyHex() != null) {
            line(out, "raw key (hex)", d.rawKeyHex());
        }
        if (d.rawValueHex() != null) {
            line(out, "raw value (hex)", d.rawValueHex());
        }
        return out.toString();
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format("%-18s%s%n", label + ":", value));
    }

    private static String orDash(String value) {
        return value == null || value.isEmpty() ? "-" : value;
    }
}
