package io.promptq.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.client.JobRequest;
import io.promptq.client.JobValidator;
import io.promptq.client.ValidationRules;
import io.promptq.schema.BatchError;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchInputTest {

    private static final String ENDPOINT = "/v1/chat/completions";
    private static final BatchInput.Target TARGET = new BatchInput.Target("acme", "batch_0190000000001234567890abcdef",
            ENDPOINT, Instant.now().plusSeconds(86_400));
    private final BatchInput input = new BatchInput(BatchConfig.defaults(), JobValidator.of(ValidationRules.defaults()));

    static String line(String customId, String content) {
        return "{\"custom_id\":\"" + customId + "\",\"method\":\"POST\",\"url\":\"" + ENDPOINT
                + "\",\"body\":{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content
                + "\"}]}}";
    }

    private static InputStream file(String... lines) {
        return new ByteArrayInputStream(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    }

    private BatchInput.Validation validate(String... lines) throws IOException {
        return input.validate(file(lines), TARGET);
    }

    private static BatchError only(BatchInput.Validation v) {
        assertThat(v.errors()).hasSize(1);
        return v.errors().get(0);
    }

    @Test
    void validFileCountsItsRequestsAndSkipsBlankLines() throws IOException {
        BatchInput.Validation v = validate(line("a", "hi"), "", "   ", line("b", "ho"));
        assertThat(v.valid()).isTrue();
        assertThat(v.total()).isEqualTo(2);
    }

    @Test
    void brokenJsonIsInvalidJsonLineWithItsLineNumberCountingBlankLines() throws IOException {
        BatchError e = only(validate(line("a", "x"), "", "{not json"));
        assertThat(e.getCode()).isEqualTo("invalid_json_line");
        assertThat(e.getLine()).isEqualTo(3);
        assertThat(only(validate("[1,2]")).getCode()).isEqualTo("invalid_json_line");
    }

    @Test
    void missingFieldsAreMissingRequiredParameterNamingTheField() throws IOException {
        BatchError e = only(validate(line("a", "x"), "{\"method\":\"POST\",\"url\":\"" + ENDPOINT + "\",\"body\":{}}"));
        assertThat(e.getCode()).isEqualTo("missing_required_parameter");
        assertThat(e.getParam()).isEqualTo("custom_id");
        assertThat(e.getLine()).isEqualTo(2);
        BatchError body = only(validate("{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"" + ENDPOINT + "\"}"));
        assertThat(body.getParam()).isEqualTo("body");
    }

    @Test
    void methodMustBePost() throws IOException {
        BatchError e = only(validate(line("a", "x").replace("\"POST\"", "\"GET\"")));
        assertThat(e.getCode()).isEqualTo("invalid_method");
        assertThat(e.getLine()).isEqualTo(1);
    }

    @Test
    void urlMustBeTheBatchEndpoint() throws IOException {
        BatchError e = only(validate(line("a", "x"), line("b", "y").replace(ENDPOINT, "/v1/embeddings")));
        assertThat(e.getCode()).isEqualTo("mismatched_endpoint");
        assertThat(e.getLine()).isEqualTo(2);
        assertThat(e.getMessage()).contains(ENDPOINT);
    }

    @Test
    void customIdsMustBeUniqueNonEmptyAndShort() throws IOException {
        BatchError dup = only(validate(line("a", "x"), line("b", "y"), line("a", "z")));
        assertThat(dup.getCode()).isEqualTo("duplicate_custom_id");
        assertThat(dup.getLine()).isEqualTo(3);
        assertThat(only(validate(line("", "x"))).getCode()).isEqualTo("invalid_custom_id");
        assertThat(only(validate(line("x".repeat(513), "x"))).getLine()).isEqualTo(1);
        assertThat(validate(line("x".repeat(512), "x")).valid()).isTrue();
    }

    @Test
    void aBodyTheValidatorRefusesIsInvalidRequestWithTheValidatorsField() throws IOException {
        BatchError e = only(validate(line("a", "x"), line("b", "")));
        assertThat(e.getCode()).isEqualTo("invalid_request");
        assertThat(e.getParam()).isEqualTo("messages[0].content");
        assertThat(e.getLine()).isEqualTo(2);
        String hot = line("c", "x").replace("\"messages\"", "\"temperature\":7,\"messages\"");
        assertThat(only(validate(hot)).getParam()).isEqualTo("temperature");
    }

    @Test
    void wrongShapesOfTheBodyAreInvalidRequestNamingTheBodyField() throws IOException {
        String n2 = line("a", "x").replace("\"messages\"", "\"n\":2,\"messages\"");
        assertThat(only(validate(n2)).getParam()).isEqualTo("body.n");
        String stream = line("a", "x").replace("\"messages\"", "\"stream\":true,\"messages\"");
        assertThat(only(validate(stream)).getParam()).isEqualTo("body.stream");
        String image = line("a", "x").replace("\"content\":\"x\"", "\"content\":[{\"type\":\"image_url\"}]");
        assertThat(only(validate(image)).getParam()).isEqualTo("body.messages[0].content[0]");
    }

    @Test
    void emptyFileAndTooManyLinesHaveNoLineNumber() throws IOException {
        BatchError empty = only(validate("", "  "));
        assertThat(empty.getCode()).isEqualTo("empty_file");
        assertThat(empty.getLine()).isNull();
        BatchInput small = new BatchInput(BatchConfig.defaults().withMaxLines(2),
                JobValidator.of(ValidationRules.defaults()));
        BatchError many = only(small.validate(file(line("a", "x"), line("b", "x"), line("c", "x")), TARGET));
        assertThat(many.getCode()).isEqualTo("too_many_requests");
        assertThat(many.getLine()).isNull();
    }

    @Test
    void invalidUtf8StopsTheFileWithTheLine() throws IOException {
        byte[] good = (line("a", "x") + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'{', (byte) 0xC3, (byte) 0x28, '}', '\n'};
        byte[] all = new byte[good.length + bad.length];
        System.arraycopy(good, 0, all, 0, good.length);
        System.arraycopy(bad, 0, all, good.length, bad.length);
        BatchError e = only(input.validate(new ByteArrayInputStream(all), TARGET));
        assertThat(e.getCode()).isEqualTo("invalid_file");
        assertThat(e.getLine()).isEqualTo(2);
    }

    @Test
    void keepsTheFirstThousandErrorsAndCountsTheRest() throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 1005; i++) {
            lines.add("nope");
        }
        BatchInput.Validation v = validate(lines.toArray(String[]::new));
        assertThat(v.errors()).hasSize(BatchInput.MAX_ERRORS);
        assertThat(v.errors().get(999).getMessage()).endsWith("(and 5 more errors)");
        assertThat(v.errors().get(999).getLine()).isEqualTo(1000);
    }

    @Test
    void mapsEachLineToItsJob() throws IOException, InterruptedException {
        String full = "{\"custom_id\":\"req-1\",\"method\":\"POST\",\"url\":\"" + ENDPOINT + "\",\"body\":{"
                + "\"model\":\"m1\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}],"
                + "\"max_completion_tokens\":64,\"temperature\":0.5,\"top_p\":0.9,\"seed\":7,\"stop\":\"END\","
                + "\"n\":1,\"stream\":false,\"presence_penalty\":0.5,\"response_format\":{\"type\":\"json_object\"}}}";
        List<BatchInput.Job> jobs = new ArrayList<>();
        int count = input.forEachJob(file("", full), TARGET, jobs::add);
        assertThat(count).isEqualTo(1);
        BatchInput.Job job = jobs.get(0);
        assertThat(job.line()).isEqualTo(2);
        assertThat(job.customId()).isEqualTo("req-1");
        JobRequest r = job.request();
        assertThat(r.tenant()).isEqualTo("acme");
        assertThat(r.model()).isEqualTo("m1");
        assertThat(r.messages()).containsExactly(JobRequest.Message.system("be brief"), JobRequest.Message.user("ab"));
        assertThat(r.maxTokens()).isEqualTo(64);
        assertThat(r.temperature()).isEqualTo(0.5);
        assertThat(r.topP()).isEqualTo(0.9);
        assertThat(r.seed()).isEqualTo(7L);
        assertThat(r.stop()).containsExactly("END");
        assertThat(r.deadline()).isEqualTo(TARGET.deadline());
        assertThat(r.idempotencyKey()).isEqualTo(BatchAttributes.idempotencyKey(TARGET.batchId(), 2));
        assertThat(r.attributes()).containsEntry(BatchAttributes.BATCH_ID, TARGET.batchId())
                .containsEntry(BatchAttributes.CUSTOM_ID, "req-1").containsEntry(BatchAttributes.LINE, "2");
        assertThat(r.extra()).containsOnlyKeys("presence_penalty", "response_format")
                .containsEntry("presence_penalty", "0.5")
                .containsEntry("response_format", "{\"type\":\"json_object\"}");
    }
}
