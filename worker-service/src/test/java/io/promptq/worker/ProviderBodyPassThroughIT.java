package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.config.ConfigSource;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.ResilienceConfig;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobStatus;
import io.promptq.schema.PromptJob;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.OpenAiStub;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A real worker calling an OpenAI-compatible stub over HTTP, its results read back from a real broker: the result of
 * a batch line's job (attribute {@code promptq.batch}) carries the exact body the provider sent, so the batch's
 * output file can pass it through; the result of an ordinary job carries none.
 */
@PromptqCluster
class ProviderBodyPassThroughIT {

    @Test
    void aBatchJobsResultCarriesTheProvidersExactBodyAndAnOrdinaryJobsResultNone(ClusterInfo cluster) {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "body", 2, 1);
                OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant())) {
            stub.keepCompletions(true);
            Map<String, String> overrides = new HashMap<>();
            overrides.put(LlmConfig.PROVIDER.name(), "openai");
            overrides.put(LlmConfig.OPENAI_BASE_URL.name(), stub.baseUrl());
            overrides.put(ResilienceConfig.BREAKER_ENABLED.name(), "false");
            overrides.put(WorkerConfig.WORKER_ID.name(), "w-body");
            WorkerItKit.Outcomes outcomes = kit.outcomes();

            try (WorkerService worker = WorkerService.start(WorkerConfig.from(ConfigSource.of(kit.env(overrides))),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT))) {
                PromptJob batchLine = WorkerItKit.job("batch-line-" + kit.prefix);
                batchLine.setAttributes(Map.of("promptq.batch", "batch_0000000000000123456789abcdef",
                        "promptq.batch.custom_id", "request-1", "promptq.batch.line", "1"));
                PromptJob ordinary = WorkerItKit.job("ordinary-" + kit.prefix);
                kit.send(batchLine, null);
                kit.send(ordinary, null);

                await().atMost(Duration.ofSeconds(120)).until(() -> outcomes.results.containsKey(batchLine.getJobId())
                        && outcomes.results.containsKey(ordinary.getJobId()));

                JobResult batchResult = outcomes.result(batchLine.getJobId());
                assertThat(batchResult.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
                assertThat(stub.lastCompletion(batchLine.getJobId())).as("the stub's body").isNotNull();
                assertThat(batchResult.getResponseBody()).isEqualTo(stub.lastCompletion(batchLine.getJobId()));
                assertThat(batchResult.getAttributes()).containsEntry("promptq.batch.custom_id", "request-1");
                JobResult ordinaryResult = outcomes.result(ordinary.getJobId());
                assertThat(ordinaryResult.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
                assertThat(stub.lastCompletion(ordinary.getJobId())).isNotNull();
                assertThat(ordinaryResult.getResponseBody()).isNull();
                assertThat(stub.calls(batchLine.getJobId())).isEqualTo(1);
            }
        }
    }
}
