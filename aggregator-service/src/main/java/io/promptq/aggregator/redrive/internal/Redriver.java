package io.promptq.aggregator.redrive.internal;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.promptq.aggregator.redrive.ActionRequest;
import io.promptq.aggregator.redrive.ActionResult;
import io.promptq.schema.ConsoleAction;
import io.promptq.schema.ConsoleAudit;
import io.promptq.schema.DeadLetter;
import io.promptq.schema.DeadLetterMark;
import io.promptq.schema.DeadLetterMarkType;
import io.promptq.schema.JobState;
import io.promptq.schema.JobStateChange;
import io.promptq.schema.PromptJob;
import io.promptq.topic.JobHeaders;
import io.promptq.topic.PayloadHash;
import io.promptq.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one redrive or purge: reads the marks (compacted topic, start to end), then the selected dead letters - by id,
 * one seek each, or a filter's scan of the dead-letter topic from {@code since} (by timestamp) to the end offsets
 * taken at the start, one record at a time, never all in memory - and for each: refused if undecodable or already
 * marked; otherwise (unless a dry run) paced by a Resilience4j {@link RateLimiter} (one permit per {@code 1 s /
 * rate}, so {@code n} redrives take about {@code (n - 1) / rate} seconds), republished to the jobs topic with the
 * next redrive generation ({@link JobHeaders#REDRIVE}, the payload-hash header when keyed) after a QUEUED state of
 * that generation (acknowledged first, so the job view sees it before the worker's RUNNING), and marked. One
 * audit record at the end. Not thread-safe: one action at a time.
 */
public final class Redriver {

    private static final Logger log = LoggerFactory.getLogger(Redriver.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final @Nullable Function<String, @Nullable DeadLetterMark> storedMarks;
    private final Topics topics;
    private final Producer<byte[], byte[]> producer;
    private final java.util.function.Supplier<KafkaConsumer<byte[], byte[]>> consumers;
    private final Clock clock;
    private final Duration timeout;

    /**
     * @param producer writes jobs, states, marks and audits (idempotent)
     * @param consumers a new read_committed consumer without a group, closed by the caller of each
     */
    public Redriver(Topics topics, Producer<byte[], byte[]> producer,
            java.util.function.Supplier<KafkaConsumer<byte[], byte[]>> consumers, Clock clock, Duration timeout) {
        this(topics, producer, consumers, clock, timeout, null);
    }

    /**
     * As {@link #Redriver(Topics, Producer, java.util.function.Supplier, Clock, Duration)}, looking each dead
     * letter's mark up in {@code storedMarks} (the aggregator's marks store) instead of reading the whole marks topic
     * for every action.
     *
     * @param storedMarks the mark of a dead letter id, or null; null: read the marks topic per action
     */
    public Redriver(Topics topics, Producer<byte[], byte[]> producer,
            java.util.function.Supplier<KafkaConsumer<byte[], byte[]>> consumers, Clock clock, Duration timeout,
            @Nullable Function<String, @Nullable DeadLetterMark> storedMarks) {
        this.storedMarks = storedMarks;
        this.topics = topics;
        this.producer = producer;
        this.consumers = consumers;
        this.clock = clock;
        this.timeout = timeout;
    }

    /** Progress of a running action, read by other threads. */
    public static final class Progress {
        final String auditId;
        final ConsoleAction action;
        final boolean dryRun;
        volatile long matched;
        volatile long done;
        volatile long refusedCount;
        final List<ActionResult.Refusal> refused = new ArrayList<>();
        volatile boolean finished;
        volatile String error = "";

        public Progress(String auditId, ConsoleAction action, boolean dryRun) {
            this.auditId = auditId;
            this.action = action;
            this.dryRun = dryRun;
        }

        synchronized void refuse(String id, String reason) {
            refusedCount++;
            if (refused.size() < ActionResult.MAX_REFUSED) {
                refused.add(new ActionResult.Refusal(id, reason));
            }
        }

        /** A snapshot. */
        public synchronized ActionResult result() {
            return new ActionResult(auditId, action.name(), dryRun, finished, matched, done, refusedCount,
                    List.copyOf(refused), error);
        }
    }

    /** Runs {@code request} as {@code actor}, updating {@code progress}; writes the audit record at the end. */
    public void run(ActionRequest request, int rate, String actor, String filterJson, Progress progress) {
        RateLimiter limiter = RateLimiter.of("console-" + progress.auditId, RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofNanos(1_000_000_000L / rate))
                .timeoutDuration(Duration.ofDays(1))
                .build());
        try (KafkaConsumer<byte[], byte[]> consumer = consumers.get()) {
            // the marks this action writes are seen at once; older ones come from the store (or the topic)
            Map<String, DeadLetterMark> marks = storedMarks == null ? readMarks(consumer) : new HashMap<>();
            Consumer<ConsumerRecord<byte[], byte[]>> each = r -> act(r, request.filter(), marks, limiter, progress);
            if (request.filter() == null) {
                for (String id : new LinkedHashSet<>(request.ids())) {
                    ConsumerRecord<byte[], byte[]> r = readOne(consumer, id, progress);
                    if (r != null) {
                        each.accept(r);
                    }
                }
            } else {
                scan(consumer, request.filter(), each);
            }
            producer.flush();
        } catch (RuntimeException e) {
            log.warn("Console {} {} failed: {}", progress.action, progress.auditId, e.toString());
            progress.error = e.toString();
        } finally {
            ConsoleAudit audit = new ConsoleAudit(progress.auditId, progress.action, actor, clock.instant(),
                    filterJson, progress.matched, progress.done, progress.dryRun);
            String topic = topics.consoleAudit().name();
            try {
                producer.send(new ProducerRecord<>(topic, key(progress.auditId),
                        topics.consoleAudit().valueSerializer().serialize(topic, audit)));
                producer.flush();
            } catch (RuntimeException e) {
                log.warn("Audit record {} not written: {}", progress.auditId, e.toString());
            }
            progress.finished = true;
            log.info("Console {} {} by {}: matched {}, done {}, refused {}{}", progress.action, progress.auditId,
                    actor, progress.matched, progress.done, progress.refusedCount, progress.dryRun ? " (dry run)" : "");
        }
    }

    private void act(ConsumerRecord<byte[], byte[]> r, ActionRequest.@Nullable Filter filter,
            Map<String, DeadLetterMark> marks, RateLimiter limiter, Progress progress) {
        String id = r.partition() + "-" + r.offset();
        DeadLetter dl;
        try {
            dl = topics.deadLetters().valueDeserializer().deserialize(r.topic(), r.headers(), r.value());
        } catch (RuntimeException e) {
            if (filter == null) {
                progress.matched++;
                progress.refuse(id, "the dead-letter record cannot be decoded: " + e.getMessage());
            }
            return;
        }
        if (dl == null) {
            return;
        }
        PromptJob job = dl.getJob();
        if (filter != null && !filter.matches(dl.getErrorType(), job == null ? null : job.getModel(),
                job == null ? null : job.getTenant(), dl.getLastFailureAt().toEpochMilli())) {
            return;
        }
        progress.matched++;
        DeadLetterMark mark = marks.get(id);
        if (mark == null && storedMarks != null) {
            mark = storedMarks.apply(id);
        }
        if (mark != null) {
            progress.refuse(id, "already " + mark.getMark().name().toLowerCase(java.util.Locale.ROOT) + " at "
                    + mark.getAt() + " (audit " + mark.getAuditId() + ")");
            return;
        }
        boolean redrive = progress.action == ConsoleAction.REDRIVE;
        if (redrive && job == null) {
            progress.refuse(id, "undecodable: the worker could not decode the job (" + dl.getErrorType() + ": "
                    + dl.getErrorMessage() + "); only its raw bytes are kept, so there is no job to redrive");
            return;
        }
        if (progress.dryRun) {
            progress.done++;
            return;
        }
        Instant now = clock.instant();
        if (redrive) {
            if (!limiter.acquirePermission()) {
                throw new IllegalStateException("interrupted while waiting for the redrive rate");
            }
            now = clock.instant();
            republish(job, now);
        }
        DeadLetterMark written = new DeadLetterMark(id, redrive ? DeadLetterMarkType.REDRIVEN : DeadLetterMarkType.PURGED,
                progress.auditId, now);
        String marksTopic = topics.deadLetterMarks().name();
        producer.send(new ProducerRecord<>(marksTopic, key(id),
                topics.deadLetterMarks().valueSerializer().serialize(marksTopic, written)));
        marks.put(id, written);
        progress.done++;
    }

    /** The job again, generation + 1, and its QUEUED state of that generation. */
    private void republish(PromptJob deadJob, Instant now) {
        int generation = deadJob.getRedrive() + 1;
        PromptJob job = PromptJob.newBuilder(deadJob).setRedrive(generation).build();
        RecordHeaders headers = new RecordHeaders();
        headers.add(JobHeaders.REDRIVE, JobHeaders.redriveValue(generation));
        if (job.getIdempotencyKey() != null) {
            headers.add(JobHeaders.PAYLOAD_HASH, PayloadHash.of(job).toBytes());
        }
        JobStateChange queued = JobStateChange.newBuilder().setJobId(job.getJobId()).setTenant(job.getTenant())
                .setState(JobState.QUEUED).setAt(now).setAttempt(0).setWorkerId(null).setNextAttemptAt(null)
                .setErrorClass(null).setRedrive(generation).build();
        String status = topics.status().name();
        try {
            // written before the job, so the worker's RUNNING of this generation comes after it on the status topic
            producer.send(new ProducerRecord<>(status, null, now.toEpochMilli(), key(job.getJobId()),
                    topics.status().valueSerializer().serialize(status, queued))).get(timeout.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing the QUEUED state of " + job.getJobId(), e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot write the QUEUED state of " + job.getJobId() + ": " + e, e);
        }
        String jobs = topics.jobs().name();
        producer.send(new ProducerRecord<>(jobs, null, now.toEpochMilli(), key(job.getJobId()),
                topics.jobs().valueSerializer().serialize(jobs, headers, job), headers));
    }

    /** Every mark, start to end of the compacted marks topic. */
    private Map<String, DeadLetterMark> readMarks(KafkaConsumer<byte[], byte[]> consumer) {
        Map<String, DeadLetterMark> marks = new HashMap<>();
        String topic = topics.deadLetterMarks().name();
        readAll(consumer, topic, null, r -> {
            if (r.key() == null) {
                return;
            }
            String id = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                marks.remove(id);
                return;
            }
            try {
                marks.put(id, topics.deadLetterMarks().valueDeserializer().deserialize(topic, r.headers(), r.value()));
            } catch (RuntimeException e) {
                log.debug("Skipping undecodable mark {}: {}", id, e.toString());
            }
        });
        return marks;
    }

    private void scan(KafkaConsumer<byte[], byte[]> consumer, ActionRequest.Filter filter,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        readAll(consumer, topics.deadLetters().name(), filter.since(), each);
    }

    /** Reads {@code topic} from {@code since} (a timestamp; null: the start) to its end offsets taken now. */
    private void readAll(KafkaConsumer<byte[], byte[]> consumer, String topic, @Nullable Long since,
            Consumer<ConsumerRecord<byte[], byte[]>> each) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
        if (infos == null || infos.isEmpty()) {
            return;
        }
        List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        if (since != null) {
            Map<TopicPartition, Long> query = new HashMap<>();
            partitions.forEach(p -> query.put(p, since));
            for (Map.Entry<TopicPartition, OffsetAndTimestamp> e : consumer.offsetsForTimes(query, timeout).entrySet()) {
                consumer.seek(e.getKey(), e.getValue() == null ? end.get(e.getKey()) : e.getValue().offset());
            }
        }
        try {
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r);
                    }
                }
            }
        } finally {
            consumer.assign(List.of());
        }
    }

    /** The dead letter {@code id}, or null (refused) if the id is malformed or names no record. */
    private @Nullable ConsumerRecord<byte[], byte[]> readOne(KafkaConsumer<byte[], byte[]> consumer, String id,
            Progress progress) {
        int dash = id.indexOf('-');
        int partition;
        long offset;
        try {
            partition = Integer.parseInt(id.substring(0, dash));
            offset = Long.parseLong(id.substring(dash + 1));
        } catch (RuntimeException e) {
            progress.refuse(id, "not a dead-letter id (<partition>-<offset>)");
            return null;
        }
        TopicPartition tp = new TopicPartition(topics.deadLetters().name(), partition);
        try {
            long end = consumer.endOffsets(List.of(tp), timeout).getOrDefault(tp, 0L);
            if (offset < 0 || offset >= end) {
                progress.refuse(id, "no such dead letter");
                return null;
            }
            consumer.assign(List.of(tp));
            consumer.seek(tp, offset);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline && consumer.position(tp, timeout) <= offset) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() == offset) {
                        return r;
                    }
                }
            }
            progress.refuse(id, "no such dead letter (removed by retention, or a transaction marker)");
            return null;
        } finally {
            consumer.assign(List.of());
        }
    }

    private static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
