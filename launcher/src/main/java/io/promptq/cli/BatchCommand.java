package io.promptq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.promptq.cli.internal.BatchApi;
import io.promptq.cli.internal.BatchProgress;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * OpenAI-compatible batches from the command line, through a producer's Files and Batches API: {@code batch submit
 * FILE.jsonl [--wait]} uploads the file (streamed) and creates the batch, {@code --wait} follows it with a progress
 * line until it ends; {@code status}, {@code results} (the output and error files, streamed to disk), {@code cancel}
 * and {@code list}. Exit code 1 when a waited-for batch ends {@code failed}, {@code expired} or {@code cancelled}, or
 * when the producer stays unavailable for {@link #MAX_OUTAGE} while waiting.
 */
@Command(name = "batch", mixinStandardHelpOptions = true,
        description = "Submit and follow OpenAI-compatible batches (a JSONL file of /v1/chat/completions requests) through a"
                + " producer (default: the one ./promptq up starts).",
        subcommands = {BatchCommand.SubmitCommand.class, BatchCommand.StatusCommand.class,
            BatchCommand.ResultsCommand.class, BatchCommand.CancelCommand.class, BatchCommand.ListCommand.class})
public final class BatchCommand implements Runnable {

    /** How often {@code submit --wait} asks for the batch's status. */
    static final Duration POLL_INTERVAL = Duration.ofSeconds(1);
    /** How long {@code submit --wait} keeps asking while the producer answers 502/503/504 or not at all. */
    static final Duration MAX_OUTAGE = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Where the producer is and the token to show it; shared by the {@code batch} subcommands. */
    public static final class Connection {

        @Option(names = "--url", defaultValue = "${env:PROMPTQ_PRODUCER_URL:-http://127.0.0.1:8080}",
                description = "Producer public API, without /v1 (default: ${DEFAULT-VALUE}).")
        String url;

        @Option(names = "--token", defaultValue = "${env:PROMPTQ_TOKEN}",
                description = "Bearer token for the producer's API: the tenant's token when it sets"
                        + " PROMPTQ_PRODUCER_AUTH_TOKENS (default: $PROMPTQ_TOKEN).")
        String token;

        BatchApi api() {
            return BatchApi.of(URI.create(url), token);
        }
    }

    /** {@code batch submit FILE.jsonl}: upload, create, optionally wait. */
    @Command(name = "submit", mixinStandardHelpOptions = true,
            description = "Upload FILE (JSONL, one {custom_id, method, url, body} request per line) and create a batch;"
                    + " prints the batch id. With --wait, follows it until it ends (exit 0 when completed, 1 when"
                    + " failed, expired or cancelled).")
    static final class SubmitCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "FILE", description = "The batch input file (.jsonl).")
        Path file;

        @Option(names = "--wait", description = "Follow the batch with a progress line until it ends.")
        boolean wait;

        @Option(names = "--window", defaultValue = "24h",
                description = "The batch's completion_window (default: ${DEFAULT-VALUE}).")
        String window;

        @Option(names = "--metadata", paramLabel = "KEY=VALUE", description = "Metadata of the batch (repeatable).")
        Map<String, String> metadata = new LinkedHashMap<>();

        @Override
        public Integer call() throws Exception {
            if (!Files.isRegularFile(file)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
            }
            PrintWriter out = spec.commandLine().getOut();
            try (BatchApi api = connection.api()) {
                JsonNode uploaded = api.upload(file);
                JsonNode batch = api.create(uploaded.path("id").asText(), window, metadata);
                out.println(batch.path("id").asText());
                out.flush();
                return wait ? follow(api, batch, spec.commandLine().getErr(), POLL_INTERVAL) : 0;
            }
        }
    }

    /**
     * Polls {@code batch} every {@code interval} until it is terminal, printing a progress line on {@code err} whenever
     * it changes (rewritten in place on a terminal); the exit code of its final status.
     */
    static int follow(BatchApi api, JsonNode batch, PrintWriter err, Duration interval) throws InterruptedException {
        String id = batch.path("id").asText();
        boolean console = System.console() != null && System.getenv("CI") == null;
        String shown = "";
        long startNanos = 0;
        long startDone = 0;
        long unavailableSince = 0;
        JsonNode current = batch;
        while (true) {
            long done = BatchProgress.done(current);
            double rate = -1;
            if (BatchProgress.total(current) > 0) {
                if (startNanos == 0) {
                    startNanos = System.nanoTime();
                    startDone = done;
                } else {
                    double seconds = (System.nanoTime() - startNanos) / 1e9;
                    rate = seconds <= 0 ? -1 : (done - startDone) / seconds;
                }
            }
            String line = BatchProgress.line(current, rate);
            String key = current.path("status").asText() + " " + done;
            if (console) {
                err.print("\r" + line + "   ");
            } else if (!key.equals(shown)) {
                err.println(line);
            }
            shown = key;
            err.flush();
            if (BatchProgress.terminal(current)) {
                break;
            }
            Thread.sleep(interval.toMillis());
            try {
                current = api.retrieve(id);
                unavailableSince = 0;
            } catch (BatchApi.BatchApiException e) {
                // a long wait survives a rolling restart of the producer or the aggregator, said once per outage
                if (!unavailable(e) || (unavailableSince != 0 && System.nanoTime() - unavailableSince > MAX_OUTAGE.toNanos())) {
                    throw e;
                }
                if (unavailableSince == 0) {
                    unavailableSince = System.nanoTime();
                    err.println((console ? "\n" : "") + "(batch " + id + " not readable now: " + e.getMessage()
                            + "; asking again for up to " + MAX_OUTAGE.toMinutes() + " min)");
                }
            }
        }
        if (console) {
            err.println();
        }
        String status = current.path("status").asText();
        err.println("batch " + id + " " + status + (status.equals("failed") ? errors(current) : "")
                + (BatchProgress.TERMINAL.contains(status) && !status.equals("failed")
                        ? "; results: ./promptq batch results " + id + " -o out.jsonl --errors errors.jsonl" : ""));
        err.flush();
        return status.equals("completed") ? 0 : 1;
    }

    /** Whether an error answer is a brief unavailability (no answer, 502, 503, 504: a restart, a rebalance). */
    private static boolean unavailable(BatchApi.BatchApiException e) {
        return e.status() == 0 || e.status() == 502 || e.status() == 503 || e.status() == 504;
    }

    private static String errors(JsonNode batch) {
        StringBuilder text = new StringBuilder();
        for (JsonNode e : batch.path("errors").path("data")) {
            text.append("\n  ").append(e.path("line").isNumber() ? "line " + e.path("line").asLong() + ": " : "")
                    .append(e.path("message").asText());
        }
        return text.toString();
    }

    /** {@code batch status ID}. */
    @Command(name = "status", mixinStandardHelpOptions = true, description = "Show a batch: status, counts, files, usage.")
    static final class StatusCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID", description = "The batch id (batch_...).")
        String id;

        @Option(names = "--json", description = "Print the Batch object as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode batch;
            try (BatchApi api = connection.api()) {
                batch = api.retrieve(id);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.print(json ? new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(batch) + "\n"
                    : BatchProgress.summary(batch));
            out.flush();
            return 0;
        }
    }

    /** {@code batch results ID -o out.jsonl [--errors err.jsonl]}. */
    @Command(name = "results", mixinStandardHelpOptions = true,
            description = "Save a finished batch's output file (succeeded lines) and, with --errors, its error file"
                    + " (failed, expired and cancelled lines); streamed to disk.")
    static final class ResultsCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID", description = "The batch id (batch_...).")
        String id;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
                description = "Where to write the output file (JSONL).")
        Path output;

        @Option(names = "--errors", paramLabel = "FILE", description = "Where to write the error file (JSONL).")
        Path errors;

        @Override
        public Integer call() throws Exception {
            try (BatchApi api = connection.api()) {
                return saveResults(api);
            }
        }

        private int saveResults(BatchApi api) {
            JsonNode batch = api.retrieve(id);
            String status = batch.path("status").asText();
            if (status.equals("failed")) {
                throw new IllegalStateException("batch " + id + " failed validation and has no results:" + errors(batch));
            }
            if (!BatchProgress.terminal(batch)) {
                throw new IllegalStateException("batch " + id + " is " + status + ": its results are written when it"
                        + " ends; follow it with ./promptq batch status " + id);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println(save(api, batch.path("output_file_id"), output, "output", "no line succeeded"));
            if (errors != null) {
                out.println(save(api, batch.path("error_file_id"), errors, "errors", "no line failed"));
            } else if (batch.path("error_file_id").isTextual()) {
                out.println(batch.path("request_counts").path("failed").asLong() + " line(s) failed: add --errors"
                        + " errors.jsonl to save them");
            }
            out.flush();
            return 0;
        }

        private static String save(BatchApi api, JsonNode fileId, Path target, String what, String none) {
            if (!fileId.isTextual()) {
                return what + ": none (" + none + "), " + target + " not written";
            }
            long bytes = api.download(fileId.asText(), target);
            return what + ": " + bytes + " bytes to " + target + " (file " + fileId.asText() + ")";
        }
    }

    /** {@code batch cancel ID}. */
    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = "Cancel a batch: lines not yet started are cancelled, it ends cancelled with what completed.")
    static final class CancelCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Parameters(index = "0", paramLabel = "ID", description = "The batch id (batch_...).")
        String id;

        @Override
        public Integer call() throws Exception {
            JsonNode batch;
            try (BatchApi api = connection.api()) {
                batch = api.cancel(id);
            }
            spec.commandLine().getOut().println("batch " + id + " " + batch.path("status").asText());
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** {@code batch list}. */
    @Command(name = "list", mixinStandardHelpOptions = true, description = "List your batches, newest first.")
    static final class ListCommand implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Mixin
        Connection connection;

        @Option(names = "--limit", defaultValue = "20", description = "Most batches listed, 1-100 (default: ${DEFAULT-VALUE}).")
        int limit;

        @Option(names = "--after", paramLabel = "ID", description = "Continue after this batch id (the last one listed).")
        String after;

        @Option(names = "--json", description = "Print the list object as JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode list;
            try (BatchApi api = connection.api()) {
                list = api.list(after, limit);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(list));
            } else if (list.path("data").isEmpty()) {
                out.println("(no batches)");
            } else {
                out.print(BatchProgress.table(list));
                if (list.path("has_more").asBoolean()) {
                    out.println("more: ./promptq batch list --after " + list.path("last_id").asText());
                }
            }
            out.flush();
            return 0;
        }
    }
}
