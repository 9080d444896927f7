package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.worker.kafka.JobOutput;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

/**
 * Outputs and offsets in one transaction: what a commit writes (offsets with the metadata naming finished records
 * and start counts, never naming a record whose output is not committed), what an aborted one keeps, refused records
 * and their fallbacks, a fenced producer, and partitions given up.
 */
class TransactionalCommitterTest {

    private static final TopicPartition P0 = new TopicPartition("jobs", 0);
    private static final TopicPartition P1 = new TopicPartition("jobs", 1);
    private static final long INTERVAL = 100;
    private static final long PAST_ANY_BACKOFF = 60_000;

    private final RecordingConsumer consumer = new RecordingConsumer();
    private final List<RecordingProducer> producers = new ArrayList<>();
    private final AtomicLong monotonicMillis = new AtomicLong(1_000);
    private final AssignedPartitions partitions = new AssignedPartitions();
    private final TransactionalCommitter committer = new TransactionalCommitter(consumer,
            new PollWaker(consumer, () -> false), this::newProducer,
            Duration.ofMillis(INTERVAL), Duration.ofSeconds(1), monotonicMillis::get);

    /** Whether new producers are denied writing the results topic (an ACL). */
    private volatile boolean resultsDenied;

    private RecordingProducer newProducer() {
        RecordingProducer p = new RecordingProducer(true, consumer.groupOffsets);
        if (resultsDenied) {
            p.refusal = new TopicAuthorizationException(Set.of("results"));
            p.refuse = r -> resultsDenied;
        }
        producers.add(p);
        return p;
    }

    private RecordingProducer producer() {
        return producers.getLast();
    }

    /** A partition with records at offsets 0..{@code count-1}, of which {@code finished} ones are done. */
    private PartitionState partition(TopicPartition tp, int count, long... finished) {
        PartitionState.Pending[] pending = started(tp, count);
        for (long o : finished) {
            finish(tp, pending[(int) o]);
        }
        return partitions.get(tp);
    }

