package io.promptq.producer.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobRequest;
import io.promptq.client.SubmitException;
import io.promptq.client.SubmitException.Reason;
import io.promptq.client.ValidationRules;
import io.promptq.http.OpsServer;
import io.promptq.kafka.KafkaSettings;
import io.promptq.producer.FakePromptqClient;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.producer.http.internal.JobsHandler;
import io.promptq.producer.metrics.ProducerMetrics;
import io.promptq.registry.RegistryConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadGeneratorTest {

    private final FakePromptqClient client = new FakePromptqClient(ValidationRules.defaults(), Duration.ofSeconds(5));

    @Test
    void publishesEveryJobWithBoundedInFlightSends() throws Exception {
        LoadSummary summary = LoadGenerator.create(LoadOptions.builder(500).maxInFlight(8).build(), LoadTarget.client(client))
                .run(LoadProgress.Listener.none());

        assertThat(summary.accepted()).isEqualTo(500);
        assertThat(summary.rejected()).isZero();
        assertThat(summary.latency().count()).isEqualTo(500);
        assertThat(summary.stopped()).isFalse();
        assertThat(client.published()).hasSize(500);
        assertThat(client.maxInFlight()).isBetween(1, 8);
    }

    @Test
    void countsRejectionsByReason() throws Exception {
        AtomicInteger n = new AtomicInteger();
        client.publisher(job -> n.incrementAndGet() % 4 == 0
                ? CompletableFuture.failedFuture(new SubmitException(Reason.UNAVAILABLE, "down", null))
                : client.receipt(job));

        LoadSummary summary = LoadGenerator.create(LoadOptions.defaults(100), LoadTarget.client(client))
                .run(LoadProgress.Listener.none());

        assertThat(summary.accepted()).isEqualTo(75);
        assertThat(summary.rejected()).isEqualTo(25);
        assertThat(summary.rejectedByReason()).containsExactlyEntriesOf(Map.of("unavailable", 25L));
    }

    @Test
    void progressEndsWithTheFinalCounts() throws Exception {
        List<LoadProgress> seen = new CopyOnWriteArrayList<>();

        LoadGenerator.create(LoadOptions.builder(50).progressInterval(Duration.ofMillis(10)).build(), LoadTarget.client(client))
                .run(seen::add);

        assertThat(seen).last().satisfies(p -> {
            assertThat(p.total()).isEqualTo(50);
            assertThat(p.accepted()).isEqualTo(50);
            assertThat(p.completed()).isEqualTo(50);
        });
    }

    @Test
    void promptsFromAJsonlFileAreCycledAndCompletedFromTheOptions(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("prompts.jsonl");
        Files.writeString(file, """
                "What is Kafka?"

                {"messages": [{"role": "user", "content": "Explain Avro"}], "maxTokens": 5}
                """);

        LoadGenerator.create(LoadOptions.builder(4).promptsFile(file).model("llama-3").tenant("acme").maxInFlight(1).build(), LoadTarget.client(client)).run(LoadProgress.Listener.none());

        List<JobRequest> jobs = client.published();
        assertThat(jobs).extracting(j -> j.messages().get(0).content())
                .containsExactly("What is Kafka?", "Explain Avro", "What is Kafka?", "Explain Avro");
        assertThat(jobs).allSatisfy(j -> {
            assertThat(j.model()).isEqualTo("llama-3");
            assertThat(j.tenant()).isEqualTo("acme");
        });
        assertThat(jobs.get(1).maxTokens()).isEqualTo(5);
        assertThat(jobs.get(0).maxTokens()).isEqualTo(LoadOptions.DEFAULT_MAX_TOKENS);
    }

    @Test
    void malformedPromptsFileNamesTheLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "\"ok\"\n{broken\n");

        assertThatThrownBy(() -> LoadGenerator.create(LoadOptions.builder(1).promptsFile(file).build(),
                LoadTarget.client(client)).run(LoadProgress.Listener.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2");
    }

    @Test
    void stopEndsDispatchingEarly() throws Exception {
        LoadGenerator generator = LoadGenerator.create(LoadOptions.builder(10_000).ratePerSecond(100).progressInterval(Duration.ofMillis(20)).build(), LoadTarget.client(client));
        List<Long> dispatchedAtStop = new ArrayList<>();

        LoadSummary summary = generator.run(p -> {
            if (dispatchedAtStop.isEmpty()) {
                dispatchedAtStop.add(p.dispatched());
                generator.stop();
            }
        });

        assertThat(summary.stopped()).isTrue();
        assertThat(summary.completed()).isLessThan(10_000);
    }

    @Test
    void publishesOverHttpSingleAndBatched() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        ProducerServiceConfig config = ProducerServiceConfig.defaults(ClientConfig.of(KafkaSettings.of("unused:9092"),
                RegistryConfig.of("http://unused:8081")));
        JobsHandler handler = new JobsHandler(client, config, ProducerMetrics.bind(registry));
        try (OpsServer server = OpsServer.start("127.0.0.1", 0, registry, app -> {
            app.post("/v1/jobs", handler::submit);
            app.post("/v1/jobs/batch", handler::submitBatch);
        })) {
            LoadTarget target = LoadTarget.http(URI.create("http://127.0.0.1:" + server.port()));

            LoadSummary single = LoadGenerator.create(LoadOptions.builder(40).maxInFlight(4).build(), target)
                    .run(LoadProgress.Listener.none());
            LoadSummary batched = LoadGenerator.create(LoadOptions.builder(95).batchSize(10).maxTokens(1_000_000).build(), target).run(LoadProgress.Listener.none());

            assertThat(single.accepted()).as(single.toString()).isEqualTo(40);
            assertThat(batched.rejected()).isEqualTo(95);
            assertThat(batched.rejectedByReason()).containsEntry("invalid", 95L);
            assertThat(batched.latency().count()).isEqualTo(10);
        }
    }
}
