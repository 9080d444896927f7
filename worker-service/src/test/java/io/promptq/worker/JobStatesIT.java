package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobRequest;
import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitReceipt;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicSpec;
import io.promptq.llm.ErrorClass;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.ResilienceConfig;
import io.promptq.schema.JobResult;
import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.OpenAiStub;
import io.promptq.testkit.PromptqCluster;
import io.promptq.topic.Idempotency;
import io.promptq.topic.JobLifecycle;
import io.promptq.topic.TopicSpecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * A job's lifecycle on the status topic, written by the real client library and a real worker (exactly-once
 * outcomes) against a real broker and an OpenAI-compatible stub: QUEUED by the submitter, RUNNING(1) when the
 * first call reaches the provider, RETRYING(1) with the retry record when that call fails with 503, RUNNING(2) for
 * the retried call, which succeeds - and nothing else; an idempotent resubmission writes no second QUEUED.
 */
@PromptqCluster
class JobStatesIT {

    @Test
    void aJobThatFailsOnceAndThenSucceedsLeavesQueuedRunningRetryingRunningOnTheStatusTopic(ClusterInfo cluster)
            throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "states", 2, 1);
                OpenAiStub stub = OpenAiStub.start(OpenAiStub.Behaviour.instant())) {
            List<TopicSpec> topics = new ArrayList<>(TopicSpecs.of(kit.names, 2).lifecycle(JobLifecycle.DEFAULT_RETENTION));
            topics.add(TopicSpecs.of(kit.names, 2).idempotency(Idempotency.DEFAULT_WINDOW));
            TopicProvisioner.create(cluster.admin()).ensure(topics);
            Map<String, String> overrides = new HashMap<>();
            overrides.put(LlmConfig.PROVIDER.name(), "openai");
            overrides.put(LlmConfig.OPENAI_BASE_URL.name(), stub.baseUrl());
            overrides.put(ResilienceConfig.BREAKER_ENABLED.name(), "false");
            overrides.put(WorkerConfig.LOCAL_RETRIES.name(), "0");
            overrides.put(WorkerConfig.TRANSACTIONS.name(), "true");
            Map<String, String> env = kit.env(overrides);
            env.put(WorkerConfig.WORKER_ID.name(), "w-states");
            stub.outage(OpenAiStub.Outage.UNAVAILABLE_503);

            try (WorkerService worker = WorkerService.start(WorkerConfig.from(ConfigSource.of(env)),
                    new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                    PromptqClient client = PromptqClient.create(ClientConfig.from(ConfigSource.of(env)))) {
                JobRequest request = JobRequest.builder().tenant("acme").model("it-model").user("what is 6 x 7?")
                        .idempotencyKey("states-" + kit.prefix).build();
                SubmitReceipt receipt = client.submit(request).get(30, TimeUnit.SECONDS);
                String jobId = receipt.jobId();

                await().atMost(Duration.ofSeconds(60)).until(() -> stub.calls(jobId) >= 1);
                stub.outage(OpenAiStub.Outage.NONE);
                WorkerItKit.Outcomes outcomes = kit.outcomes();
                await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.results.containsKey(jobId));
                SubmitReceipt again = client.submit(request).get(30, TimeUnit.SECONDS);

                assertThat(again.duplicate()).as("the resubmission is answered from the idempotency index").isTrue();
                JobResult result = outcomes.result(jobId);
                assertThat(result.getStatus()).isEqualTo(JobStatus.SUCCEEDED);
                assertThat(result.getAttempts()).isEqualTo(2);
                assertThat(stub.calls(jobId)).isEqualTo(2);
                List<JobStateChange> states = statesOf(kit, env, jobId);
                assertThat(states).extracting(JobStateChange::getState, JobStateChange::getAttempt).containsExactly(
                        tuple(JobState.QUEUED, 0),
                        tuple(JobState.RUNNING, 1),
                        tuple(JobState.RETRYING, 1),
                        tuple(JobState.RUNNING, 2));
                assertThat(states.getFirst().getAt()).isEqualTo(result.getSubmittedAt());
                assertThat(states.get(1).getWorkerId()).isEqualTo("w-states");
                JobStateChange retrying = states.get(2);
                assertThat(retrying.getErrorClass()).isEqualTo(ErrorClass.SERVER_ERROR.name());
                assertThat(retrying.getNextAttemptAt()).isAfter(retrying.getAt());
                assertThat(states.get(3).getAt()).isAfterOrEqualTo(retrying.getNextAttemptAt());
                assertThat(states).allSatisfy(s -> assertThat(s.getTenant()).isEqualTo("acme"));
            }
        }
    }

    /** Every committed change of {@code jobId} on the status topic, read up to its end, in topic order. */
    private static List<JobStateChange> statesOf(WorkerItKit kit, Map<String, String> env, String jobId) {
        Map<String, Object> props = KafkaSettings.of(kit.cluster.bootstrapServers()).consumerConfig(kit.prefix + "-reader",
                kit.prefix + "-status-reader", Map.of());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<JobStateChange> states = new ArrayList<>();
        String topic = kit.topics.status().name();
        try (KafkaConsumer<String, JobStateChange> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                kit.topics.status().valueDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                assertThat(System.nanoTime()).as("reading %s to its end", topic).isLessThan(deadline);
                for (ConsumerRecord<String, JobStateChange> r : consumer.poll(Duration.ofMillis(200))) {
                    if (jobId.equals(r.key())) {
                        states.add(r.value());
                    }
                }
            }
        }
        return states;
    }
}
