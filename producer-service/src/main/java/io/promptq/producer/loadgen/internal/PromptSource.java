package io.promptq.producer.loadgen.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.promptq.client.JobRequest;
import io.promptq.producer.http.JobJson;
import io.promptq.producer.http.JsonFieldException;
import io.promptq.producer.loadgen.LoadOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * The jobs of a load run: templates read from a JSONL file and cycled through, or generated prompts of a
 * fixed length. Thread-safe (immutable after creation).
 */
public final class PromptSource {

    private static final String FILLER = "Summarize the following text in one sentence, keeping every number. "
            + "The quick brown fox jumps over the lazy dog while the committee reviews the quarterly report. ";

    private final List<JobRequest> templates;
    private final LoadOptions options;
    private final String tenant;
    private final String filler;

    private PromptSource(List<JobRequest> templates, LoadOptions options, String tenant) {
        this.templates = templates;
        this.options = options;
        this.tenant = tenant;
        this.filler = FILLER.repeat(options.promptChars() / FILLER.length() + 1);
    }

    /**
     * The source for {@code options}.
     *
     * @param fallbackTenant tenant of jobs when the options and the file name none (null: leave it unset)
     * @throws IllegalArgumentException naming the line when the prompts file is malformed
     * @throws UncheckedIOException when the prompts file cannot be read
     */
    public static PromptSource of(LoadOptions options, String fallbackTenant) {
        String tenant = options.tenant().orElse(fallbackTenant);
        if (options.promptsFile().isEmpty()) {
            return new PromptSource(List.of(), options, tenant);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(options.promptsFile().get(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompts file " + options.promptsFile().get(), e);
        }
        List<JobRequest> templates = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            templates.add(parse(line, i + 1, options, tenant));
        }
        if (templates.isEmpty()) {
            throw new IllegalArgumentException("prompts file " + options.promptsFile().get() + " holds no prompts");
        }
        return new PromptSource(List.copyOf(templates), options, tenant);
    }

    private static JobRequest parse(String line, int number, LoadOptions options, String tenant) {
        try {
            JsonNode node = JobJson.mapper().readTree(line);
            if (node.isTextual()) {
                return JobRequest.builder().tenant(tenant).model(options.model()).maxTokens(options.maxTokens())
                        .user(node.textValue()).build();
            }
            JobRequest request = JobJson.read(node, tenant);
            JobRequest.Builder b = request.toBuilder();
            if (request.model() == null) {
                b.model(options.model());
            }
            if (request.maxTokens() == null) {
                b.maxTokens(options.maxTokens());
            }
            return b.build();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("prompts file line " + number + " is not JSON: " + e.getOriginalMessage(), e);
        } catch (JsonFieldException e) {
            throw new IllegalArgumentException("prompts file line " + number + ": " + e.getMessage(), e);
        }
    }

    /** Job number {@code index} (0-based) of the run. */
    public JobRequest job(long index) {
        if (!templates.isEmpty()) {
            return templates.get((int) (index % templates.size()));
        }
        String prefix = "Job " + index + ": ";
        String content = prefix + filler.substring(0, Math.max(0, options.promptChars() - prefix.length()));
        return JobRequest.builder().tenant(tenant).model(options.model()).maxTokens(options.maxTokens())
                .user(content).attribute("loadgen.index", Long.toString(index)).build();
    }
}
