package io.promptq.worker.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.registry.SchemaRegistryClient;
import io.promptq.retry.Backoff;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.schema.PromptJob;
import io.promptq.testkit.MutableClock;
import io.promptq.topic.JobHeaders;
import io.promptq.topic.PayloadHash;
import io.promptq.topic.TopicNames;
import io.promptq.topic.Topics;
import io.promptq.worker.TestJobs;
import io.promptq.worker.kafka.DuplicateGate;
import io.promptq.worker.kafka.DuplicateGate.Admission;
import io.promptq.worker.kafka.DuplicateGate.Duplicate;
import io.promptq.worker.kafka.DuplicateGate.Run;
import io.promptq.worker.metrics.IdempotencyMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The worker's idempotency gate: its decisions, its bounds and its restore, with a fake ledger and clock. */
class IdempotencyGateTest {

    private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    private static final Duration WINDOW = Duration.ofHours(24);
    private static final TopicNames NAMES = TopicNames.defaults();
    private static final TopicPartition P0 = new TopicPartition(NAMES.jobs(), 0);

    private final Topics topics = Topics.create(NAMES, SchemaRegistryClient.inMemory(), true);
    private final MutableClock clock = new MutableClock(NOW);
    private final IdempotencyMetrics metrics = new IdempotencyMetrics("w1");
    private final FakeLedger ledger = new FakeLedger();
    private IdempotencyGate gate;

    @AfterEach
    void tearDown() {
        if (gate != null) {
            gate.close();
        }
    }

    private IdempotencyGate gate(int maxKeys) {
        gate = new IdempotencyGate(NAMES.jobs(), NAMES.idempotency(), WINDOW, maxKeys, clock,
                topics.jobs().valueDeserializer(), topics.idempotency().keySerializer(),
                topics.idempotency().valueSerializer(), ledger, metrics, Thread.ofVirtual().factory(),
                Backoff.fixed(Duration.ofMillis(1)).build());
        return gate;
    }

    private IdempotencyGate readyGate(int maxKeys) throws InterruptedException {
        IdempotencyGate g = gate(maxKeys);
        assign(g, P0);
        return g;
    }

