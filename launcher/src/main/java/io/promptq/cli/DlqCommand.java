package io.promptq.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.promptq.aggregator.AggregatorClient;
import io.promptq.aggregator.deadletters.DeadLetterDetail;
import io.promptq.aggregator.deadletters.DeadLetterFilter;
import io.promptq.aggregator.deadletters.DeadLetterPage;
import io.promptq.cli.internal.DeadLetterTable;
import io.promptq.config.Durations;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * Browses the jobs' dead letters through an aggregator's console API: {@code dlq list} (a table, newest first, with
 * filters and a cursor) and {@code dlq show ID} (one dead letter read back from Kafka: the decoded job and the error,
 * or the raw bytes as hex when the job could not be decoded).
 */
@Command(name = "dlq", mixinStandardHelpOptions = true,
        description = "Browse and redrive the jobs' dead letters through an aggregator (default: the one ./promptq up starts).",
        subcommands = {DlqCommand.ListCommand.class, DlqCommand.ShowCommand.class, DlqRedriveCommand.class})
public final class DlqCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the aggregator is and the token to show it; shared by the {@code dlq} subcommands. */
    public static final class Connection {

        @Option(names = "--aggregator-url", defaultValue = "${env:PROMPTQ_AGGREGATOR_URL:-http://127.0.0.1:8083}",
                description = "Aggregator query API (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--token", defaultValue = "${env:PROMPTQ_AGGREGATOR_TOKEN}",
                description = "Bearer token sent to the aggregator: an analysts' read token when it sets"
                        + " PROMPTQ_AGGREGATOR_READ_TOKENS (default: $PROMPTQ_AGGREGATOR_TOKEN).")
        String token;

        AggregatorClient client() {
            return AggregatorClient.create(URI.create(url), AggregatorClient.DEFAULT_TIMEOUT.multipliedBy(3), token);
        }
    }

    /** Which dead letters: shared by {@code dlq list} and {@code dlq redrive}. */
    public static final class Filter {

        @Option(names = "--reason", description = "Only this error type, e.g. PROVIDER_5XX or INVALID_REQUEST.")
        String reason;

        @Option(names = "--model", description = "Only jobs of this model.")
        String model;

        @Option(names = "--tenant", description = "Only jobs of this tenant.")
        String tenant;

        @Option(names = "--since", description = "Only dead letters that last failed at or after then: ISO-8601, epoch"
                + " millis, or a duration back from now such as 30m.")
        String since;

        @Option(names = "--until", description = "Only dead letters that last failed before then (same forms as"
                + " --since).")
        String until;

        /** Whether any option is set. */
        boolean any() {
            return reason != null || model != null || tenant != null || since != null || until != null;
        }

        /** The filter, with {@code --since} and {@code --until} resolved against {@code now}. */
        DeadLetterFilter toFilter(CommandSpec spec, Instant now) {
            return new DeadLetterFilter(reason, model, tenant, instant(spec, "--since", since, now),
                    instant(spec, "--until", until, now));
        }

        private static Long instant(CommandSpec spec, String option, String text, Instant now) {
            if (text == null || text.isBlank()) {
                return null;
            }
            String value = text.trim();
            if (value.chars().allMatch(Character::isDigit)) {
                return Long.parseLong(value);
            }
            try {
                return Instant.parse(value).toEpochMilli();
            } catch (DateTimeParseException e) {
                try {
                    return now.minus(Durations.parse(value)).toEpochMilli();
                } catch (RuntimeException notADuration) {
                    throw new CommandLine.ParameterException(spec.commandLine(), option
                            + " must be an ISO-8601 instant, epoch millis or a duration such as 30m, not " + text);
                }
            }
        }
    }

    /** {@code dlq list}: one page of dead letters as a table. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List dead letters, newest first; --cursor continues where the last page stopped.")
    static final class ListCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Mixin
        Filter filter;

        @Option(names = "--limit", defaultValue = "20", description = "Most dead letters listed (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--cursor", description = "Continue after this cursor (printed under the previous page).")
        String cursor;

        @Option(names = "--json", description = "Print the page as JSON instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (AggregatorClient client = connection.client()) {
                DeadLetterPage page = client.deadLetters(filter.toFilter(spec, Instant.now()), cursor, limit);
                if (json) {
                    out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(page));
                } else {
                    out.println(page.items().isEmpty() ? "(no dead letters on this page)" : DeadLetterTable.render(page.items()));
                    out.println();
                    out.println("scanned " + page.scanned() + (page.nextCursor() == null ? "; no more dead letters"
                            : "; more: ./promptq dlq list --cursor " + page.nextCursor() + " (same filters)"));
                    out.println("by reason: " + counts(page.counts().byReason()));
                }
            }
            out.flush();
            return 0;
        }


        private static String counts(Map<String, Long> counts) {
            if (counts.isEmpty()) {
                return "none";
            }
            StringBuilder text = new StringBuilder();
            counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                    .forEach(e -> text.append(text.isEmpty() ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue()));
            return text.toString();
        }
    }

    /** {@code dlq show ID}: one dead letter in full. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show one dead letter (ID as listed, <partition>-<offset>): the job and the error, or the raw"
                    + " bytes as hex when the job could not be decoded.")
    static final class ShowCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID", description = "The dead letter's id, <partition>-<offset>.")
        String id;

        @Option(names = "--json", description = "Print the dead letter as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            try (AggregatorClient client = connection.client()) {
                Optional<DeadLetterDetail> found = client.deadLetter(id);
                if (found.isEmpty()) {
                    spec.commandLine().getErr().println("no dead letter " + id
                            + " (unknown, or removed by the topic's retention)");
                    spec.commandLine().getErr().flush();
                    return 1;
                }
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                if (json) {
                    out.println(mapper.writeValueAsString(found.get()));
                } else {
                    out.print(DeadLetterTable.describe(found.get(), mapper));
                }
            }
            out.flush();
            return 0;
        }
    }
}
