package io.promptq.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PayloadHashTest {

    /**
     * The vectors were computed by an independent implementation of the documented encoding (Python's hashlib and
     * struct), so they pin the encoding itself, not just this class's output.
     */
    @Test
    void hashesTheDocumentedCanonicalEncodingToFixedVectors() {
        assertThat(PayloadHash.of(base().build())).hasToString(
                "cd1ff9e89430bfdb0973567021fb6ba297015594e1744a3453c949ea9ff3dd77");

        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("presence_penalty", "0.5");
        extra.put("a", "b");
        PromptJob full = base().setMessages(List.of(new ChatMessage(Role.USER, "Grüße, 世界")))
                .setParameters(GenerationParameters.newBuilder().setTemperature(0.2).setMaxTokens(64).setTopP(0.9)
                        .setSeed(42L).setStop(List.of("END", "\n\n")).setExtra(extra).build())
                .build();
        assertThat(PayloadHash.of(full)).hasToString(
                "1d257c0f210c66db0d50ba3ce71e91531ef63a25714ea1d44bcb965b94e7c350");
    }

    @Test
    void ignoresWhatAResubmissionMayRecompute() {
        PromptJob first = base().build();
        PromptJob resubmitted = base().setJobId("another-id").setSubmittedAt(Instant.parse("2026-12-01T00:00:00Z"))
                .setDeadline(Instant.parse("2026-12-02T00:00:00Z")).setPriority(9).setIdempotencyKey("other-key")
                .setAttributes(Map.of("trace", "abc")).build();

        assertThat(PayloadHash.of(resubmitted)).isEqualTo(PayloadHash.of(first));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerVisibleChanges")
    void changesWithEveryFieldTheProviderSees(String field, Consumer<PromptJob.Builder> change) {
        PromptJob.Builder changed = base();
        change.accept(changed);

        assertThat(PayloadHash.of(changed.build())).as(field).isNotEqualTo(PayloadHash.of(base().build()));
    }

    static List<Object[]> providerVisibleChanges() {
        List<Object[]> cases = new ArrayList<>();
        cases.add(change("tenant", b -> b.setTenant("acme2")));
        cases.add(change("model", b -> b.setModel("gpt-4o")));
        cases.add(change("message content", b -> b.setMessages(List.of(new ChatMessage(Role.SYSTEM, "Be brief."),
                new ChatMessage(Role.USER, "Hello!")))));
        cases.add(change("message role", b -> b.setMessages(List.of(new ChatMessage(Role.USER, "Be brief."),
                new ChatMessage(Role.USER, "Hello")))));
        cases.add(change("message order", b -> b.setMessages(List.of(new ChatMessage(Role.USER, "Hello"),
                new ChatMessage(Role.SYSTEM, "Be brief.")))));
        cases.add(change("a message boundary", b -> b.setMessages(List.of(new ChatMessage(Role.SYSTEM, "Be brief.Hello")))));
        cases.add(change("temperature", b -> b.setParameters(params().setTemperature(0.9).build())));
        cases.add(change("maxTokens", b -> b.setParameters(params().setMaxTokens(1023).build())));
        cases.add(change("topP", b -> b.setParameters(params().setTopP(1.0).build())));
        cases.add(change("seed", b -> b.setParameters(params().setSeed(0L).build())));
        cases.add(change("stop", b -> b.setParameters(params().setStop(List.of("END")).build())));
        cases.add(change("extra", b -> b.setParameters(params().setExtra(Map.of("logprobs", "true")).build())));
        return cases;
    }

    @Test
    void readsTheMapOfExtraParametersInKeyOrderAndZeroWithoutSign() {
        Map<String, String> ab = new LinkedHashMap<>();
        ab.put("a", "1");
        ab.put("b", "2");
        Map<String, String> ba = new LinkedHashMap<>();
        ba.put("b", "2");
        ba.put("a", "1");

        assertThat(PayloadHash.of(base().setParameters(params().setExtra(ab).build()).build()))
                .isEqualTo(PayloadHash.of(base().setParameters(params().setExtra(ba).build()).build()));
        assertThat(PayloadHash.of(base().setParameters(params().setTemperature(-0.0).build()).build()))
                .isEqualTo(PayloadHash.of(base().setParameters(params().setTemperature(0.0).build()).build()));
    }

    @Test
    void roundTripsThroughTheHeaderAsThirtyTwoRawBytes() {
        PayloadHash hash = PayloadHash.of(base().build());
        RecordHeaders headers = new RecordHeaders();
        headers.add(JobHeaders.PAYLOAD_HASH, hash.toBytes());

        assertThat(hash.toBytes()).hasSize(32);
        assertThat(JobHeaders.payloadHash(headers)).contains(hash);
        assertThat(PayloadHash.fromBytes(hash.toByteBuffer())).isEqualTo(hash);
    }

    @Test
    void aMissingOrMalformedHeaderIsNoHash() {
        RecordHeaders shortValue = new RecordHeaders();
        shortValue.add(JobHeaders.PAYLOAD_HASH, new byte[31]);

        assertThat(JobHeaders.payloadHash(new RecordHeaders())).isEmpty();
        assertThat(JobHeaders.payloadHash(shortValue)).isEmpty();
        assertThat(JobHeaders.payloadHash(null)).isEmpty();
        assertThatThrownBy(() -> PayloadHash.fromBytes(new byte[31])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("32").hasMessageContaining("31");
    }

    private static Object[] change(String field, Consumer<PromptJob.Builder> change) {
        return new Object[] {field, change};
    }

    private static GenerationParameters.Builder params() {
        return GenerationParameters.newBuilder().setTemperature(1.0).setMaxTokens(1024).setTopP(null).setSeed(null)
                .setStop(List.of()).setExtra(Map.of());
    }

    private static PromptJob.Builder base() {
        return PromptJob.newBuilder()
                .setJobId("5f2a3b0e-0000-5000-8000-000000000001")
                .setTenant("acme")
                .setModel("gpt-4o-mini")
                .setMessages(List.of(new ChatMessage(Role.SYSTEM, "Be brief."), new ChatMessage(Role.USER, "Hello")))
                .setParameters(params().build())
                .setSubmittedAt(Instant.parse("2026-11-22T12:00:00Z"))
                .setDeadline(null)
                .setIdempotencyKey("order-42")
                .setPriority(0)
                .setAttributes(Map.of());
    }
}
