package io.promptq.worker.internal;

import io.promptq.retry.Backoff;
import io.promptq.schema.IdempotencyEntry;
import io.promptq.schema.PromptJob;
import io.promptq.topic.JobHeaders;
import io.promptq.topic.PayloadHash;
import io.promptq.worker.kafka.DuplicateGate;
import io.promptq.worker.metrics.IdempotencyMetrics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's {@link DuplicateGate}, the authoritative idempotency check: of the copies of one keyed job (same
 * tenant + idempotency key, so the same jobId, within {@code PROMPTQ_IDEMPOTENCY_WINDOW}) in a jobs partition,
 * only the first runs; later ones are dropped without a provider call and counted ({@code
 * promptq.worker.jobs.duplicates}, {@code conflict=true} if the payload hash differs).
 *
 * <p><b>State.</b> Per owned jobs partition, {@code jobId -> (first offset, payload hash, acceptedAt)} of the keyed
 * jobs seen within the window, in insertion order (about acceptance order): entries past the window are dropped
 * from the oldest end, and at most {@code maxKeys} are kept, the oldest forgotten first (counted in {@code
 * promptq.worker.idempotency.evicted}, logged once). The first copy of a job is remembered at once and its
 * {@link IdempotencyEntry} goes to the ledger with the partition's next commit, in the same transaction as the
 * offsets committed with it. Since the entry names the first copy's offset, a copy at that offset is the first one
 * redelivered (after a crash or a rebalance) and runs; a copy at any other offset is a later one. Correct even
 * while the first copy still runs: its entry may be committed before its outcome.
 *
 * <p><b>Redrive.</b> A job republished from the dead-letter topic carries its redrive generation ({@link
 * JobHeaders#REDRIVE}, {@code PromptJob.redrive}): a copy of a higher generation than the one known for its jobId
 * is the first copy of a new run (one provider call, one outcome per generation), remembered in its place with the
 * redrive's time as acceptedAt; a copy of the same or a lower generation at another offset is a duplicate. A
 * redriven job is checked even when unkeyed; an unkeyed one is remembered in memory only (the ledger holds keyed
 * jobs, which the producer and the client read), so its copy after a restart runs again - at least once, as before.
 *
 * <p><b>Cost.</b> A record without the {@link JobHeaders#PAYLOAD_HASH} header whose jobId is not a derived
 * (version 8 or 5) UUID is unkeyed: one header lookup and one byte comparison, no allocation. A keyed one costs a map
 * lookup; its first copy also one Avro decode on the poll thread (tenant, key and submittedAt for the ledger entry,
 * and the payload hash if the header is missing) and the entry's encoding.
 *
 * <p><b>Restore.</b> When a jobs partition is assigned, its state is read from the ledger partition with the same
 * number, start to end ({@link Ledger}), on this gate's own thread: the rebalance callback is not blocked (a large
 * ledger takes seconds to read, and every partition of the worker would wait), and the poll loop holds only that
 * partition's records until it is ready. Entries past the window and tombstones are skipped. A missing ledger
 * (an older deployment) is logged once and the partition runs without the check - at least once per key, as
 * before. Other failures are retried with backoff while the partition is owned.
 *
 * <p>Poll-thread methods ({@link #assigned}, {@link #ready}, {@link #revoked}, {@link #admit}) are confined to the
 * poll thread; a partition's state is built by the restore thread and handed over through a volatile field.
 */
final class IdempotencyGate implements DuplicateGate, AutoCloseable {

    /** Reads the idempotency ledger, one partition at a time (on the gate's restore thread). */
    interface Ledger extends AutoCloseable {

        /**
         * Passes every entry of ledger partition {@code partition}, from its start to its current end, to {@code
         * sink} in offset order ({@code null}: a tombstone), stopping early once {@code cancelled}.
         *
         * @return false if the ledger topic or that partition does not exist
         * @throws Exception if reading failed (the caller tries again)
         */
        boolean read(int partition, Sink sink, BooleanSupplier cancelled) throws Exception;

        @Override
        void close();
    }

    /** Receives ledger entries. */
    @FunctionalInterface
    interface Sink {
        void accept(String jobId, @Nullable IdempotencyEntry entry);
    }

    /** Waits between failed restores: 200 ms doubling up to 10 s, full jitter, while the partition is owned. */
    static final Backoff RESTORE_BACKOFF =
            Backoff.exponential(Duration.ofMillis(200), Duration.ofSeconds(10)).fullJitter().build();

    private static final Logger log = LoggerFactory.getLogger(IdempotencyGate.class);
    /** Length of a UUID's canonical text, and the index of its version digit. */
    private static final int UUID_LENGTH = 36;
    private static final int UUID_VERSION_INDEX = 14;

    /** What is known of one keyed job: where its first copy is and what it asked. */
    private record Known(long offset, byte[] hash, long acceptedAt, int generation) {}

    /** The keyed jobs of one partition; built by the restore thread, then used by the poll thread only. */
    private static final class Keys {
        /** Insertion order, about acceptance order: the head is the oldest. */
        final LinkedHashMap<String, Known> known = new LinkedHashMap<>();
        /** No ledger: run everything, record nothing. */
        final boolean disabled;

        Keys(boolean disabled) {
            this.disabled = disabled;
        }
    }

    /** One owned jobs partition: its keys once restored, null until then. */
    private static final class Slot {
        final int partition;
        volatile @Nullable Keys keys;
        volatile boolean cancelled;

        Slot(int partition) {
            this.partition = partition;
        }
    }

    private final String jobsTopic;
    private final String ledgerTopic;
    private final long windowMillis;
    private final int maxKeys;
    private final Clock clock;
    private final Deserializer<PromptJob> jobs;
    private final Serializer<String> ledgerKeys;
    private final Serializer<IdempotencyEntry> ledgerValues;
    private final Ledger ledger;
    private final IdempotencyMetrics metrics;
    private final Backoff restoreBackoff;
    private final ExecutorService restorer;
    /** By partition number; poll thread only. */
    private Slot[] slots = new Slot[0];
    private volatile boolean warnedMissing;
    private volatile boolean warnedEvicting;

    /**
     * @param window how long after its acceptedAt a job's later copies are dropped
     * @param maxKeys keyed jobs remembered per partition at most
     * @param restoreThreads creates the one thread that restores partitions
     */
    IdempotencyGate(String jobsTopic, String ledgerTopic, Duration window, int maxKeys, Clock clock,
            Deserializer<PromptJob> jobs, Serializer<String> ledgerKeys, Serializer<IdempotencyEntry> ledgerValues,
            Ledger ledger, IdempotencyMetrics metrics, ThreadFactory restoreThreads, Backoff restoreBackoff) {
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, but was " + window);
        }
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be at least 1, but was " + maxKeys);
        }
        this.jobsTopic = jobsTopic;
        this.ledgerTopic = ledgerTopic;
        this.windowMillis = window.toMillis();
        this.maxKeys = maxKeys;
        this.clock = clock;
        this.jobs = jobs;
        this.ledgerKeys = ledgerKeys;
        this.ledgerValues = ledgerValues;
        this.ledger = ledger;
        this.metrics = metrics;
        this.restoreBackoff = restoreBackoff;
        this.restorer = Executors.newSingleThreadExecutor(restoreThreads);
    }

    // ------------------------------------------------------------------ poll thread: partitions

    @Override
    public void assigned(TopicPartition partition, Runnable onReady) {
        int p = partition.partition();
        if (p >= slots.length) {
            slots = Arrays.copyOf(slots, p + 1);
        }
        Slot old = slots[p];
        if (old != null) {
            old.cancelled = true;
        }
        Slot slot = new Slot(p);
        slots[p] = slot;
        restorer.execute(() -> restore(slot, onReady));
    }

    @Override
    public boolean ready(TopicPartition partition) {
        Slot slot = slot(partition.partition());
        return slot == null || slot.keys != null;
    }

    @Override
    public void revoked(TopicPartition partition) {
        int p = partition.partition();
        Slot slot = slot(p);
        if (slot != null) {
            slot.cancelled = true;
            slots[p] = null;
        }
    }

    private @Nullable Slot slot(int partition) {
        return partition < slots.length ? slots[partition] : null;
    }

    // ------------------------------------------------------------------ poll thread: admission

    @Override
    public Admission admit(ConsumerRecord<byte[], byte[]> record) {
        byte[] key = record.key();
        Header header = record.headers().lastHeader(JobHeaders.PAYLOAD_HASH);
        byte[] hash = header == null ? null : header.value();
        if (hash != null && hash.length != PayloadHash.LENGTH) {
            hash = null;
        }
        int generation = JobHeaders.redrive(record.headers());
        if (key == null || hash == null && generation == 0 && !nameBased(key)) {
            return Admission.RUN; // unkeyed: no allocation, no lookup
        }
        Slot slot = slot(record.partition());
        Keys keys = slot == null ? null : slot.keys;
        if (keys == null || keys.disabled) {
            return Admission.RUN;
        }
        String jobId = new String(key, StandardCharsets.UTF_8);
        long now = clock.millis();
        long cutoff = now - windowMillis;
        expire(keys, cutoff);
        Known known = keys.known.get(jobId);
        if (known != null && known.acceptedAt() <= cutoff) {
            keys.known.remove(jobId);
            known = null;
        }
        if (known != null && generation <= known.generation()) {
            return laterCopy(record, jobId, known, hash);
        }
        if (known != null) {
            keys.known.remove(jobId); // a redrive: the new generation's first copy takes its place
            log.debug("Job {} at {}-{}@{}: redrive generation {} after {}, runs", jobId, record.topic(),
                    record.partition(), record.offset(), generation, known.generation());
        }
        return firstCopy(record, keys, jobId, hash, cutoff, generation);
    }

    /** A copy of a job seen before: the first one redelivered runs, any other is dropped. */
    private Admission laterCopy(ConsumerRecord<byte[], byte[]> record, String jobId, Known known,
            byte @Nullable [] hash) {
        if (known.offset() == record.offset()) {
            return Admission.RUN;
        }
        if (hash == null) {
            PromptJob job = decode(record);
            hash = job == null ? null : PayloadHash.of(job).toBytes();
        }
        boolean conflict = hash == null || !Arrays.equals(hash, known.hash());
        metrics.duplicate(conflict);
        if (conflict) {
            log.warn("Job {} at {}-{}@{} has another payload than its first copy at offset {}: not run (the first"
                    + " copy's outcome is the job's)", jobId, record.topic(), record.partition(), record.offset(),
                    known.offset());
        }
        return new Duplicate(known.offset(), conflict);
    }

    /** The first copy of a keyed job: remember it and record it in the ledger with the next commit. */
    private Admission firstCopy(ConsumerRecord<byte[], byte[]> record, Keys keys, String jobId,
            byte @Nullable [] hash, long cutoff, int generation) {
        PromptJob job = decode(record);
        if (job == null && (hash != null || generation > 0)) {
            // Not decodable now (e.g. the registry is down; the handler waits for it): later copies must still not
            // run, so remember the copy here; only the ledger entry, which needs the decoded job, is left out.
            remember(keys, jobId, new Known(record.offset(), hash == null ? new byte[0] : hash, clock.millis(),
                    generation), cutoff);
            return Admission.RUN;
        }
        if (job == null) {
            return Admission.RUN; // undecodable: the handler dead-letters it
        }
        // A redrive is accepted when it was republished, not when the job was first submitted.
        long acceptedAt = generation > 0 ? Math.max(record.timestamp(), job.getSubmittedAt().toEpochMilli())
                : job.getSubmittedAt().toEpochMilli();
        if (job.getIdempotencyKey() == null) {
            if (generation > 0) {
                remember(keys, jobId, new Known(record.offset(), PayloadHash.of(job).toBytes(), acceptedAt,
                        generation), cutoff);
            }
            return Admission.RUN; // not keyed: nothing for the ledger
        }
        byte[] payloadHash = hash != null ? hash : PayloadHash.of(job).toBytes();
        remember(keys, jobId, new Known(record.offset(), payloadHash, acceptedAt, generation), cutoff);
        IdempotencyEntry entry = IdempotencyEntry.newBuilder()
                .setJobId(jobId)
                .setTenant(job.getTenant())
                .setIdempotencyKey(job.getIdempotencyKey())
                .setPayloadHash(ByteBuffer.wrap(payloadHash))
                .setAcceptedAt(java.time.Instant.ofEpochMilli(acceptedAt))
                .setPartition(record.partition())
                .setOffset(record.offset())
                .setRedrive(generation)
                .build();
        // The ledger partition has the jobs partition's number, whatever the partitioner would pick.
        return new Run(new ProducerRecord<>(ledgerTopic, record.partition(), ledgerKeys.serialize(ledgerTopic, jobId),
                ledgerValues.serialize(ledgerTopic, entry)));
    }

    private @Nullable PromptJob decode(ConsumerRecord<byte[], byte[]> record) {
        try {
            return jobs.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            log.debug("{}-{}@{} is not decodable ({}); it runs unchecked", record.topic(), record.partition(),
                    record.offset(), e.toString());
            return null;
        }
    }

    /**
     * Whether {@code key} is the text of a derived UUID, as promptq names keyed jobs: version 8 (HMAC with {@code
     * PROMPTQ_JOB_ID_KEY}) or version 5 (name-based, without a key).
     */
    static boolean nameBased(byte[] key) {
        return key.length == UUID_LENGTH && (key[UUID_VERSION_INDEX] == '8' || key[UUID_VERSION_INDEX] == '5');
    }

    // ------------------------------------------------------------------ the keys of one partition

    /** Adds {@code known}, forgetting the oldest entries beyond {@code maxKeys}. */
    private void remember(Keys keys, String jobId, Known known, long cutoff) {
        if (known.acceptedAt() <= cutoff) {
            return;
        }
        keys.known.put(jobId, known);
        if (keys.known.size() > maxKeys) {
            Iterator<Map.Entry<String, Known>> it = keys.known.entrySet().iterator();
            it.next();
            it.remove();
            metrics.evicted();
            if (!warnedEvicting) {
                warnedEvicting = true;
                log.warn("A jobs partition holds {} keyed jobs (PROMPTQ_WORKER_IDEMPOTENCY_MAX_KEYS) within the"
                        + " idempotency window: the oldest are forgotten, and a forgotten job's next copy runs again"
                        + " (logged once; see promptq.worker.idempotency.evicted)", maxKeys);
            }
        }
    }

    /** Drops entries accepted at or before {@code cutoff} from the oldest end (about acceptance order). */
    private static void expire(Keys keys, long cutoff) {
        Iterator<Known> it = keys.known.values().iterator();
        while (it.hasNext()) {
            if (it.next().acceptedAt() > cutoff) {
                return;
            }
            it.remove();
        }
    }

    // ------------------------------------------------------------------ restore thread

    private void restore(Slot slot, Runnable onReady) {
        Backoff.Attempts attempts = null;
        while (!slot.cancelled) {
            long started = System.nanoTime();
            Keys keys = new Keys(false);
            long cutoff = clock.millis() - windowMillis;
            try {
                boolean exists = ledger.read(slot.partition, (jobId, entry) -> restore(keys, slot.partition, jobId,
                        entry, cutoff), () -> slot.cancelled);
                if (slot.cancelled) {
                    return;
                }
                if (!exists) {
                    missing(slot.partition);
                    slot.keys = new Keys(true);
                } else {
                    slot.keys = keys;
                    log.info("{}-{}: restored {} keyed jobs from the idempotency ledger in {} ms", jobsTopic,
                            slot.partition, keys.known.size(), (System.nanoTime() - started) / 1_000_000);
                }
                onReady.run();
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (attempts == null) {
                    attempts = restoreBackoff.start();
                }
                Duration wait = attempts.next().orElse(Duration.ofSeconds(10));
                if (attempts.failures() == 1) {
                    log.warn("Restoring {}-{} from the idempotency ledger failed ({}); its records wait, trying again"
                            + " (further failures at debug level)", jobsTopic, slot.partition, e.toString());
                } else {
                    log.debug("Restoring {}-{} failed again: {}", jobsTopic, slot.partition, e.toString());
                }
                try {
                    attempts.sleep(wait);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void restore(Keys keys, int partition, String jobId, @Nullable IdempotencyEntry entry, long cutoff) {
        if (entry == null) {
            keys.known.remove(jobId);
            return;
        }
        if (entry.getPartition() != partition) {
            return; // not this partition's job
        }
        ByteBuffer buffer = entry.getPayloadHash().duplicate();
        byte[] hash = new byte[buffer.remaining()];
        buffer.get(hash);
        keys.known.remove(jobId); // a newer entry (after the window) moves to the young end
        remember(keys, jobId, new Known(entry.getOffset(), hash, entry.getAcceptedAt().toEpochMilli(),
                entry.getRedrive()), cutoff);
    }

    private void missing(int partition) {
        if (!warnedMissing) {
            warnedMissing = true;
            log.warn("The idempotency ledger {} (or its partition {}) does not exist: keyed jobs run without the"
                    + " worker's check - at least once per key - until it is created (logged once)", ledgerTopic,
                    partition);
        }
    }

    /** Stops restoring and closes the ledger reader. */
    @Override
    public void close() {
        for (Slot slot : slots) {
            if (slot != null) {
                slot.cancelled = true;
            }
        }
        restorer.shutdownNow();
        try {
            if (!restorer.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("The idempotency restore thread did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ledger.close();
    }
}
