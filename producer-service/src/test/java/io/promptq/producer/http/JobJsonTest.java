package io.promptq.producer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptq.client.JobRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JobJsonTest {

    private static JsonNode json(String text) throws Exception {
        return JobJson.mapper().readTree(text);
    }

    @Test
    void mapsEveryFieldOfTheDocumentedShape() throws Exception {
        JobRequest request = JobJson.read(json("""
                {"tenant": "acme", "model": "gpt-4o-mini",
                 "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
                 "temperature": 0.7, "maxTokens": 256, "topP": null, "seed": 42, "stop": ["END"],
                 "deadline": "2026-11-23T18:00:00Z", "idempotencyKey": "k", "priority": 2,
                 "attributes": {"k": "v"}, "extra": {"presence_penalty": "0.5"}}"""), "default");

        assertThat(request).isEqualTo(JobRequest.builder().tenant("acme").model("gpt-4o-mini").system("Be brief.")
                .user("Hi").temperature(0.7).maxTokens(256).seed(42).stop("END")
                .deadline(Instant.parse("2026-11-23T18:00:00Z")).idempotencyKey("k").priority(2).attribute("k", "v")
                .extra("presence_penalty", "0.5").build());
    }

    @Test
    void absentTenantFallsBackToTheDefaultAndNullMeansAbsent() throws Exception {
        JobRequest request = JobJson.read(json("""
                {"tenant": null, "model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": null}"""),
                "fallback");

        assertThat(request.tenant()).isEqualTo("fallback");
        assertThat(request.temperature()).isNull();
        assertThat(request.maxTokens()).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "{\"model\": 5}|model",
            "{\"messages\": \"hi\"}|messages",
            "{\"messages\": [\"hi\"]}|messages[0]",
            "{\"messages\": [{\"role\": \"user\", \"content\": 3}]}|messages[0].content",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"x\", \"name\": \"n\"}]}|messages[0].name",
            "{\"temperature\": \"hot\"}|temperature",
            "{\"maxTokens\": 1.5}|maxTokens",
            "{\"maxTokens\": 99999999999}|maxTokens",
            "{\"seed\": \"x\"}|seed",
            "{\"stop\": [1]}|stop[0]",
            "{\"deadline\": \"tomorrow\"}|deadline",
            "{\"deadline\": 1700000000}|deadline",
            "{\"attributes\": {\"k\": 1}}|attributes.k",
            "{\"max_tokens\": 5}|max_tokens"})
    void wrongTypesNameTheirField(String body, String field) {
        assertThatThrownBy(() -> JobJson.read(json(body), "t"))
                .isInstanceOfSatisfying(JsonFieldException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    @Test
    void aBodyThatIsNotAnObjectIsNamedBody() {
        assertThatThrownBy(() -> JobJson.read(json("[1, 2]"), "t"))
                .isInstanceOfSatisfying(JsonFieldException.class, e -> assertThat(e.field()).isEqualTo("body"));
    }

    @Test
    void writeThenReadGivesTheSameRequest() {
        JobRequest request = JobRequest.builder().tenant("acme").model("m").user("u").assistant("a").temperature(0)
                .maxTokens(9).topP(0.5).seed(-1).stop(List.of("x", "y")).deadline(Instant.parse("2030-01-01T00:00:00Z"))
                .idempotencyKey("k").priority(-3).attributes(Map.of("a", "b")).extra(Map.of("c", "d")).build();

        assertThat(JobJson.read(JobJson.write(request), null)).isEqualTo(request);
    }

    @Test
    void duplicateFieldsAndTrailingGarbageAreNotJson() {
        assertThatThrownBy(() -> json("{\"model\": \"a\", \"model\": \"b\"}")).isInstanceOf(Exception.class);
        assertThatThrownBy(() -> json("{\"model\": \"a\"} {}")).isInstanceOf(Exception.class);
    }
}
