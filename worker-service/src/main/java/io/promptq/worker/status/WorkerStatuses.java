package io.promptq.worker.status;

import io.promptq.schema.WorkerPartitionStatus;
import io.promptq.schema.WorkerStatus;
import io.promptq.worker.WorkerStats;
import io.promptq.worker.kafka.FlowStats;
import io.promptq.worker.kafka.PartitionView;
import io.promptq.worker.kafka.PauseReason;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Maps what a worker knows about itself to the {@code WorkerStatus} record the console reads. Pure. */
public final class WorkerStatuses {

    private WorkerStatuses() {}

    /**
     * What does not change while a worker runs.
     *
     * @param interval the publishing interval, sent along so that readers know when the worker is stale
     */
    public record Identity(String workerId, String groupId, String host, long startedAt, Duration interval) {
        public Identity {
            Objects.requireNonNull(workerId, "workerId");
            Objects.requireNonNull(groupId, "groupId");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(interval, "interval");
        }
    }

    /** What the provider guards tell: breaker state per model, models refused (401/403/404), rate-limit waits. */
    public record Guards(Map<String, String> breakers, Collection<String> modelsUnavailable, long rateLimitWaits) {
        public static final Guards NONE = new Guards(Map.of(), List.of(), 0);
    }

    /** The status at {@code at}: each assigned partition with its in-flight jobs, free permits and pause reason. */
    public static WorkerStatus snapshot(Identity identity, long at, FlowStats flow, Collection<? extends PartitionView> partitions,
            WorkerStats stats, Guards guards) {
        List<WorkerPartitionStatus> views = new ArrayList<>(partitions.size());
        for (PartitionView p : partitions) {
            PauseReason reason = p.pauseReason();
            views.add(WorkerPartitionStatus.newBuilder()
                    .setTopic(p.topic())
                    .setPartition(p.partition())
                    .setInFlight(p.inFlight())
                    .setPermits(p.freePermits())
                    .setBuffered(p.buffered())
                    .setPaused(reason != null)
                    .setPauseReason(reason == null ? null : reason.name())
                    .build());
        }
        return WorkerStatus.newBuilder()
                .setWorkerId(identity.workerId())
                .setGroupId(identity.groupId())
                .setHost(identity.host())
                .setStartedAt(Instant.ofEpochMilli(identity.startedAt()))
                .setAt(Instant.ofEpochMilli(at))
                .setIntervalMs(identity.interval().toMillis())
                .setPartitions(views)
                .setInFlight(flow.inFlight())
                .setFreePermits(flow.freePermits())
                .setBuffered(flow.buffered())
                .setBreakers(new TreeMap<>(guards.breakers()))
                .setModelsUnavailable(guards.modelsUnavailable().stream().sorted().toList())
                .setRateLimitWaits(guards.rateLimitWaits())
                .setRebalanceSince(flow.rebalanceSince())
                .setPublishFault(flow.publishFault())
                .setFetched(stats.fetched())
                .setSucceeded(stats.succeeded())
                .setDeadLettered(stats.deadLettered())
                .setExpired(stats.expired())
                .setRetriesScheduled(stats.retriesScheduled())
                .build();
    }

    /** This machine's host name (the pod name on Kubernetes), or {@code HOSTNAME}, or "unknown". */
    public static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException | SecurityException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown" : env;
        }
    }
}
