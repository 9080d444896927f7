package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.FunctionCounter;
import io.promptq.kafka.TopicProvisioner;
import io.promptq.schema.PromptJob;
import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import io.promptq.topic.Idempotency;
import io.promptq.topic.JobHeaders;
import io.promptq.topic.PayloadHash;
import io.promptq.topic.TopicSpecs;
import io.promptq.worker.metrics.WorkerMetricNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The worker is the authority on idempotency keys: copies of one keyed job written to the jobs topic by racing
 * submitters (separate producer instances) cost one provider call and produce one result; a later resubmission
 * costs none; a copy with another payload is not run and counts as a conflict; and a worker that takes the
 * partition over (after a crash) restores what the first one recorded in the ledger and keeps skipping copies.
 * Real broker, real registry, provider calls counted per jobId.
 */
@PromptqCluster
class IdempotencyWorkerIT {

    private static final int PARTITIONS = 2;

    @Test
    void copiesOfAKeyedJobCostOneProviderCallAndOneResultAcrossResubmitsAndAWorkerTakeover(ClusterInfo cluster)
            throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "idem", PARTITIONS, 1)) {
            TopicProvisioner.create(cluster.admin()).ensure(
                    List.of(TopicSpecs.of(kit.names, PARTITIONS).idempotency(Idempotency.DEFAULT_WINDOW)));
            String jobId = keyedId("order-42");
            PromptJob first = keyedJob(jobId, "what is 6 x 7?");
            List<String> unkeyed = new ArrayList<>();

            // (a) five copies, as five submitters racing past their own checks would write them, among unkeyed jobs
            List<KafkaProducer<String, PromptJob>> racers = new ArrayList<>();
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                KafkaProducer<String, PromptJob> racer = new KafkaProducer<>(kit.producerConfig(kit.prefix + "-racer-" + i),
                        new StringSerializer(), kit.topics.jobs().valueSerializer());
                racers.add(racer);
                acks.add(racer.send(keyedRecord(kit, keyedJob(jobId, "what is 6 x 7?"))));
                PromptJob plain = WorkerItKit.job("plain-" + i);
                unkeyed.add(plain.getJobId());
                acks.add(racer.send(new ProducerRecord<>(kit.names.jobs(), plain.getJobId(), plain)));
            }
            for (Future<RecordMetadata> ack : acks) {
                ack.get(30, TimeUnit.SECONDS);
            }
            racers.forEach(KafkaProducer::close);

            ItProvider firstProvider = ItProvider.withLatency(Duration.ofMillis(20));
            WorkerService w1 = kit.start("w1", Map.of(), firstProvider);
            WorkerItKit.Outcomes outcomes = kit.outcomes();
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.results.containsKey(jobId)
                    && outcomes.hasAll(unkeyed));
            awaitAllCommitted(kit);

            assertThat(calls(firstProvider, jobId)).as("provider calls of the keyed job").isEqualTo(1);
            assertThat(outcomes.results.get(jobId)).as("results of the keyed job").hasSize(1);
            assertThat(unkeyed).allSatisfy(id -> assertThat(calls(firstProvider, id)).isEqualTo(1));
            assertThat(duplicates(kit, w1, false)).isEqualTo(4);

            // (b) resubmitted after its result: no call, no result
            kit.producer().send(keyedRecord(kit, keyedJob(jobId, "what is 6 x 7?"))).get(30, TimeUnit.SECONDS);
            awaitAllCommitted(kit);
            assertThat(duplicates(kit, w1, false)).isEqualTo(5);

            // (d) the same key with another payload: not run, counted as a conflict
            kit.producer().send(keyedRecord(kit, keyedJob(jobId, "something else entirely"))).get(30, TimeUnit.SECONDS);
            awaitAllCommitted(kit);
            assertThat(duplicates(kit, w1, true)).isEqualTo(1);
            assertThat(calls(firstProvider, jobId)).isEqualTo(1);

            // (c) the worker dies; a new one restores the ledger and still skips a seventh copy
            w1.crash();
            ItProvider secondProvider = ItProvider.withLatency(Duration.ofMillis(20));
            WorkerService w2 = kit.start("w2", Map.of(), secondProvider);
            PromptJob marker = WorkerItKit.job("after-takeover");
            kit.producer().send(keyedRecord(kit, keyedJob(jobId, "what is 6 x 7?"))).get(30, TimeUnit.SECONDS);
            kit.producer().send(new ProducerRecord<>(kit.names.jobs(), marker.getJobId(), marker)).get(30, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(60)).until(() -> outcomes.results.containsKey(marker.getJobId()));
            awaitAllCommitted(kit);
            await().atMost(Duration.ofSeconds(10)).until(() -> duplicates(kit, w2, false) == 1);

            assertThat(calls(secondProvider, jobId)).as("calls of the keyed job after the takeover").isZero();
            assertThat(outcomes.results.get(jobId)).as("still one result").hasSize(1);
            assertThat(outcomes.result(jobId).getOutput()).isEqualTo("answer to " + jobId);
            assertThat(first.getJobId()).isEqualTo(jobId);
        }
    }

    @Test
    void withoutALedgerKeyedJobsStillRunAtLeastOnce(ClusterInfo cluster) throws Exception {
        try (WorkerItKit kit = WorkerItKit.create(cluster, "noledger", 1, 1)) {
            String jobId = keyedId("no-ledger");
            kit.producer().send(keyedRecord(kit, keyedJob(jobId, "q"))).get(30, TimeUnit.SECONDS);
            kit.producer().send(keyedRecord(kit, keyedJob(jobId, "q"))).get(30, TimeUnit.SECONDS);
            ItProvider provider = ItProvider.withLatency(Duration.ofMillis(5));
            kit.start("w1", Map.of(), provider);

            await().atMost(Duration.ofSeconds(60)).until(() -> calls(provider, jobId) == 2);
            awaitAllCommitted(kit);
        }
    }

    /** A name-based (version 5) job id, as the submitters derive it from tenant + idempotency key. */
    private static String keyedId(String key) {
        StringBuilder id = new StringBuilder(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString());
        id.setCharAt(14, '5');
        return id.toString();
    }

    private static PromptJob keyedJob(String jobId, String question) {
        PromptJob job = TestJobs.job(jobId, "it-model", Instant.now(), null);
        job.setIdempotencyKey("key-of-" + jobId);
        job.getMessages().get(1).setContent(question);
        return job;
    }

    /** A keyed job record as the submitters write it: key = jobId, the payload hash in its header. */
    private static ProducerRecord<String, PromptJob> keyedRecord(WorkerItKit kit, PromptJob job) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(JobHeaders.PAYLOAD_HASH, PayloadHash.of(job).toBytes());
        return new ProducerRecord<>(kit.names.jobs(), null, job.getJobId(), job, headers);
    }

    private static int calls(ItProvider provider, String jobId) {
        List<Long> starts = provider.callStarts.get(jobId);
        return starts == null ? 0 : starts.size();
    }

    private static long duplicates(WorkerItKit kit, WorkerService worker, boolean conflict) {
        FunctionCounter counter = kit.meters(worker).find(WorkerMetricNames.JOBS_DUPLICATES)
                .tag(WorkerMetricNames.TAG_CONFLICT, Boolean.toString(conflict)).functionCounter();
        return counter == null ? 0 : (long) counter.count();
    }

    /** Waits until the group has committed every jobs partition to its end: every copy was decided. */
    private static void awaitAllCommitted(WorkerItKit kit) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Map<org.apache.kafka.common.TopicPartition, Long> committed = kit.committed();
            kit.jobsEndOffsets().forEach((tp, end) -> assertThat(committed.getOrDefault(tp, 0L)).as("%s", tp)
                    .isEqualTo(end));
        });
    }
}
