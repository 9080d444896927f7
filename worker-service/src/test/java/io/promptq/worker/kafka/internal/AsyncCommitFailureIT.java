package io.promptq.worker.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.promptq.testkit.ClusterInfo;
import io.promptq.testkit.PromptqCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A failed asynchronous offset commit on the real broker, under both group protocols: the classic consumer calls
 * back with the offsets and the error, the KIP-848 consumer with {@code null} offsets. Either way the callback (run
 * inside {@code poll}) must not throw - it once killed the poll loop with a NullPointerException - and the
 * position must be asked again at the next interval.
 */
@PromptqCluster
class AsyncCommitFailureIT {

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void failedAsyncCommitLeavesThePollThreadRunningAndThePositionToCommitAgain(String protocol, ClusterInfo cluster) {
        String topic = "commit-fail-" + protocol + "-" + System.nanoTime();
        cluster.createTopics(1, topic);
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, topic,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                return !consumer.assignment().isEmpty();
            });
            // Offsets of a topic the broker does not know: the group coordinator refuses the commit.
            PartitionState ghost = finished(new TopicPartition("no-such-topic-" + System.nanoTime(), 0), 2);
            AtomicLong clock = new AtomicLong(0);
            AtLeastOnceCommitter committer = new AtLeastOnceCommitter(consumer, new PollWaker(consumer, () -> false),
                    () -> new RecordingProducer(false), Duration.ofMillis(100), Duration.ofSeconds(5), clock::get);

            clock.addAndGet(100);
            committer.commitIfDue(List.of(ghost));
            assertThat(ghost.commitCandidate(1_000)).as("asked, in flight").isNull();

            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100)); // runs the callback of the failed commit
                return ghost.commitCandidate(1_000) != null;
            });
            assertThat(ghost.commitCandidate(1_000).offset()).as("the failed position is asked again").isEqualTo(2);
            consumer.poll(Duration.ofMillis(100));
        }
    }

    /** A partition whose records 0..count-1 all finished, without outputs. */
    private static PartitionState finished(TopicPartition tp, int count) {
        PartitionState s = new PartitionState(tp, false, 100, 100, 1_000);
        for (int o = 0; o < count; o++) {
            s.add(new ConsumerRecord<>(tp.topic(), tp.partition(), o, new byte[0], new byte[0]), 0);
        }
        for (int o = 0; o < count; o++) {
            PartitionState.Pending p = s.nextReady(0);
            s.started(p, Thread.currentThread());
            s.ended(p.seq(), true);
        }
        return s;
    }
}