    private static void assign(IdempotencyGate g, TopicPartition tp) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(1);
        g.assigned(tp, ready::countDown);
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(g.ready(tp)).isTrue();
    }

    /** A name-based (version 5) job id, as the submitters derive it from tenant + idempotency key. */
    private static String keyedId(String key) {
        StringBuilder id = new StringBuilder(UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString());
        id.setCharAt(14, '5');
        return id.toString();
    }

    private static PromptJob keyedJob(String jobId, String question, Instant submittedAt) {
        PromptJob job = TestJobs.job(jobId, submittedAt);
        job.setIdempotencyKey("key-of-" + jobId);
        job.getMessages().get(1).setContent(question);
        return job;
    }

    private ConsumerRecord<byte[], byte[]> record(long offset, PromptJob job, boolean withHashHeader) {
        RecordHeaders headers = new RecordHeaders();
        if (withHashHeader) {
            headers.add(JobHeaders.PAYLOAD_HASH, PayloadHash.of(job).toBytes());
        }
        byte[] value = topics.jobs().valueSerializer().serialize(NAMES.jobs(), job);
        return new ConsumerRecord<>(NAMES.jobs(), 0, offset, NOW.toEpochMilli(), TimestampType.CREATE_TIME, 36,
                value.length, job.getJobId().getBytes(StandardCharsets.UTF_8), value, headers, Optional.empty());
    }

    private ConsumerRecord<byte[], byte[]> keyed(long offset, String jobId, String question) {
        return record(offset, keyedJob(jobId, question, NOW), true);
    }

    private IdempotencyEntry ledgerEntry(Admission admission) {
        assertThat(admission).isInstanceOf(Run.class);
        ProducerRecord<byte[], byte[]> r = ((Run) admission).ledgerRecord();
        assertThat(r).isNotNull();
        assertThat(r.topic()).isEqualTo(NAMES.idempotency());
        return topics.idempotency().valueDeserializer().deserialize(r.topic(), r.value());
    }

    @Test
    void firstCopyOfAKeyedJobRunsAndRecordsItsLedgerEntryInTheJobsPartitionsNumber() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("order-42");

        Admission first = g.admit(keyed(7, id, "hello"));

        IdempotencyEntry entry = ledgerEntry(first);
        ProducerRecord<byte[], byte[]> r = ((Run) first).ledgerRecord();
        assertThat(r.partition()).isZero();
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(id);
        assertThat(entry.getJobId()).isEqualTo(id);
        assertThat(entry.getTenant()).isEqualTo("tenant-a");
        assertThat(entry.getIdempotencyKey()).isEqualTo("key-of-" + id);
        assertThat(entry.getPartition()).isZero();
        assertThat(entry.getOffset()).isEqualTo(7);
        assertThat(entry.getAcceptedAt()).isEqualTo(NOW);
        assertThat(PayloadHash.fromBytes(entry.getPayloadHash()))
                .isEqualTo(PayloadHash.of(keyedJob(id, "hello", NOW)));
    }

    private ConsumerRecord<byte[], byte[]> redriven(long offset, PromptJob job, int generation) {
        job.setRedrive(generation);
        ConsumerRecord<byte[], byte[]> r = record(offset, job, job.getIdempotencyKey() != null);
        r.headers().add(JobHeaders.REDRIVE, JobHeaders.redriveValue(generation));
        return r;
    }

    @Test
    void redriveOfAHigherGenerationRunsAsANewFirstCopyAndASecondCopyOfItIsADuplicate() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("order-43");
        ledgerEntry(g.admit(keyed(7, id, "hello")));

        IdempotencyEntry entry = ledgerEntry(g.admit(redriven(20, keyedJob(id, "hello", NOW), 1)));

        assertThat(entry.getRedrive()).isEqualTo(1);
        assertThat(entry.getOffset()).isEqualTo(20);
        assertThat(g.admit(redriven(21, keyedJob(id, "hello", NOW), 1))).isEqualTo(new Duplicate(20, false));
        assertThat(g.admit(keyed(22, id, "hello"))).isEqualTo(new Duplicate(20, false));
        assertThat(g.admit(redriven(20, keyedJob(id, "hello", NOW), 1))).isInstanceOf(Run.class);
        assertThat(g.admit(redriven(23, keyedJob(id, "hello", NOW), 2))).isInstanceOf(Run.class);
    }

    @Test
    void redrivenUnkeyedJobIsCheckedSoItsSecondCopyIsADuplicate() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = UUID.randomUUID().toString();

        assertThat(g.admit(redriven(5, TestJobs.job(id, NOW), 1))).isSameAs(Admission.RUN);
        assertThat(g.admit(redriven(6, TestJobs.job(id, NOW), 1))).isInstanceOf(Duplicate.class);
        assertThat(g.admit(redriven(7, TestJobs.job(id, NOW), 2))).isSameAs(Admission.RUN);
    }

    @Test
    void restoredRedriveEntryKeepsItsGeneration() throws Exception {
        String id = keyedId("order-44");
        PromptJob job = keyedJob(id, "hello", NOW);
        IdempotencyEntry restored = entry(id, 0, 30, NOW, job);
        restored.setRedrive(1);
        ledger.add(0, id, restored);
        IdempotencyGate g = readyGate(1000);

        assertThat(g.admit(redriven(31, keyedJob(id, "hello", NOW), 1))).isEqualTo(new Duplicate(30, false));
        assertThat(g.admit(redriven(32, keyedJob(id, "hello", NOW), 2))).isInstanceOf(Run.class);
    }

    @Test
    void laterCopyWithTheSamePayloadIsADuplicateWithoutConflict() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("order-42");
        g.admit(keyed(7, id, "hello"));

        Admission later = g.admit(keyed(9, id, "hello"));

        assertThat(later).isEqualTo(new Duplicate(7, false));
        assertThat(metrics.duplicates()).isEqualTo(1);
        assertThat(metrics.conflicts()).isZero();
    }

    @Test
    void firstCopyThatCannotBeDecodedNowStillMakesLaterCopiesDuplicates() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("order-42");
        ConsumerRecord<byte[], byte[]> decodable = keyed(7, id, "hello");
        // The same copy with a schema id the registry cannot resolve now (as while the registry is down).
        ConsumerRecord<byte[], byte[]> first = new ConsumerRecord<>(NAMES.jobs(), 0, 7, NOW.toEpochMilli(),
                TimestampType.CREATE_TIME, 36, 5, decodable.key(), new byte[] {0, 0, 0, 0x7f, 0x7f},
                decodable.headers(), Optional.empty());

        Admission admitted = g.admit(first);
        Admission later = g.admit(keyed(9, id, "hello"));

        assertThat(admitted).isInstanceOf(Run.class);
        assertThat(((Run) admitted).ledgerRecord()).as("no ledger entry without the decoded job").isNull();
        assertThat(later).isEqualTo(new Duplicate(7, false));
    }

    @Test
    void laterCopyWithAnotherPayloadIsADuplicateCountedAsConflict() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("order-42");
        g.admit(keyed(7, id, "hello"));

        Admission later = g.admit(keyed(9, id, "something else"));

        assertThat(later).isEqualTo(new Duplicate(7, true));
        assertThat(metrics.conflicts()).isEqualTo(1);
        assertThat(metrics.duplicates()).isZero();
    }

    @Test
    void firstCopyRedeliveredAtItsOwnOffsetRunsAgainWithoutANewEntry() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("order-42");
        g.admit(keyed(7, id, "hello"));

        assertThat(g.admit(keyed(7, id, "hello"))).isSameAs(Admission.RUN);
        assertThat(metrics.duplicates() + metrics.conflicts()).isZero();
    }

    @Test
    void unkeyedJobsRunWithoutBeingRecorded() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = UUID.randomUUID().toString();
        PromptJob job = TestJobs.job(id, NOW);

        assertThat(g.admit(record(3, job, false))).isSameAs(Admission.RUN);
        assertThat(g.admit(record(4, job, false))).isSameAs(Admission.RUN);
    }

    @Test
    void keyedJobWithoutTheHashHeaderIsHashedFromItsPayload() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("old-client");
        ledgerEntry(g.admit(record(1, keyedJob(id, "hello", NOW), false)));

        assertThat(g.admit(record(2, keyedJob(id, "hello", NOW), false))).isEqualTo(new Duplicate(1, false));
        assertThat(g.admit(record(3, keyedJob(id, "other", NOW), false))).isEqualTo(new Duplicate(1, true));
    }

    @Test
    void copyAfterTheWindowRunsAsANewFirstCopy() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("order-42");
        g.admit(keyed(7, id, "hello"));

        clock.advance(WINDOW.plusSeconds(1));
        Admission again = g.admit(record(50, keyedJob(id, "hello", clock.instant()), true));

        assertThat(ledgerEntry(again).getOffset()).isEqualTo(50);
        assertThat(g.admit(record(51, keyedJob(id, "hello", clock.instant()), true))).isEqualTo(new Duplicate(50, false));
    }

    @Test
    void atMaxKeysThePartitionForgetsTheOldestJobFirst() throws Exception {
        IdempotencyGate g = readyGate(2);
        String a = keyedId("a");
        String b = keyedId("b");
        String c = keyedId("c");
        g.admit(keyed(1, a, "q"));
        g.admit(keyed(2, b, "q"));
        g.admit(keyed(3, c, "q"));

        assertThat(metrics.evictions()).isEqualTo(1);
        assertThat(g.admit(keyed(4, c, "q"))).isEqualTo(new Duplicate(3, false));
        assertThat(ledgerEntry(g.admit(keyed(5, a, "q"))).getOffset()).isEqualTo(5);
    }

    @Test
    void restoredLedgerMakesLaterCopiesDuplicatesAndLetsTheFirstCopyRun() throws Exception {
        String j = keyedId("j");
        String expired = keyedId("expired");
        String deleted = keyedId("deleted");
        ledger.add(0, j, entry(j, 0, 5, NOW.minusSeconds(60), keyedJob(j, "hello", NOW)));
        ledger.add(0, expired, entry(expired, 0, 6, NOW.minus(WINDOW).minusSeconds(1), keyedJob(expired, "q", NOW)));
        ledger.add(0, deleted, entry(deleted, 0, 7, NOW, keyedJob(deleted, "q", NOW)));
        ledger.add(0, deleted, null);
        IdempotencyGate g = readyGate(1000);

        assertThat(g.admit(keyed(5, j, "hello"))).isSameAs(Admission.RUN);
        assertThat(g.admit(keyed(9, j, "hello"))).isEqualTo(new Duplicate(5, false));
        assertThat(ledgerEntry(g.admit(keyed(10, expired, "q"))).getOffset()).isEqualTo(10);
        assertThat(ledgerEntry(g.admit(keyed(11, deleted, "q"))).getOffset()).isEqualTo(11);
    }

    @Test
    void partitionIsNotReadyUntilItsLedgerPartitionIsRead() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ledger.blockUntil = release;
        IdempotencyGate g = gate(1000);
        CountDownLatch ready = new CountDownLatch(1);

        g.assigned(P0, ready::countDown);

        assertThat(ready.await(200, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(g.ready(P0)).isFalse();
        release.countDown();
        assertThat(ready.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(g.ready(P0)).isTrue();
    }

    @Test
    void failedRestoreIsTriedAgainUntilItWorks() throws Exception {
        ledger.failures.set(2);
        String j = keyedId("j");
        ledger.add(0, j, entry(j, 0, 5, NOW, keyedJob(j, "hello", NOW)));

        IdempotencyGate g = readyGate(1000);

        assertThat(ledger.reads.get()).isEqualTo(3);
        assertThat(g.admit(keyed(9, j, "hello"))).isEqualTo(new Duplicate(5, false));
    }

    @Test
    void withoutALedgerKeyedJobsRunUnrecorded() throws Exception {
        ledger.missing = true;
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("order-42");

        assertThat(g.admit(keyed(7, id, "hello"))).isSameAs(Admission.RUN);
        assertThat(g.admit(keyed(8, id, "hello"))).isSameAs(Admission.RUN);
    }

    @Test
    void revokedPartitionForgetsItsKeysAndIsRestoredAgainOnTheNextAssignment() throws Exception {
        IdempotencyGate g = readyGate(1000);
        String id = keyedId("order-42");
        g.admit(keyed(7, id, "hello")); // its ledger entry was never committed

        g.revoked(P0);
        assign(g, P0);

        assertThat(ledgerEntry(g.admit(keyed(7, id, "hello"))).getOffset()).isEqualTo(7);
        assertThat(ledger.reads.get()).isEqualTo(2);
    }

    @Test
    void nameBasedIdsAreRecognisedByTheirVersionDigit() {
        assertThat(IdempotencyGate.nameBased(keyedId("k").getBytes(StandardCharsets.UTF_8))).isTrue();
        StringBuilder hmacId = new StringBuilder(keyedId("k"));
        hmacId.setCharAt(14, '8');
        assertThat(IdempotencyGate.nameBased(hmacId.toString().getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(IdempotencyGate.nameBased(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(IdempotencyGate.nameBased("short".getBytes(StandardCharsets.UTF_8))).isFalse();
        assertThat(DuplicateGate.NONE.admit(keyed(1, keyedId("k"), "q"))).isSameAs(Admission.RUN);
    }

    private static IdempotencyEntry entry(String jobId, int partition, long offset, Instant acceptedAt, PromptJob job) {
        return IdempotencyEntry.newBuilder().setJobId(jobId).setTenant(job.getTenant())
                .setIdempotencyKey(job.getIdempotencyKey()).setPayloadHash(ByteBuffer.wrap(PayloadHash.of(job).toBytes()))
                .setAcceptedAt(acceptedAt).setPartition(partition).setOffset(offset).build();
    }

    /** A ledger in memory: entries per partition in order; can be missing, fail or block. */
    private static final class FakeLedger implements IdempotencyGate.Ledger {
        private final Map<Integer, List<Map.Entry<String, @Nullable IdempotencyEntry>>> partitions = new HashMap<>();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        volatile boolean missing;
        volatile @Nullable CountDownLatch blockUntil;

        void add(int partition, String jobId, @Nullable IdempotencyEntry entry) {
            partitions.computeIfAbsent(partition, p -> new ArrayList<>())
                    .add(new java.util.AbstractMap.SimpleEntry<>(jobId, entry));
        }

        @Override
        public boolean read(int partition, IdempotencyGate.Sink sink, BooleanSupplier cancelled) throws Exception {
            reads.incrementAndGet();
            CountDownLatch block = blockUntil;
            if (block != null) {
                block.await();
            }
            if (failures.getAndDecrement() > 0) {
                throw new org.apache.kafka.common.errors.TimeoutException("broker away");
            }
            if (missing) {
                return false;
            }
            for (Map.Entry<String, @Nullable IdempotencyEntry> e : partitions.getOrDefault(partition, List.of())) {
                sink.accept(e.getKey(), e.getValue());
            }
            return true;
        }

        @Override
        public void close() {}
    }
}
