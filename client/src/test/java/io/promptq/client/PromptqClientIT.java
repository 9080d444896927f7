package io.promptq.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.TopicReader;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.Topic;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.assertj.core.data.TemporalUnitWithinOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@PromptqCluster
class PromptqClientIT {

    private final String topic = UniqueNames.of("promptq.jobs.client-it");
    private ClusterInfo cluster;
    private PromptqClient client;
    private SchemaRegistryClient registry;

    @BeforeEach
    void start(ClusterInfo cluster) {
        this.cluster = cluster;
        cluster.createTopics(3, topic);
        TopicNames names = new TopicNames(topic, TopicNames.DEFAULT_RETRY_PREFIX, TopicNames.DEFAULT_DEAD_LETTERS,
                TopicNames.DEFAULT_RESULTS, TopicNames.DEFAULT_TOTALS, TopicNames.DEFAULT_WINDOWS);
        client = PromptqClient.create(KafkaSettings.of(cluster.bootstrapServers()),
                RegistryConfig.of(cluster.schemaRegistryUrl()), names, ValidationRules.builder().maxTokensCap(2048).build());
        registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()));
    }

    @AfterEach
    void stop() {
        client.close();
        registry.close();
    }

    @Test
    void submittedJobIsReadBackEqualAtTheReceiptsPosition() throws Exception {
        Instant deadline = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
        JobRequest request = JobRequest.builder().tenant("acme").model("gpt-4o-mini").system("You are terse.")
                .user("Name three primes.").temperature(0.3).maxTokens(100).seed(11L).stop("\n\n")
                .deadline(deadline).idempotencyKey("client-it-1").priority(1).attribute("source", "it").build();

        SubmitReceipt receipt = client.submit(request).get(30, TimeUnit.SECONDS);

        assertThat(receipt.topic()).isEqualTo(topic);
        assertThat(receipt.jobId()).isEqualTo(JobIds.derive("acme", "client-it-1").toString());
        ConsumerRecord<String, PromptJob> record = readAt(receipt.partition(), receipt.offset());
        assertThat(record.key()).isEqualTo(receipt.jobId());
        PromptJob expected = PromptJob.newBuilder()
                .setJobId(receipt.jobId()).setTenant("acme").setModel("gpt-4o-mini")
                .setMessages(List.of(new ChatMessage(Role.SYSTEM, "You are terse."),
                        new ChatMessage(Role.USER, "Name three primes.")))
                .setParameters(GenerationParameters.newBuilder().setTemperature(0.3).setMaxTokens(100).setSeed(11L)
                        .setTopP(null).setStop(List.of("\n\n")).setExtra(Map.of()).build())
                .setSubmittedAt(record.value().getSubmittedAt())
                .setDeadline(deadline).setIdempotencyKey("client-it-1").setPriority(1)
                .setAttributes(Map.of("source", "it"))
                .build();
        assertThat(record.value()).isEqualTo(expected);
        assertThat(record.value().getSubmittedAt()).isCloseTo(Instant.now(), new TemporalUnitWithinOffset(1, ChronoUnit.MINUTES));
    }

    @Test
    void invalidJobCompletesExceptionallyWithItsViolationsAndWritesNoRecord() {
        JobRequest request = JobRequest.builder().tenant("acme").model("").user("hi").maxTokens(4096).build();

        assertThatThrownBy(() -> client.submit(request).get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(InvalidJobException.class, e -> assertThat(e.violations())
                        .extracting(Violation::field).containsExactly("model", "maxTokens"));
        assertThat(endOffsets()).isZero();
    }

    private ConsumerRecord<String, PromptJob> readAt(int partition, long offset) {
        Topic<String, PromptJob> jobs = Topics.create(new TopicNames(topic, TopicNames.DEFAULT_RETRY_PREFIX,
                TopicNames.DEFAULT_DEAD_LETTERS, TopicNames.DEFAULT_RESULTS, TopicNames.DEFAULT_TOTALS,
                TopicNames.DEFAULT_WINDOWS), registry, false).jobs();
        return TopicReader.recordAt(cluster.bootstrapServers(), new TopicPartition(topic, partition), offset,
                jobs.keyDeserializer(), jobs.valueDeserializer());
    }

    private long endOffsets() {
        try (KafkaConsumer<String, PromptJob> consumer = new KafkaConsumer<>(
                KafkaSettings.of(cluster.bootstrapServers()).consumerConfig(UniqueNames.of("it"), "it-reader"),
                new StringDeserializer(),
                Topics.create(TopicNames.defaults(), registry, false).jobs().valueDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