    /** A partition with records at offsets 0..{@code count-1}, all started and none finished yet. */
    private PartitionState.Pending[] started(TopicPartition tp, int count) {
        PartitionState s = new PartitionState(tp, false, 100, 100, 1_000);
        PartitionState.Pending[] pending = new PartitionState.Pending[count];
        for (int o = 0; o < count; o++) {
            s.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[0], new byte[0]), 0);
        }
        for (int o = 0; o < count; o++) {
            pending[o] = s.nextReady(0);
            s.started(pending[o], Thread.currentThread());
        }
        partitions.add(s);
        return pending;
    }

    /** The job of {@code p} finished: its output (keyed {@code tp@offset}) waits for the next commit. */
    private void finish(TopicPartition tp, PartitionState.Pending p) {
        PartitionState s = partitions.get(tp);
        long offset = p.record().offset();
        s.ended(p.seq(), true);
        s.awaitCommit(new JobCompletion(s, p.seq(), offset, output(tp + "@" + offset)));
    }

    /** One record keyed {@code key}; if refused, its fallback is one record keyed {@code key + "-fallback"}. */
    private static JobOutput output(String key) {
        return JobOutput.of(List.of(record(key)), () -> JobOutput.of(List.of(record(key + "-fallback"))));
    }

    private static ProducerRecord<byte[], byte[]> record(String key) {
        return new ProducerRecord<>("results", key.getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }

    private void nextInterval() {
        monotonicMillis.addAndGet(INTERVAL);
    }

    @Test
    void startRegistersTheTransactionalProducer() {
        committer.start();

        assertThat(producer().transactionInitialized()).isTrue();
    }

    @Test
    void outputsAndOffsetsAreCommittedInOneTransaction() {
        committer.start();
        PartitionState s = partition(P0, 4, 0, 1, 3);
        partition(P1, 1, 0);
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(producer().transactions).hasValue(1);
        assertThat(producer().visibleKeys()).containsExactly(P0 + "@0", P0 + "@1", P0 + "@3", P1 + "@0");
        assertThat(producer().committedOffsets).isEqualTo(Map.of(P0, 2L, P1, 1L));
        assertThat(s.uncommittedOutputs()).isEmpty();
        assertThat(consumer.commitAsyncCalls).hasValue(0);
        assertThat(consumer.commitSyncCalls).hasValue(0);
    }

    @Test
    void commitWaitsForTheInterval() {
        committer.start();
        partition(P0, 1, 0);

        committer.commitIfDue(partitions.all());

        assertThat(producer().transactions).hasValue(0);
        assertThat(committer.millisUntilDue()).isEqualTo(INTERVAL);
    }

    @Test
    void nothingPendingOpensNoTransaction() {
        committer.start();
        partition(P0, 0);
        nextInterval();

        committer.commitIfDue(partitions.all());
        nextInterval();
        partition(P1, 1, 0);
        committer.commitIfDue(partitions.all());
        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(producer().transactions).hasValue(1);
        assertThat(producer().transactionInFlight()).isFalse();
    }

    @Test
    void abortedCommitKeepsTheOutputsAndWritesThemOnceAtTheNextAttempt() {
        committer.start();
        PartitionState s = partition(P0, 2, 0, 1);
        producer().refusal = new TimeoutException("broker busy");
        producer().refuse = r -> new String(r.key(), StandardCharsets.UTF_8).equals(P0 + "@1");
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(producer().aborts).hasValue(1);
        assertThat(producer().visible).isEmpty();
        assertThat(producer().committedOffsets).isEmpty();
        assertThat(s.uncommittedOutputs()).hasSize(2);
        assertThat(committer.millisUntilDue()).as("backs off, at least an interval").isGreaterThanOrEqualTo(INTERVAL);

        producer().refuse = r -> false;
        monotonicMillis.addAndGet(PAST_ANY_BACKOFF);
        committer.commitIfDue(partitions.all());

        assertThat(producers).as("an abortable failure keeps the producer").hasSize(1);
        assertThat(producer().visibleKeys()).containsExactly(P0 + "@0", P0 + "@1");
        assertThat(producer().committedOffsets).isEqualTo(Map.of(P0, 2L));
    }

    @Test
    void timedOutCommitIsSettledByRetryingItAndItsOutputsAreNeverWrittenTwice() {
        committer.start();
        PartitionState s = partition(P0, 2, 0, 1);
        producer().commitTransactionException = new TimeoutException("coordinator slow");
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(producer().aborts).as("a commit that may still land is not aborted").hasValue(0);
        assertThat(producer().visible).isEmpty();
        assertThat(s.uncommittedOutputs()).hasSize(2);

        producer().commitTransactionException = null;
        monotonicMillis.addAndGet(PAST_ANY_BACKOFF);
        committer.commitIfDue(partitions.all());
        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(producer().visibleKeys()).containsExactly(P0 + "@0", P0 + "@1");
        assertThat(producer().committedOffsets).isEqualTo(Map.of(P0, 2L));
        assertThat(producer().transactions).as("the retried commit, no second one").hasValue(1);
        assertThat(s.uncommittedOutputs()).isEmpty();
    }

    @Test
    void staleGenerationAbortsTheTransactionAndKeepsTheOutputs() {
        committer.start();
        PartitionState s = partition(P0, 1, 0);
        producer().sendOffsetsToTransactionException = new CommitFailedException("generation moved on");
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(producer().aborts).hasValue(1);
        assertThat(producer().visible).isEmpty();
        assertThat(s.uncommittedOutputs()).hasSize(1);
    }

    @Test
    void resultsTopicDeniedKeepsTheOutputsPausesIntakeAndResumesOnceAllowedAgain() {
        resultsDenied = true;
        committer.start();
        PartitionState s = partition(P0, 2, 0, 1);
        nextInterval();

        committer.commitIfDue(partitions.all());
        monotonicMillis.addAndGet(PAST_ANY_BACKOFF);
        committer.commitIfDue(partitions.all());

        assertThat(s.uncommittedOutputs()).as("a paid outcome is kept, not dead-lettered").hasSize(2);
        assertThat(producers.stream().flatMap(p -> p.visibleKeys().stream())).isEmpty();
        assertThat(committer.publishFault()).contains("TopicAuthorizationException");

        resultsDenied = false;
        monotonicMillis.addAndGet(PAST_ANY_BACKOFF);
        committer.commitIfDue(partitions.all());

        assertThat(committer.publishFault()).isNull();
        assertThat(producer().visibleKeys()).containsExactly(P0 + "@0", P0 + "@1");
        assertThat(producer().committedOffsets).isEqualTo(Map.of(P0, 2L));
    }

    @Test
    void recordThatCanNeverBeEncodedIsReplacedByItsJobsFallback() {
        committer.start();
        partition(P0, 2, 0, 1);
        producer().refusal = new SerializationException("cannot encode");
        producer().refuse = r -> new String(r.key(), StandardCharsets.UTF_8).equals(P0 + "@1");
        nextInterval();

        committer.commitIfDue(partitions.all());
        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(producer().visibleKeys()).containsExactly(P0 + "@0", P0 + "@1-fallback");
        assertThat(committer.publishFault()).isNull();
    }

    @Test
    void recordRefusedAsTooLargeIsReplacedByItsJobsFallbackInTheRetry() {
        committer.start();
        partition(P0, 3, 0, 1, 2);
        producer().refuse = r -> new String(r.key(), StandardCharsets.UTF_8).equals(P0 + "@1");
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(producer().aborts).hasValue(1);
        assertThat(producer().visible).isEmpty();

        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(producer().visibleKeys()).containsExactly(P0 + "@0", P0 + "@1-fallback", P0 + "@2");
        assertThat(producer().committedOffsets).isEqualTo(Map.of(P0, 3L));
    }

    @Test
    void refusedOutputWithoutFallbackIsDroppedAndTheOthersAreCommitted() {
        committer.start();
        PartitionState s = partition(P0, 2, 0);
        s.uncommittedOutputs().add(new JobCompletion(s, 99, 1, JobOutput.of(List.of(record("no-fallback")))));
        producer().refuse = r -> new String(r.key(), StandardCharsets.UTF_8).equals("no-fallback");

        assertThat(committer.commitFinal(partitions.all(), "revocation")).isTrue();

        assertThat(producer().visibleKeys()).containsExactly(P0 + "@0");
    }

    @Test
    void finalCommitUsesTheFallbackAtOnce() {
        committer.start();
        partition(P0, 2, 0, 1);
        producer().refuse = r -> new String(r.key(), StandardCharsets.UTF_8).equals(P0 + "@0");

        assertThat(committer.commitFinal(partitions.all(), "revocation")).isTrue();

        assertThat(producer().visibleKeys()).containsExactly(P0 + "@0-fallback", P0 + "@1");
        assertThat(producer().committedOffsets).isEqualTo(Map.of(P0, 2L));
    }

    @Test
    void fencedProducerIsReplacedAndOutputsOfPartitionsNoLongerOwnedAreDropped() {
        committer.start();
        partition(P0, 1, 0);
        PartitionState revoked = partition(P1, 1, 0);
        RecordingProducer fenced = producer();
        fenced.fenceProducer();
        nextInterval();

        committer.commitIfDue(partitions.all());
        revoked.abandon();
        partitions.remove(revoked);
        monotonicMillis.addAndGet(PAST_ANY_BACKOFF);
        committer.commitIfDue(partitions.all());

        assertThat(fenced.closed()).isTrue();
        assertThat(fenced.visible).isEmpty();
        assertThat(producers).hasSize(2);
        assertThat(producer().transactionInitialized()).isTrue();
        assertThat(producer().visibleKeys()).containsExactly(P0 + "@0");
        assertThat(producer().committedOffsets).isEqualTo(Map.of(P0, 1L));
    }

    @Test
    void finalCommitCoversOnlyTheGivenPartitions() {
        committer.start();
        PartitionState leaving = partition(P0, 1, 0);
        PartitionState staying = partition(P1, 1, 0);

        committer.commitFinal(List.of(leaving), "revocation");

        assertThat(producer().committedOffsets).isEqualTo(Map.of(P0, 1L));
        assertThat(staying.uncommittedOutputs()).hasSize(1);
    }

    @Test
    void abandonedPartitionIsNeverCommitted() {
        committer.start();
        PartitionState s = partition(P0, 2, 0, 1);
        s.abandon();
        nextInterval();

        committer.commitIfDue(partitions.all());
        committer.commitFinal(partitions.all(), "shutdown");

        assertThat(producer().transactions).hasValue(0);
        assertThat(producer().visible).isEmpty();
    }

    @Test
    void failedFinalCommitReportsFailureAndLeavesThePositionUncommitted() {
        committer.start();
        PartitionState s = partition(P0, 1, 0);
        producer().commitTransactionException = new TimeoutException("broker gone");

        assertThat(committer.commitFinal(partitions.all(), "shutdown")).isFalse();

        assertThat(producer().visible).isEmpty();
        assertThat(s.finalCommitCandidate()).isEqualTo(1);
    }

    @Test
    void offsetsSentToTheTransactionCarryTheFinishedRecordsAboveThePositionAndTheStartCounts() {
        committer.start();
        partition(P0, 4, 1, 2);
        nextInterval();

        committer.commitIfDue(partitions.all());

        assertThat(producer().consumerGroupOffsetsHistory()).singleElement().satisfies(byGroup -> {
            OffsetAndMetadata sent = byGroup.get(consumer.groupMetadata().groupId()).get(P0);
            assertThat(sent.offset()).isZero();
            assertThat(CommitMetadata.finished(sent)).containsExactly(1L, 2L);
            assertThat(CommitMetadata.starts(sent)).isEqualTo(Map.of(0L, 1, 3L, 1));
        });
    }

    @Test
    void recordFinishingAboveAStuckOneIsCommittedThoughThePositionStays() {
        committer.start();
        PartitionState.Pending[] p = started(P0, 3);
        finish(P0, p[1]);
        nextInterval();
        committer.commitIfDue(partitions.all());

        finish(P0, p[2]);
        nextInterval();
        committer.commitIfDue(partitions.all());
        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(producer().transactions).as("one per change, none without").hasValue(2);
        OffsetAndMetadata last = producer().groupOffsets.get(P0);
        assertThat(last.offset()).isZero();
        assertThat(CommitMetadata.finished(last)).containsExactly(1L, 2L);
        assertThat(producer().visibleKeys()).containsExactly(P0 + "@1", P0 + "@2");
    }

    @Test
    void metadataNeverNamesAsFinishedARecordWhoseOutputIsNotInThisOrAnEarlierCommit() {
        committer.start();
        PartitionState.Pending[] p = started(P0, 7);
        finish(P0, p[1]);
        finish(P0, p[2]);
        nextInterval();
        committer.commitIfDue(partitions.all());
        // record 3's output fails transiently: that transaction aborts, record 4 finishes meanwhile
        finish(P0, p[3]);
        producer().refusal = new TimeoutException("broker busy");
        producer().refuse = r -> new String(r.key(), StandardCharsets.UTF_8).equals(P0 + "@3");
        nextInterval();
        committer.commitIfDue(partitions.all());
        finish(P0, p[4]);
        producer().refuse = r -> false;
        monotonicMillis.addAndGet(PAST_ANY_BACKOFF);
        committer.commitIfDue(partitions.all());
        // record 5's output is refused for good: its fallback is written instead
        finish(P0, p[5]);
        producer().refusal = new RecordTooLargeException("too large");
        producer().refuse = r -> new String(r.key(), StandardCharsets.UTF_8).equals(P0 + "@5");
        nextInterval();
        committer.commitIfDue(partitions.all());
        nextInterval();
        committer.commitIfDue(partitions.all());
        finish(P0, p[0]);
        nextInterval();
        committer.commitIfDue(partitions.all());

        assertThat(producer().commitLog).hasSizeGreaterThanOrEqualTo(4);
        for (RecordingProducer.Commit c : producer().commitLog) {
            OffsetAndMetadata o = c.offsets().get(P0);
            if (o == null) {
                continue;
            }
            for (long f : CommitMetadata.finished(o)) {
                assertThat(c.visibleKeys()).as("commit %s names %s finished", o, f)
                        .containsAnyOf(P0 + "@" + f, P0 + "@" + f + "-fallback");
            }
            for (long f = 0; f < o.offset(); f++) {
                assertThat(c.visibleKeys()).as("commit %s passes %s", o, f)
                        .containsAnyOf(P0 + "@" + f, P0 + "@" + f + "-fallback");
            }
        }
        assertThat(producer().visibleKeys())
                .containsExactly(P0 + "@1", P0 + "@2", P0 + "@3", P0 + "@4", P0 + "@5-fallback", P0 + "@0");
        assertThat(producer().groupOffsets.get(P0).offset()).isEqualTo(6);
    }

    @Test
    void timedOutCommitThatChangedOnlyTheMetadataAndDidNotLandKeepsItsOutputs() {
        committer.start();
        PartitionState.Pending[] p = started(P0, 3);
        finish(P0, p[1]);
        nextInterval();
        committer.commitIfDue(partitions.all());
        finish(P0, p[2]);
        producer().commitTransactionException = new TimeoutException("coordinator slow");
        nextInterval();
        committer.commitIfDue(partitions.all());

        // Retrying the commit fails otherwise: the producer is replaced and the group's offsets decide. They are
        // at the same position as the unknown commit but with the older metadata: it did not land.
        producer().commitTransactionException = new KafkaException("producer broken");
        monotonicMillis.addAndGet(PAST_ANY_BACKOFF);
        committer.commitIfDue(partitions.all());
        monotonicMillis.addAndGet(PAST_ANY_BACKOFF);
        committer.commitIfDue(partitions.all());

        List<String> visible = producers.stream().flatMap(pr -> pr.visibleKeys().stream()).toList();
        assertThat(visible).as("record 2's output is written, once").containsExactly(P0 + "@1", P0 + "@2");
        OffsetAndMetadata committed = consumer.groupOffsets.get(P0);
        assertThat(committed.offset()).isZero();
        assertThat(CommitMetadata.finished(committed)).containsExactly(1L, 2L);
    }

    @Test
    void crashClosesTheProducerWithoutCommitting() {
        committer.start();
        partition(P0, 1, 0);

        committer.close(true);

        assertThat(producer().closed()).isTrue();
        assertThat(producer().transactions).hasValue(0);
    }
}
