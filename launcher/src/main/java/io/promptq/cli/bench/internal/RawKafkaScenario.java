package io.promptq.cli.bench.internal;

import io.promptq.cli.bench.BenchMath;
import io.promptq.cli.bench.BenchPlan;
import io.promptq.cli.bench.BenchReport;
import io.promptq.cli.bench.CpuBreakdown;
import io.promptq.kafka.KafkaSettings;
import io.promptq.registry.AvroSerdes;
import io.promptq.schema.PromptJob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Scenario 1, the raw Kafka baseline on the same broker: N records, each a serialized benchmark PromptJob keyed by
 * a job id, produced (the services' producer settings: acks=all, idempotent, linger 5 ms, 64 KiB batches) while
 * one consumer (the services' consumer settings, assigned all partitions) reads them. Rate = N ÷ (first send →
 * N-th record consumed): end to end and concurrent, like a job's way through the system. A warm-up round of N/10
 * runs first.
 */
public final class RawKafkaScenario {

    private RawKafkaScenario() {}

    public static BenchReport.Raw run(BenchCluster bench, BenchPlan plan, Consumer<String> log) throws InterruptedException {
        String topic = bench.name("raw", "records");
        bench.createTopics(List.of(new NewTopic(topic, plan.partitions(), (short) 1)));
        byte[] payload = serializedJob(bench, topic);
        log.accept(String.format("  %,d records of %d B on %d partitions ...", plan.rawMessages(), payload.length,
                plan.partitions()));
        KafkaSettings kafka = bench.kafka();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(kafka.producerConfig("promptq-bench-raw-producer"),
                new ByteArraySerializer(), new ByteArraySerializer());
                Counter counter = new Counter(kafka, topic)) {
            round(producer, counter, topic, payload, Math.max(1, plan.rawMessages() / 10), 0);
            ThreadCpu before = ThreadCpu.snapshot();
            long[] times = round(producer, counter, topic, payload, plan.rawMessages(), plan.rawMessages() / 10 + 1);
            ThreadCpu after = ThreadCpu.snapshot();
            long cpu = after.processSince(before);
            return new BenchReport.Raw(plan.rawMessages(), payload.length, plan.partitions(),
                    BenchMath.perSecond(plan.rawMessages(), times[1]), BenchMath.perSecond(plan.rawMessages(), times[0]),
                    BenchMath.cpuSecondsPerThousand(cpu, plan.rawMessages()),
                    CpuBreakdown.of(after.since(before), cpu, plan.rawMessages()));
        } finally {
            bench.deleteTopics(List.of(topic));
        }
    }

    /** @return nanoseconds until all were acknowledged, and until all were consumed */
    private static long[] round(KafkaProducer<byte[], byte[]> producer, Counter counter, String topic, byte[] payload,
            int messages, long keyBase) throws InterruptedException {
        long target = counter.consumed.get() + messages;
        counter.target(target);
        long start = System.nanoTime();
        for (int i = 0; i < messages; i++) {
            byte[] key = BenchJobs.jobId("raw", keyBase + i).getBytes(StandardCharsets.UTF_8);
            producer.send(new ProducerRecord<>(topic, key, payload));
        }
        producer.flush();
        long produced = System.nanoTime() - start;
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (counter.reachedAt == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("raw baseline: consumed " + counter.consumed.get() + " of " + target);
            }
            Thread.sleep(1);
        }
        return new long[] {produced, counter.reachedAt - start};
    }

    /** A PromptJob as the client writes it for a benchmark job, in the wire format. */
    static byte[] serializedJob(BenchCluster bench, String topic) {
        PromptJob job = BenchJobs.record("raw", 0, Instant.now());
        try (var serializer = AvroSerdes.specific(PromptJob.class, bench.registry(), true).serializer()) {
            return serializer.serialize(topic, job);
        }
    }

    /** Consumes the topic from the beginning and notes when the count reaches the target. */
    private static final class Counter implements AutoCloseable {
        final AtomicLong consumed = new AtomicLong();
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private volatile long target = Long.MAX_VALUE;
        volatile long reachedAt;
        private volatile boolean running = true;

        Counter(KafkaSettings kafka, String topic) {
            Map<String, Object> props = kafka.consumerConfig("unused", "promptq-bench-raw-consumer");
            props.remove(ConsumerConfig.GROUP_ID_CONFIG);
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            for (TopicPartition tp : partitions) {
                consumer.position(tp, Duration.ofSeconds(30));
            }
            thread = Thread.ofPlatform().name("promptq-bench-raw-consumer").daemon().start(this::loop);
        }

        void target(long value) {
            reachedAt = 0;
            target = value;
        }

        private void loop() {
            try {
                while (running) {
                    int n = consumer.poll(Duration.ofMillis(100)).count();
                    if (n > 0 && consumed.addAndGet(n) >= target && reachedAt == 0) {
                        reachedAt = System.nanoTime();
                    }
                }
            } catch (WakeupException e) {
                // closing
            } finally {
                consumer.close(CloseOptions.timeout(Duration.ofSeconds(2)));
            }
        }

        @Override
        public void close() {
            running = false;
            consumer.wakeup();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
