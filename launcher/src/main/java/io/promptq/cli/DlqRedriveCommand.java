package io.promptq.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptq.aggregator.deadletters.DeadLetterFilter;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    /** Where the aggregator is; the token must be an operator's when the aggregator sets tokens. */
    @Mixin
    DlqCommand.Connection connection;

    @Mixin
    DlqCommand.Filter filter;

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
        boolean filtered = filter.any();
        boolean byId = ids != null && !ids.isEmpty();
        if (filtered == byId) {
            err.println("promptq: give either dead-letter IDs or at least one of --reason, --model, --tenant,"
                    + " --since, --until");
            return 2;
        }
        String url = connection.url;
        String token = connection.token;
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
            DeadLetterFilter selected = filter.toFilter(spec, Instant.now());
            ObjectNode node = body.putObject("filter");
            putIfSet(node, "reason", selected.reason());
            putIfSet(node, "model", selected.model());
            putIfSet(node, "tenant", selected.tenant());
            if (selected.since() != null) {
                node.put("since", selected.since());
            }
            if (selected.until() != null) {
                node.put("until", selected.until());
            }
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
