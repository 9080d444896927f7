package io.promptq.worker.kafka.internal;

import io.promptq.worker.kafka.FlowListener;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes partitions on and gives them up, inside the consumer's rebalance callbacks (on the poll thread, during
 * {@code poll} or {@code close}).
 *
 * <p><b>Assigned</b>: a new {@link PartitionState} per partition (one already owned keeps its state), restored from
 * the committed offset's metadata; a jobs partition is handed to the {@link DuplicateFilter}, which holds its
 * records until the duplicate gate has restored its idempotency state (on the gate's thread, not in this
 * callback).
 * <b>Revoked</b> (cooperative or KIP-848 incremental), in four steps: {@link #drain} (start nothing more, drop the
 * buffer), {@link #awaitRunning} (apply completions until the running jobs ended or the revoke timeout passed -
 * during a stop, until the shutdown deadline), {@link #commitFinal} (the finished jobs' outputs with their offsets,
 * waiting for it) and {@link #abandon} (the rest: their threads are interrupted, their outputs and late
 * completions are dropped; the new owner gets the records again from the committed offset). All of it happens inside the callback, as Kafka
 * requires for the commit to land before the partition moves. <b>Lost</b>: drain and abandon, without waiting or
 * committing - the partition is someone else's already, and so are its uncommitted outputs' records.
 *
 * <p>Revoked (once its wait is over) and lost mark a rebalance in progress in the {@link LoopCounters}; assigned
 * ends it (see
 * {@link io.promptq.worker.kafka.FlowStats#rebalanceSince()}).
 *
 * <p>Once the loop crashed, the callbacks do nothing (a crash commits nothing).
 */
final class RebalanceListener implements ConsumerRebalanceListener {

    /** First wait before reading held partitions' committed offsets again (doubling up to {@link #PENDING_RETRY_MAX}). */
    static final Duration PENDING_RETRY = Duration.ofMillis(500);
    static final Duration PENDING_RETRY_MAX = Duration.ofSeconds(4);
    /** How long one such read may block the poll thread. */
    static final Duration PENDING_READ_TIMEOUT = Duration.ofSeconds(1);

    private static final Logger log = LoggerFactory.getLogger(RebalanceListener.class);

    private final LoopSettings settings;
    private final Set<String> retryTopics;
    private final AssignedPartitions partitions;
    private final JobLauncher launcher;
    private final OutcomeCommitter committer;
    private final Consumer<?, ?> consumer;
    private final PollWaker waker;
    private final LoopCounters counters;
    private final FlowListener flow;
    private final Clock clock;
    private final BooleanSupplier crashed;
    private final DuplicateFilter duplicates;
    private boolean stopping;
    private long shutdownDeadline = Long.MAX_VALUE;
    /** Partitions held because what their previous owner committed could not be read yet (usually empty). */
    private final List<PartitionState> offsetsPending = new ArrayList<>();
    private int pendingAttempts;
    private long nextPendingAttemptAt;

    /** @param crashed whether the loop crashed (any thread may set what it reads) */
    RebalanceListener(Consumer<?, ?> consumer, LoopSettings settings, AssignedPartitions partitions,
            JobLauncher launcher, OutcomeCommitter committer, PollWaker waker, LoopCounters counters, FlowListener flow,
            Clock clock, BooleanSupplier crashed) {
        this(consumer, settings, partitions, launcher, committer, waker, counters, flow, clock, crashed,
                DuplicateFilter.none());
    }

    /** @param duplicates told of jobs partitions assigned and given up (it holds them until their state is restored) */
    RebalanceListener(Consumer<?, ?> consumer, LoopSettings settings, AssignedPartitions partitions,
            JobLauncher launcher, OutcomeCommitter committer, PollWaker waker, LoopCounters counters, FlowListener flow,
            Clock clock, BooleanSupplier crashed, DuplicateFilter duplicates) {
        this.duplicates = duplicates;
        this.consumer = consumer;
        this.settings = settings;
        this.retryTopics = Set.copyOf(settings.retryTopics());
        this.partitions = partitions;
        this.launcher = launcher;
        this.committer = committer;
        this.waker = waker;
        this.counters = counters;
        this.flow = flow;
        this.clock = clock;
        this.crashed = crashed;
    }

    /**
     * The worker is stopping: partitions assigned from now on start drained, and a revocation waits for running
     * jobs only until {@code deadline} (epoch millis, the end of the shutdown grace).
     */
    void stopping(long deadline) {
        stopping = true;
        shutdownDeadline = deadline;
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        counters.rebalanceEnded();
        Map<TopicPartition, PartitionState> fresh = new LinkedHashMap<>();
        for (TopicPartition tp : assigned) {
            if (partitions.contains(tp)) {
                // Already ours: keep its state. Starting over would skip past its buffered and running records.
                log.debug("{} assigned again while owned; keeping its state", tp);
                continue;
            }
            PartitionState s = new PartitionState(tp, retryTopics.contains(tp.topic()),
                    settings.partitionConcurrency(), settings.bufferPerPartition(), settings.maxUncommitted());
            if (stopping) {
                s.drain();
            }
            fresh.put(tp, s);
        }
        restore(fresh);
        for (PartitionState s : fresh.values()) {
            if (!stopping) {
                duplicates.assigned(s);
            }
            partitions.add(s);
            safely(() -> flow.assigned(s));
        }
        counters.refresh(launcher.inFlight(), partitions);
        if (!assigned.isEmpty()) {
            log.info("Assigned {}", assigned);
        }
    }

    /**
     * Reads what the previous owners committed for {@code fresh} partitions - the position and the metadata naming
     * the records finished above it and the start counts of records started without an outcome - so that finished
     * records are skipped instead of run again. Under {@code read_committed} this waits for pending transactional
     * offsets - after a SIGKILL, until the broker aborts the dead owner's transaction, which can take longer than
     * the call may wait. If it fails, the partitions are held ({@link PartitionState#awaitCommittedOffsets()}:
     * nothing fetched, buffered or started) and {@link #retryPendingRestores} reads again on later turns: starting
     * without that knowledge would run finished records again (a second provider call and a second result). A
     * blocking call inside {@code poll}: disarmed meanwhile, like a revocation, so a job finishing now does not wake
     * it (see {@link PollWaker}).
     */
    private void restore(Map<TopicPartition, PartitionState> fresh) {
        if (fresh.isEmpty() || settings.offsetMetadataMaxChars() == 0) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> committed;
        waker.enterCallback();
        try {
            committed = waker.blocking(() -> consumer.committed(fresh.keySet(), settings.closeTimeout()));
        } catch (KafkaException e) {
            log.warn("Cannot read the committed offsets of {} yet ({}); holding them (not fetched, nothing started) and"
                    + " reading again, so that records their previous owner finished are not run again",
                    fresh.keySet(), e.toString());
            for (PartitionState s : fresh.values()) {
                s.awaitCommittedOffsets();
                offsetsPending.add(s);
            }
            pendingAttempts = 0;
            nextPendingAttemptAt = clock.millis();
            return;
        } finally {
            waker.exitCallback();
        }
        apply(committed, fresh);
    }

    private static void apply(Map<TopicPartition, OffsetAndMetadata> committed, Map<TopicPartition, PartitionState> to) {
        to.forEach((tp, s) -> {
            OffsetAndMetadata om = committed.get(tp);
            if (om != null) {
                s.restore(om.offset(), om.metadata());
            } else {
                s.nothingCommitted();
            }
        });
    }

    /**
     * Poll thread, each turn: reads the committed offsets of held partitions again (see {@link #restore}), at most
     * every {@link #PENDING_RETRY} doubling to {@link #PENDING_RETRY_MAX}, each read waiting at most
     * {@link #PENDING_READ_TIMEOUT}; partitions revoked or lost meanwhile are dropped. Cheap when none are held.
     */
    void retryPendingRestores() {
        if (offsetsPending.isEmpty()) {
            return;
        }
        offsetsPending.removeIf(PartitionState::abandoned);
        long now = clock.millis();
        if (offsetsPending.isEmpty() || now < nextPendingAttemptAt) {
            return;
        }
        Map<TopicPartition, PartitionState> held = new LinkedHashMap<>();
        for (PartitionState s : offsetsPending) {
            held.put(s.topicPartition(), s);
        }
        try {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    waker.blocking(() -> consumer.committed(held.keySet(), PENDING_READ_TIMEOUT));
            apply(committed, held);
            offsetsPending.clear();
            log.info("Read the committed offsets of {} after {} more attempts: their records run", held.keySet(),
                    pendingAttempts + 1);
        } catch (KafkaException e) {
            long wait = Math.min(PENDING_RETRY_MAX.toMillis(), PENDING_RETRY.toMillis() << Math.min(pendingAttempts, 10));
            pendingAttempts++;
            nextPendingAttemptAt = clock.millis() + wait;
            log.debug("Committed offsets of {} still unreadable ({}); reading again in {} ms", held.keySet(),
                    e.toString(), wait);
        }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
        if (crashed.getAsBoolean() || revoked.isEmpty()) {
            return;
        }
        waker.enterCallback();
        try {
            List<PartitionState> leaving = drain(revoked);
            if (!anyAbandoned(leaving)) {
                awaitRunning(leaving);
                commitFinal(leaving);
            }
            abandon(leaving, revoked, "Revoked");
        } finally {
            // From the end of the wait: the member is busy committing until then (the consumer check covers it).
            counters.rebalanceStarted();
            waker.exitCallback();
        }
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
        if (crashed.getAsBoolean() || lost.isEmpty()) {
            return;
        }
        counters.rebalanceStarted();
        waker.enterCallback();
        try {
            abandon(drain(lost), lost, "Lost");
        } finally {
            waker.exitCallback();
        }
    }

    /** Step 1: the partitions start nothing more and drop their buffers. */
    private List<PartitionState> drain(Collection<TopicPartition> leaving) {
        List<PartitionState> states = new ArrayList<>(leaving.size());
        for (TopicPartition tp : leaving) {
            PartitionState s = partitions.get(tp);
            if (s != null) {
                states.add(s);
                s.drain();
            }
        }
        return states;
    }

    /** Step 2: waits (bounded) for their running jobs, applying completions as they come. */
    private void awaitRunning(List<PartitionState> leaving) {
        Duration wait = stopping ? Duration.ofMillis(Math.max(0, shutdownDeadline - clock.millis()))
                : settings.revokeTimeout();
        launcher.awaitRunning(leaving, wait);
    }

    /** Step 3: commits what finished - outputs with offsets - and waits for it. */
    private void commitFinal(List<PartitionState> leaving) {
        leaving.forEach(PartitionState::handOverRunning);
        committer.commitFinal(leaving, "revocation");
    }

    /** Step 4: abandons what still runs and forgets the partitions. */
    private void abandon(List<PartitionState> leaving, Collection<TopicPartition> which, String how) {
        int abandoned = 0;
        for (PartitionState s : leaving) {
            abandoned += s.abandoned() ? 0 : s.running();
            s.abandon();
            duplicates.revoked(s);
            partitions.remove(s);
            safely(() -> flow.revoked(s));
        }
        counters.refresh(launcher.inFlight(), partitions);
        if (abandoned > 0) {
            counters.countAbandoned(abandoned);
            int count = abandoned;
            safely(() -> flow.abandoned(count));
            log.warn("{} {}: abandoned {} running jobs (they will be redelivered)", how, which, abandoned);
        } else {
            log.info("{} {}", how, which);
        }
    }

    private static boolean anyAbandoned(List<PartitionState> states) {
        for (PartitionState s : states) {
            if (s.abandoned()) {
                return true;
            }
        }
        return false;
    }

    /** The flow listener observes; it must never break a rebalance. */
    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.warn("Flow listener failed (ignored): {}", e.toString());
        }
    }
}
