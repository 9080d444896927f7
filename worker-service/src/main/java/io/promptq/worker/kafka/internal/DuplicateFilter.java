package io.promptq.worker.kafka.internal;

import io.promptq.worker.kafka.DuplicateGate;
import io.promptq.worker.kafka.JobOutput;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop's side of the {@link DuplicateGate}: puts every assigned jobs partition under the gate and holds
 * it until the gate's state for it is ready ({@link #releaseRestored}), asks the gate about each of its records
 * just before the record would start ({@link #admit}), writes the ledger record of a first copy with the
 * partition's next commit (it joins the partition's pending outputs, so it is committed in the same transaction as
 * the offsets that transaction commits, and dropped with them if the partition is given up) and finishes a later
 * copy without starting it (the gate counts it). Retry-tier partitions are never held or asked.
 *
 * <p>Gate code runs here on the poll thread and must never stop it: a gate that throws is logged and the record
 * runs (at least once, as without the gate). Confined to the poll thread.
 */
final class DuplicateFilter {

    private static final Logger log = LoggerFactory.getLogger(DuplicateFilter.class);

    private final DuplicateGate gate;
    private final String jobsTopic;
    private final Runnable onReady;
    /** Set by the gate's thread when a partition's state got ready, cleared by the poll thread that looks. */
    private volatile boolean readyPending;
    /** Partitions held until the gate is ready for them; usually empty, so a turn costs one check. */
    private final List<PartitionState> restoring = new ArrayList<>();
    private boolean warned;

    /** A filter that admits everything and holds nothing. */
    static DuplicateFilter none() {
        return new DuplicateFilter(DuplicateGate.NONE, "", () -> {});
    }

    /** @param wakePoll called by the gate (any thread) when a partition's state is ready */
    DuplicateFilter(DuplicateGate gate, String jobsTopic, Runnable wakePoll) {
        this.gate = gate;
        this.jobsTopic = jobsTopic;
        this.onReady = () -> {
            readyPending = true;
            wakePoll.run();
        };
    }

    /** A partition was assigned (rebalance callback): a jobs partition is held until the gate is ready for it. */
    void assigned(PartitionState s) {
        if (gate == DuplicateGate.NONE || s.retryTier() || !jobsTopic.equals(s.topic())) {
            return;
        }
        s.deduplicate();
        restoring.add(s);
        try {
            gate.assigned(s.topicPartition(), onReady);
        } catch (RuntimeException e) {
            failed("preparing " + s.topicPartition(), e);
            release(s);
        }
    }

    /** A partition was revoked or lost: the gate forgets it. */
    void revoked(PartitionState s) {
        if (!s.deduplicated()) {
            return;
        }
        restoring.remove(s);
        try {
            gate.revoked(s.topicPartition());
        } catch (RuntimeException e) {
            failed("forgetting " + s.topicPartition(), e);
        }
    }

    /** Each turn: lets the partitions whose state the gate has ready start their records. */
    void releaseRestored() {
        if (restoring.isEmpty()) {
            return;
        }
        readyPending = false;
        for (int i = restoring.size() - 1; i >= 0; i--) {
            PartitionState s = restoring.get(i);
            boolean ready;
            try {
                ready = gate.ready(s.topicPartition());
            } catch (RuntimeException e) {
                failed("asking about " + s.topicPartition(), e);
                ready = true;
            }
            if (ready) {
                restoring.remove(i);
                s.restored();
                log.debug("{}: idempotency state ready, records start", s.topicPartition());
            }
        }
    }

    /** Any thread: whether the gate reported a partition ready since the poll thread last looked. */
    boolean readyPending() {
        return readyPending;
    }

    private void release(PartitionState s) {
        restoring.remove(s);
        s.restored();
    }

    /**
     * Asks the gate whether {@code p}, just taken from {@code s}'s buffer, may start.
     *
     * @return true to start it; false if it is a later copy of an accepted job: then it is finished already
     */
    boolean admit(PartitionState s, PartitionState.Pending p) {
        if (!s.deduplicated()) {
            return true;
        }
        ConsumerRecord<byte[], byte[]> record = p.record();
        DuplicateGate.Admission admission;
        try {
            admission = gate.admit(record);
        } catch (RuntimeException e) {
            failed("admitting " + s.topicPartition() + "@" + record.offset(), e);
            return true;
        }
        switch (admission) {
            case DuplicateGate.Run run -> {
                ProducerRecord<byte[], byte[]> ledger = run.ledgerRecord();
                if (ledger != null) {
                    s.awaitCommit(new JobCompletion(s, -1, record.offset(), JobOutput.of(List.of(ledger))));
                }
                return true;
            }
            case DuplicateGate.Duplicate duplicate -> {
                s.skip(p);
                log.debug("{}@{}: a later copy of the job first at offset {}{}; not run", s.topicPartition(),
                        record.offset(), duplicate.firstOffset(), duplicate.conflict() ? " with another payload" : "");
                return false;
            }
        }
    }

    /** Logs the first failure of the gate as a warning, later ones at debug level. */
    private void failed(String what, RuntimeException e) {
        if (!warned) {
            warned = true;
            log.warn("Duplicate gate failed {} ({}); records run without the check (further failures at debug"
                    + " level)", what, e.toString(), e);
        } else {
            log.debug("Duplicate gate failed {}: {}", what, e.toString());
        }
    }
}
