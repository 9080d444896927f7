package io.promptq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.webhook.WebhookTargets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class JobValidatorTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    private final JobValidator validator = JobValidator.of(
            ValidationRules.builder().modelAllowList(Set.of("gpt-4o-mini", "llama-3")).maxTokensCap(4096).build(),
            Clock.fixed(NOW, ZoneOffset.UTC));

    private static JobRequest.Builder valid() {
        return JobRequest.builder().tenant("acme").model("gpt-4o-mini").system("Be brief.").user("Hello")
                .temperature(0.7).maxTokens(256).topP(0.9).seed(7).stop("END")
                .deadline(NOW.plusSeconds(60)).idempotencyKey("order-1").priority(3).attribute("k", "v");
    }

    @Test
    void acceptsACompleteValidRequest() {
        assertThat(validator.validate(valid().build())).isEmpty();
    }

    @Test
    void refusesACallbackUrlOutsideTheWebhookAllowListAndAnyWhileWebhooksAreOff() {
        JobValidator withWebhooks = JobValidator.of(ValidationRules.builder().webhooks(new WebhookTargets(
                List.of("https://hooks.example.com/promptq"), Map.of())).build(), Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(withWebhooks.validate(valid().model("m").callbackUrl("https://hooks.example.com/promptq/a").build()))
                .isEmpty();
        assertThat(withWebhooks.validate(valid().model("m").callbackUrl("http://169.254.169.254/").build()))
                .extracting(Violation::field).containsExactly("callbackUrl");
        assertThat(validator.validate(valid().callbackUrl("https://hooks.example.com/promptq/a").build()))
                .extracting(Violation::field).containsExactly("callbackUrl");
    }

    @Test
    void acceptsAMinimalRequestRelyingOnDefaults() {
        assertThat(validator.validate(JobRequest.builder().tenant("t").model("llama-3").user("x").build())).isEmpty();
    }

    @Test
    void acceptsTemperatureBounds() {
        assertThat(validator.validate(valid().temperature(0).build())).isEmpty();
        assertThat(validator.validate(valid().temperature(2).build())).isEmpty();
        assertThat(validator.validate(valid().maxTokens(4096).build())).isEmpty();
    }

    static Stream<Arguments> brokenRules() {
        return Stream.of(
                Arguments.of("missing tenant", (UnaryOperator<JobRequest.Builder>) b -> b.tenant(null), "tenant"),
                Arguments.of("tenant with spaces", (UnaryOperator<JobRequest.Builder>) b -> b.tenant("a b"), "tenant"),
                Arguments.of("missing model", (UnaryOperator<JobRequest.Builder>) b -> b.model(null), "model"),
                Arguments.of("empty model", (UnaryOperator<JobRequest.Builder>) b -> b.model(" "), "model"),
                Arguments.of("model not allowed", (UnaryOperator<JobRequest.Builder>) b -> b.model("gpt-5"), "model"),
                Arguments.of("no messages", (UnaryOperator<JobRequest.Builder>) b -> b.messages(List.of()), "messages"),
                Arguments.of("unknown role", (UnaryOperator<JobRequest.Builder>) b -> b.message("robot", "x"),
                        "messages[2].role"),
                Arguments.of("empty content", (UnaryOperator<JobRequest.Builder>) b -> b.user(""), "messages[2].content"),
                Arguments.of("temperature below 0", (UnaryOperator<JobRequest.Builder>) b -> b.temperature(-0.1),
                        "temperature"),
                Arguments.of("temperature above 2", (UnaryOperator<JobRequest.Builder>) b -> b.temperature(2.01),
                        "temperature"),
                Arguments.of("temperature NaN", (UnaryOperator<JobRequest.Builder>) b -> b.temperature(Double.NaN),
                        "temperature"),
                Arguments.of("maxTokens zero", (UnaryOperator<JobRequest.Builder>) b -> b.maxTokens(0), "maxTokens"),
                Arguments.of("maxTokens negative", (UnaryOperator<JobRequest.Builder>) b -> b.maxTokens(-5), "maxTokens"),
                Arguments.of("maxTokens above cap", (UnaryOperator<JobRequest.Builder>) b -> b.maxTokens(4097),
                        "maxTokens"),
                Arguments.of("topP zero", (UnaryOperator<JobRequest.Builder>) b -> b.topP(0), "topP"),
                Arguments.of("empty stop sequence", (UnaryOperator<JobRequest.Builder>) b -> b.stop(""), "stop[1]"),
                Arguments.of("deadline in the past", (UnaryOperator<JobRequest.Builder>) b -> b.deadline(NOW.minusSeconds(1)),
                        "deadline"),
                Arguments.of("deadline now", (UnaryOperator<JobRequest.Builder>) b -> b.deadline(NOW), "deadline"),
                Arguments.of("deadline beyond year 9999", (UnaryOperator<JobRequest.Builder>) b -> b.deadline(
                        Instant.parse("+300000000-01-01T00:00:00Z")), "deadline"),
                Arguments.of("lone high surrogate in content", (UnaryOperator<JobRequest.Builder>) b -> b.user("a\ud800b"),
                        "messages[2].content"),
                Arguments.of("lone low surrogate in content", (UnaryOperator<JobRequest.Builder>) b -> b.user("\udc00"),
                        "messages[2].content"),
                Arguments.of("NUL in content", (UnaryOperator<JobRequest.Builder>) b -> b.user("a\u0000b"),
                        "messages[2].content"),
                Arguments.of("NUL in a stop sequence", (UnaryOperator<JobRequest.Builder>) b -> b.stop("\u0000"), "stop[1]"),
                Arguments.of("lone surrogate in an idempotency key",
                        (UnaryOperator<JobRequest.Builder>) b -> b.idempotencyKey("k\ud800"), "idempotencyKey"),
                Arguments.of("lone surrogate in an attribute value",
                        (UnaryOperator<JobRequest.Builder>) b -> b.attribute("x", "\ud800"), "attributes.x"),
                Arguments.of("NUL in an extra key", (UnaryOperator<JobRequest.Builder>) b -> b.extra("a\u0000", "1"), "extra"),
                Arguments.of("blank idempotency key", (UnaryOperator<JobRequest.Builder>) b -> b.idempotencyKey(" "),
                        "idempotencyKey"),
                Arguments.of("null attribute value", (UnaryOperator<JobRequest.Builder>) b -> b.attribute("x", null),
                        "attributes.x"));
    }

    @ParameterizedTest(name = "{0} is reported on {2}")
    @MethodSource("brokenRules")
    void reportsEachBrokenRuleOnItsField(String rule, UnaryOperator<JobRequest.Builder> breaker, String field) {
        List<Violation> violations = validator.validate(breaker.apply(valid()).build());

        assertThat(violations).extracting(Violation::field).containsExactly(field);
    }

    @Test
    void reportsEveryViolationInFieldOrder() {
        JobRequest request = JobRequest.builder().temperature(3).maxTokens(0).build();

        assertThat(validator.validate(request)).extracting(Violation::field)
                .containsExactly("tenant", "model", "messages", "temperature", "maxTokens");
    }

    @Test
    void rejectsTooManyMessages() {
        JobRequest.Builder builder = valid();
        IntStream.range(0, ValidationRules.DEFAULT_MAX_MESSAGES).forEach(i -> builder.user("m" + i));

        assertThat(validator.validate(builder.build())).extracting(Violation::field).containsExactly("messages");
    }

    @Test
    void acceptsTheLatestDeadlineAndSurrogatePairs() {
        assertThat(validator.validate(valid().deadline(ValidationRules.MAX_DEADLINE).user("emoji \ud83d\ude00").build()))
                .isEmpty();
    }

    @Test
    void modelNameIsBoundedInLengthAndCharactersEvenWithoutAnAllowList() {
        JobValidator open = JobValidator.of(ValidationRules.defaults());
        for (String ok : List.of("gpt-4o-mini", "meta/llama-3.1:8b", "org@model+v2_final.x", "a".repeat(128))) {
            assertThat(open.validate(valid().model(ok).deadline(null).build())).as(ok).isEmpty();
        }
        for (String bad : List.of("a".repeat(129), "gpt 4", "model\n", "mod\u00e9l", "x;drop", "m{a}", "m\"q")) {
            assertThat(open.validate(valid().model(bad).deadline(null).build())).as(bad)
                    .singleElement().satisfies(v -> {
                        assertThat(v.field()).isEqualTo("model");
                        assertThat(v.message()).contains("128");
                    });
        }
    }

    @Test
    void anyModelIsAllowedWithoutAnAllowList() {
        JobValidator open = JobValidator.of(ValidationRules.defaults());

        assertThat(open.validate(valid().model("anything").deadline(null).build())).isEmpty();
    }

    @Test
    void checkThrowsWithAllViolations() {
        assertThatThrownBy(() -> validator.check(valid().model(null).maxTokens(-1).build()))
                .isInstanceOfSatisfying(InvalidJobException.class, e -> {
                    assertThat(e.violations()).extracting(Violation::field).containsExactly("model", "maxTokens");
                    assertThat(e.retriable()).isFalse();
                    assertThat(e.reason()).isEqualTo(SubmitException.Reason.INVALID);
                });
    }

    @Test
    void jobIdMustBePresentAtMost128CharactersAndCleanText() {
        assertThat(JobValidator.validateJobId("5b0f7c53-8a9e-4e3d-9d3b-7a1e2c0f9a41")).isEmpty();
        assertThat(JobValidator.validateJobId("j".repeat(128))).isEmpty();
        assertThat(JobValidator.validateJobId("")).containsExactly(new Violation("jobId", "is required"));
        assertThat(JobValidator.validateJobId(null)).containsExactly(new Violation("jobId", "is required"));
        assertThat(JobValidator.validateJobId("j".repeat(129)))
                .containsExactly(new Violation("jobId", "must be at most 128 characters, but was 129"));
        assertThat(JobValidator.validateJobId("a\u0000b")).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("NUL"));
        assertThat(JobValidator.validateJobId("a\ud800b")).singleElement()
                .satisfies(v -> assertThat(v.message()).contains("lone surrogate"));
    }
}
