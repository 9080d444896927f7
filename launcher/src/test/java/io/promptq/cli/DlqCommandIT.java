package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.AggregatorService;
import io.promptq.config.ConfigSource;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.RegistryConfig;
import io.promptq.registry.SchemaRegistryClient;
import io.promptq.schema.ChatMessage;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.GenerationParameters;
import io.promptq.schema.PromptJob;
import io.promptq.schema.Role;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.testkit.UniqueNames;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./promptq dlq list|show} against a running aggregator (with a read token) over a real broker. */
@PromptqCluster
class DlqCommandIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String TOKEN = "analyst-secret";

    @TempDir
    Path tmp;

    private record Run(int exit, String out, String err) {}

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = PromptqCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void listShowsATableOfDeadLettersAndShowPrintsTheJobOrTheRawBytesAsHex(ClusterInfo cluster) throws Exception {
        String suffix = UniqueNames.suffix();
        TopicNames names = new TopicNames("jobs-" + suffix, "retry-" + suffix, "dlq-" + suffix, "results-" + suffix,
                "totals-" + suffix, "windows-" + suffix);
        Map<String, String> env = new HashMap<>(names.toConfig());
        env.put(KafkaSettings.BOOTSTRAP_SERVERS.name(), cluster.bootstrapServers());
        env.put(SchemaRegistryKeys.URL.name(), cluster.schemaRegistryUrl());
        env.put(AggregatorConfig.APPLICATION_ID.name(), "agg-dlq-cli-" + suffix);
        env.put(AggregatorConfig.STATE_DIR.name(), tmp.toString());
        env.put(AggregatorConfig.HTTP_PORT.name(), "0");
        env.put(AggregatorConfig.COMMIT_INTERVAL.name(), "100ms");
        env.put(AggregatorConfig.TOPIC_PARTITIONS.name(), "2");
        env.put(AggregatorConfig.READ_TOKENS.name(), TOKEN);
        byte[] rawValue = {0x13, 0x37, (byte) 0xca, (byte) 0xfe};
        try (AggregatorService aggregator = AggregatorService.start(AggregatorConfig.from(ConfigSource.of(env)),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
                SchemaRegistryClient registry = SchemaRegistryClient.create(RegistryConfig.of(cluster.schemaRegistryUrl()))) {
            aggregator.awaitRunning(TIMEOUT);
            Topics topics = Topics.create(names, registry, true);
            RecordMetadata undecodable;
            try (KafkaProducer<String, DeadLetter> producer = new KafkaProducer<>(
                    KafkaSettings.of(cluster.bootstrapServers()).producerConfig("dlq-cli-it-" + suffix),
                    topics.deadLetters().keySerializer(), topics.deadLetters().valueSerializer())) {
                producer.send(new ProducerRecord<>(names.deadLetters(), "job-1", deadLetter("job-1", "PROVIDER_5XX",
                        Instant.parse("2026-11-01T10:00:00Z")).setJob(job("job-1")).build())).get();
                producer.send(new ProducerRecord<>(names.deadLetters(), "job-2", deadLetter("job-2", "TIMEOUT",
                        Instant.parse("2026-11-01T11:00:00Z")).setJob(job("job-2")).build())).get();
                undecodable = producer.send(new ProducerRecord<>(names.deadLetters(), "job-3", deadLetter("job-3",
                        "UNKNOWN_MAGIC_BYTE", Instant.parse("2026-11-01T12:00:00Z")).setAttempts(0)
                        .setRawKey(ByteBuffer.wrap("job-3".getBytes(StandardCharsets.UTF_8)))
                        .setRawValue(ByteBuffer.wrap(rawValue)).build())).get();
            }
            String url = aggregator.url().toString();

            Run refused = cli("dlq", "list", "--aggregator-url", url, "--token", "");
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.err()).contains("401");

            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(
                    cli("dlq", "list", "--aggregator-url", url, "--token", TOKEN).out()).contains("job-1", "job-2", "job-3"));
            Run list = cli("dlq", "list", "--aggregator-url", url, "--token", TOKEN);
            assertThat(list.exit()).isZero();
            List<String> lines = list.out().lines().toList();
            assertThat(lines.getFirst()).contains("id", "failed at", "reason", "model", "tenant", "attempts", "job", "message");
            assertThat(lines.get(1)).contains("job-3", "UNKNOWN_MAGIC_BYTE (undecodable)"); // newest first
            assertThat(lines.get(2)).contains("job-2", "TIMEOUT", "gpt", "acme");
            assertThat(lines.get(3)).contains("job-1", "PROVIDER_5XX");
            assertThat(list.out()).contains("scanned 3; no more dead letters")
                    .contains("by reason:").contains("TIMEOUT 1");

            Run filtered = cli("dlq", "list", "--aggregator-url", url, "--token", TOKEN, "--reason", "TIMEOUT");
            assertThat(filtered.out()).contains("job-2").doesNotContain("job-1 ").doesNotContain("job-3");
            Run paged = cli("dlq", "list", "--aggregator-url", url, "--token", TOKEN, "--limit", "1");
            assertThat(paged.out()).contains("job-3").contains("more: ./promptq dlq list --cursor ");

            String undecodableId = undecodable.partition() + "-" + undecodable.offset();
            Run showRaw = cli("dlq", "show", undecodableId, "--aggregator-url", url, "--token", TOKEN);
            assertThat(showRaw.exit()).as(showRaw.err()).isZero();
            assertThat(showRaw.out()).contains("the job could not be decoded")
                    .contains("raw value (hex):  " + HexFormat.of().formatHex(rawValue))
                    .contains("raw key (hex):    " + HexFormat.of().formatHex("job-3".getBytes(StandardCharsets.UTF_8)));

            String jobTwoId = lines.get(2).split("\\s+")[0];
            Run showJob = cli("dlq", "show", jobTwoId, "--aggregator-url", url, "--token", TOKEN);
            assertThat(showJob.out()).contains("job:").contains("\"jobId\" : \"job-2\"").contains("summarise this")
                    .contains("error:            failed: TIMEOUT");

            Run missing = cli("dlq", "show", "0-999999", "--aggregator-url", url, "--token", TOKEN);
            assertThat(missing.exit()).isEqualTo(1);
            assertThat(missing.err()).contains("no dead letter 0-999999");
        }
    }

    private static PromptJob job(String jobId) {
        return PromptJob.newBuilder().setJobId(jobId).setTenant("acme").setModel("gpt")
                .setMessages(List.of(new ChatMessage(Role.USER, "summarise this")))
                .setParameters(GenerationParameters.newBuilder().setTemperature(1.0).setMaxTokens(64).setTopP(null)
                        .setSeed(null).setStop(List.of()).setExtra(Map.of()).build())
                .setSubmittedAt(Instant.parse("2026-11-01T09:00:00Z")).setDeadline(null).setIdempotencyKey(null)
                .setPriority(0).setAttributes(Map.of()).build();
    }

    private static DeadLetter.Builder deadLetter(String jobId, String reason, Instant at) {
        return DeadLetter.newBuilder().setJobId(jobId).setErrorType(reason).setErrorMessage("failed: " + reason)
                .setAttempts(3).setSourceTopic("jobs").setSourcePartition(0).setSourceOffset(1).setFirstFailureAt(at)
                .setLastFailureAt(at).setWorkerId("worker-1");
    }
}
