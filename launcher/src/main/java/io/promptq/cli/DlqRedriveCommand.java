package io.promptq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./promptq dlq redrive [filter | ID...] [--rate N] [--dry-run]}: asks the aggregator to republish dead
 * letters to the jobs topic ({@code POST /v1/console/dead-letters/redrive}) and prints its answer.
 */
@Command(name = "redrive", mixinStandardHelpOptions = true,
        description = "Redrive dead letters (by id <partition>-<offset>, or every one matching a filter) back to the"
                + " jobs topic, rate-limited; needs an operator token when the aggregator sets tokens.")
public final class DlqRedriveCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Spec
    CommandSpec spec;

    @Option(names = "--aggregator-url", defaultValue = "${env:PROMPTQ_AGGREGATOR_URL:-http://127.0.0.1:8083}",
            description = "Aggregator API (default: ${DEFAULT-VALUE}).")
    String url;

    @Option(names = "--token", defaultValue = "${env:PROMPTQ_AGGREGATOR_TOKEN}",
            description = "Bearer token: an operator token when the aggregator sets tokens"
                    + " (PROMPTQ_AGGREGATOR_OPERATOR_TOKENS; default: $PROMPTQ_AGGREGATOR_TOKEN).")
    String token;

    @Option(names = "--reason", description = "Only dead letters with this error class (e.g. INVALID_REQUEST).")
    String reason;

    @Option(names = "--model", description = "Only jobs of this model.")
    String model;

    @Option(names = "--tenant", description = "Only jobs of this tenant.")
    String tenant;

    @Option(names = "--since", description = "Only dead letters that last failed at or after this instant (ISO-8601).")
    String since;

    @Option(names = "--until", description = "Only dead letters that last failed before this instant (ISO-8601).")
    String until;

    @Option(names = "--rate", description = "Jobs per second (at most the aggregator's PROMPTQ_CONSOLE_REDRIVE_RATE).")
    Integer rate;

    @Option(names = "--dry-run", description = "Count what would be redriven; write nothing.")
    boolean dryRun;

    @Parameters(arity = "0..*", paramLabel = "ID", description = "Dead-letter ids (<partition>-<offset>).")
    List<String> ids;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        boolean filtered = reason != null || model != null || tenant != null || since != null || until != null;
        boolean byId = ids != null && !ids.isEmpty();
        if (filtered == byId) {
            err.println("promptq: give either dead-letter IDs or at least one of --reason, --model, --tenant,"
                    + " --since, --until");
            return 2;
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + "/v1/console/dead-letters/redrive"))
                .timeout(Duration.ofMinutes(2)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body(byId).toString()));
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
        JsonNode answer = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        if (response.statusCode() != 200 && response.statusCode() != 202) {
            err.println("promptq: the aggregator answered " + response.statusCode() + ": "
                    + answer.path("detail").asText(response.body()));
            err.flush();
            return 1;
        }
        out.println(JSON.writeValueAsString(answer));
        out.println((dryRun ? "Would redrive " : "Redrove ") + answer.path("redriven").asLong() + " of "
                + answer.path("matched").asLong() + " matched; refused " + answer.path("refusedCount").asLong()
                + (response.statusCode() == 202 ? " so far (still running: GET " + url + "/v1/console/audit/"
                        + answer.path("auditId").asText() + ")" : "")
                + "; audit " + answer.path("auditId").asText());
        out.flush();
        return 0;
    }

    /** The request body the console API takes. */
    ObjectNode body(boolean byId) {
        ObjectNode body = JSON.createObjectNode();
        if (byId) {
            ids.forEach(body.putArray("ids")::add);
        } else {
            ObjectNode filter = body.putObject("filter");
            putIfSet(filter, "reason", reason);
            putIfSet(filter, "model", model);
            putIfSet(filter, "tenant", tenant);
            putIfSet(filter, "since", since);
            putIfSet(filter, "until", until);
        }
        if (rate != null) {
            body.put("rate", rate);
        }
        body.put("dryRun", dryRun);
        return body;
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null && !value.isBlank()) {
            node.put(field, value);
        }
    }
}
