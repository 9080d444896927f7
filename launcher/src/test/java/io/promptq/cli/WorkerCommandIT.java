package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.cli.internal.ResultWatcher;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobRequest;
import io.promptq.client.PromptqClient;
import io.promptq.client.SubmitReceipt;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.llm.LlmConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.JvmProcess;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import io.promptq.worker.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.junit.jupiter.api.Test;

/**
 * {@code ./promptq worker} started twice is two replicas of one consumer group, each its own JVM running the
 * launcher's main as the script does: both join the group with distinct ids and share the partitions, every job
 * submitted gets a result, and SIGTERM stops each one cleanly with exit status 0 (the worker main's contract).
 */
@PromptqCluster
class WorkerCommandIT {

    private static final int JOBS = 20;

    @Test
    void twoWorkerCommandsAreTwoReplicasOfOneGroupThatFinishEveryJobAndExitZeroOnSigterm(ClusterInfo cluster)
            throws Exception {
        String jobs = UniqueNames.of("promptq.jobs.worker-cmd");
        String group = UniqueNames.of("promptq-workers-cmd");
        Map<String, String> env = new HashMap<>();
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.put(TopicNames.JOBS.name(), jobs);
        env.put(TopicNames.RETRY_PREFIX.name(), jobs + ".retry");
        env.put(TopicNames.DEAD_LETTERS.name(), jobs + ".dlq");
        env.put(TopicNames.RESULTS.name(), jobs + ".results");
        env.put(WorkerConfig.GROUP_ID.name(), group);
        env.put(WorkerConfig.TOPIC_PARTITIONS.name(), "4");
        env.put(WorkerConfig.HTTP_PORT.name(), "0");
        env.put(LlmConfig.SIM_LATENCY.name(), "fixed:20ms");
        ConfigSource config = ConfigSource.of(env);

        try (JvmProcess first = worker("worker-command-it-1", env);
                JvmProcess second = worker("worker-command-it-2", env)) {
            first.awaitLog("started: group " + group, Duration.ofSeconds(60));
            second.awaitLog("started: group " + group, Duration.ofSeconds(60));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                ConsumerGroupDescription description = cluster.admin().describeConsumerGroups(List.of(group))
                        .describedGroups().get(group).get();
                assertThat(description.members()).as("members of " + group).hasSize(2)
                        .allSatisfy(m -> assertThat(m.assignment().topicPartitions()).isNotEmpty())
                        .extracting(MemberDescription::clientId).doesNotHaveDuplicates();
            });

            ClientConfig clientConfig = ClientConfig.from(config);
            List<CompletableFuture<SubmitReceipt>> sent = new ArrayList<>();
            try (PromptqClient client = PromptqClient.create(clientConfig)) {
                for (int i = 0; i < JOBS; i++) {
                    sent.add(client.submit(JobRequest.builder().tenant("acme").model("mock-1").user("job " + i)
                            .maxTokens(16).build()));
                }
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
            }
            Topics topics = Topics.create(clientConfig.topics(), SchemaRegistryClient.create(clientConfig.registry()),
                    false);
            try (ResultWatcher results = ResultWatcher.start(clientConfig.kafka(), topics, 0)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> results.snapshot().finished() == JOBS);
                assertThat(results.snapshot().succeeded()).isEqualTo(JOBS);
            }

            assertThat(first.stop(Duration.ofSeconds(30))).as(first.log()).isZero();
            assertThat(second.stop(Duration.ofSeconds(30))).as(second.log()).isZero();
        }
    }

    private static JvmProcess worker(String name, Map<String, String> env) {
        return JvmProcess.builder(PromptqCli.class.getName())
                .name(name)
                .args("worker")
                .jvmArgs("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
                .env(env)
                .logFile(Path.of("target", name + ".log"))
                .start();
    }
}
