package io.promptq.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.promptq.aggregator.AggregatorClient;
import io.promptq.aggregator.JobStatsView;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.cli.internal.StatsTable;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Prints all-time totals and recent windows from an aggregator's query API. */
@Command(name = "stats", mixinStandardHelpOptions = true,
        description = "Show totals and recent windows from an aggregator (default: the one ./promptq up starts).")
public final class StatsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--aggregator-url", defaultValue = "${env:PROMPTQ_AGGREGATOR_URL:-http://127.0.0.1:8083}",
            description = "Aggregator query API (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", defaultValue = "${env:PROMPTQ_AGGREGATOR_TOKEN}",
            description = "Bearer token sent to the aggregator: an analysts' read token when it sets"
                    + " PROMPTQ_AGGREGATOR_READ_TOKENS (default: $PROMPTQ_AGGREGATOR_TOKEN).")
    String token;

    @Option(names = "--minutes", defaultValue = "10", description = "How many minutes of windows to show (default: ${DEFAULT-VALUE}).")
    int minutes;

    @Option(names = "--json", description = "Print one JSON object instead of tables.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (AggregatorClient client = AggregatorClient.create(URI.create(url), AggregatorClient.DEFAULT_TIMEOUT, token)) {
            List<JobStatsView> totals = client.allTotals();
            Instant to = Instant.now();
            List<JobStatsView> windows = client.windows(StatsKey.overall(), to.minus(Duration.ofMinutes(minutes)), to);
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("totals", totals);
                doc.put("windows", windows);
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
            } else {
                out.println("All-time totals (" + url + ")");
                out.println(StatsTable.render(totals, JobStatsView::key));
                String undecodable = StatsTable.undecodableLine(totals);
                if (!undecodable.isEmpty()) {
                    out.println(undecodable);
                }
                out.println();
                out.println("Windows, overall, last " + minutes + " min");
                out.println(windows.isEmpty() ? "  (none)" : StatsTable.render(windows, JobStatsView::windowStart));
            }
        }
        out.flush();
        return 0;
    }
}
