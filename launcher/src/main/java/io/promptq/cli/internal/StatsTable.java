package io.promptq.cli.internal;

import io.promptq.aggregator.JobStatsView;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Renders job statistics ({@link JobStatsView} rows) as a fixed-width text table for a terminal. */
public final class StatsTable {

    private static final String[] HEADERS = {
        "", "total", "ok", "dlq", "expired", "retries", "avg ms", "p50 ms", "p95 ms", "p99 ms", "e2e p95 ms", "tokens in/out"
    };

    private StatsTable() {}

    /** One row per aggregate, labelled by {@code label}. */
    public static String render(List<JobStatsView> rows, Function<JobStatsView, String> label) {
        String[][] cells = new String[rows.size() + 1][];
        cells[0] = HEADERS;
        for (int i = 0; i < rows.size(); i++) {
            JobStatsView s = rows.get(i);
            cells[i + 1] = new String[] {
                label.apply(s),
                Long.toString(s.total()),
                Long.toString(s.succeeded()),
                Long.toString(s.deadLettered()),
                Long.toString(s.expired()),
                Long.toString(s.totalRetries()),
                ms(s.providerLatency().meanMs()),
                ms(s.providerLatency().p50Ms()),
                ms(s.providerLatency().p95Ms()),
                ms(s.providerLatency().p99Ms()),
                ms(s.endToEndLatency().p95Ms()),
                s.promptTokens() + "/" + s.completionTokens()
            };
        }
        return layOut(cells);
    }

    /**
     * A line naming the records the workers could not decode (dead-lettered raw, in no row's {@code total}), taken
     * from the overall row; empty if there are none, so the usual output stays as it was.
     */
    public static String undecodableLine(List<JobStatsView> totals) {
        for (JobStatsView s : totals) {
            if (s.undecodable() > 0) {
                return "  undecodable records dead-lettered by the workers (in no total above): " + s.undecodable();
            }
        }
        return "";
    }

    /** Left-aligned first column, right-aligned others, two spaces apart. */
    static String layOut(String[][] cells) {
        int columns = cells[0].length;
        int[] width = new int[columns];
        for (String[] row : cells) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < cells.length; r++) {
            sb.append("  ");
            for (int c = 0; c < columns; c++) {
                String cell = cells[r][c];
                String pad = " ".repeat(width[c] - cell.length());
                sb.append(c == 0 ? cell + pad : pad + cell);
                if (c < columns - 1) {
                    sb.append("  ");
                }
            }
            if (r < cells.length - 1) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    static String ms(double value) {
        return String.format(Locale.ROOT, "%.1f", value);
    }
}
