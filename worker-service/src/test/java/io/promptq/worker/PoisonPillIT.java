package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.schema.DeadLetter;
import io.promptq.schema.JobStatus;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.worker.kafka.WorkerHeaders;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Records that cannot be decoded go to the dead-letter topic with their raw bytes; the worker keeps going. */
@PromptqCluster
class PoisonPillIT {

    @Test
    void poisonPillsAreDeadLetteredWithRawBytesAndTheNextRecordsAreProcessed(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "poison", 1, 1)) {
            byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
            byte[] unknownSchema = {0, 0x7f, 0x7f, 0x7f, 0x7f, 2, 4, 6, 8};
            byte[] retryGarbage = {0, 1, 2, 3};

            kit.send(WorkerItKit.job("before"), 0);
            kit.sendRaw(kit.names.jobs(), 0, "g1".getBytes(StandardCharsets.UTF_8), garbage);
            kit.sendRaw(kit.names.jobs(), 0, "u1".getBytes(StandardCharsets.UTF_8), unknownSchema);
            kit.sendRaw(kit.names.jobs(), 0, "t1".getBytes(StandardCharsets.UTF_8), null);
            kit.send(WorkerItKit.job("after"), 0);
            kit.sendRaw(kit.names.retry(0), 0, "r1".getBytes(StandardCharsets.UTF_8), retryGarbage);

            WorkerService worker = kit.start("w1", Map.of(WorkerConfig.HTTP_ENABLED.name(), "true", WorkerConfig.HTTP_PORT.name(), "0"),
                    ItProvider.withLatency(Duration.ofMillis(5)));

            await().atMost(Duration.ofSeconds(30)).until(() -> kit.outcomes().deadLetters.size() >= 4
                    && kit.outcomes().hasAll(List.of("before", "after")));
            assertThat(kit.outcomes().result("before").getStatus()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(kit.outcomes().result("after").getStatus()).isEqualTo(JobStatus.SUCCEEDED);

            DeadLetter g = letter(kit, "g1");
            assertThat(g.getRawValue().array()).containsExactly(garbage);
            assertThat(g.getErrorType()).isEqualTo("UNKNOWN_MAGIC_BYTE");
            assertThat(g.getSourceTopic()).isEqualTo(kit.names.jobs());
            assertThat(g.getSourceOffset()).isEqualTo(1);
            assertThat(g.getAttempts()).isZero();
            DeadLetter u = letter(kit, "u1");
            assertThat(u.getRawValue().array()).containsExactly(unknownSchema);
            assertThat(u.getErrorType()).isEqualTo("UNKNOWN_SCHEMA_ID");
            assertThat(letter(kit, "t1").getErrorType()).isEqualTo("EMPTY_VALUE");
            DeadLetter r = letter(kit, "r1");
            assertThat(r.getSourceTopic()).isEqualTo(kit.names.retry(0));
            assertThat(r.getRawValue().array()).containsExactly(retryGarbage);
            assertThat(kit.outcomes().deadLetters).allSatisfy(l -> assertThat(
                    new String(l.headers().lastHeader(WorkerHeaders.DEAD_LETTER_REASON).value(), StandardCharsets.UTF_8))
                    .isEqualTo("UNDECODABLE"));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(kit.committed()).containsEntry(new TopicPartition(kit.names.jobs(), 0), 5L);
                assertThat(kit.committed()).containsEntry(new TopicPartition(kit.names.retry(0), 0), 1L);
            });
            assertThat(worker.stats().undecodable()).isEqualTo(4);
            assertThat(worker.isRunning()).isTrue();

            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + worker.httpPort();
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(base + "/health/ready")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"consumer\"");
            String metrics = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("promptq_worker_dead_letters_total{reason=\"undecodable\",worker=\"w1\"} 4.0")
                    .contains("promptq_worker_outcomes_total{status=\"succeeded\",worker=\"w1\"} 2.0")
                    .contains("promptq_worker_partitions_paused{reason=\"breaker\",worker=\"w1\"}")
                    .contains("promptq_worker_partition_jobs_in_flight{partition=\"0\"")
                    .contains("promptq_llm_call_seconds")
                    .contains("kafka_consumer_fetch_manager_records_lag_max");
            String stats = http.send(HttpRequest.newBuilder(URI.create(base + "/stats")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(stats).contains("\"undecodable\":4").contains("\"succeeded\":2");
        }
    }

    private static DeadLetter letter(WorkerItKit kit, String key) {
        return kit.outcomes().deadLetters.stream().map(WorkerItKit.Letter::letter)
                .filter(l -> key.equals(l.getJobId())).findFirst().orElseThrow();
    }
}
