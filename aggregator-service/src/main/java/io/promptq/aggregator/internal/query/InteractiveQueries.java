package io.promptq.aggregator.internal.query;

import io.promptq.aggregator.AggregatorTopology;
import io.promptq.aggregator.JobPage;
import io.promptq.aggregator.JobResultView;
import io.promptq.aggregator.JobSummary;
import io.promptq.aggregator.internal.view.JobIndex;
import io.promptq.aggregator.JobStatsView;
import io.promptq.aggregator.JobView;
import io.promptq.aggregator.internal.view.JobViewWaiters;
import io.promptq.aggregator.internal.view.StoredViewCodec;
import io.promptq.aggregator.QueryUnavailableException;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.aggregator.stats.StatsAggregate;
import io.promptq.aggregator.stats.StatsKey;
import io.promptq.schema.JobResult;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreType;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.jspecify.annotations.Nullable;

/**
 * Answers queries from the aggregator's state stores with Kafka Streams interactive queries. A key lives on
 * the instance that owns its partition ({@code queryMetadataForKey}); when that is another instance the
 * query is forwarded to its HTTP API, so any instance answers any query. Listings gather the local stores
 * of every instance ({@code streamsMetadataForStore}).
 *
 * <p>Every method throws {@link QueryUnavailableException} while Kafka Streams is not RUNNING or the owner
 * cannot be reached. Thread-safe.
 */
public final class InteractiveQueries {

    private static final Serializer<String> KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final Duration windowSize;
    private final Forwarder forwarder;
    private final AggregatorMetrics metrics;
    private final Deserializer<JobResult> storedResults;
    private final JobViewWaiters waiters;
    private final Duration maxWait;
    private final String viewTopic;

    /**
     * @param storedResults decodes the values of {@link AggregatorTopology#RESULTS_STORE}
     * @param waiters woken by the job view processor
     * @param maxWait the cap of a job query's wait
     * @param viewTopic a topic the job view processor reads (its partitions are the job index's)
     */
    public InteractiveQueries(KafkaStreams streams, HostInfo self, Duration windowSize, Forwarder forwarder,
            AggregatorMetrics metrics, Deserializer<JobResult> storedResults, JobViewWaiters waiters, Duration maxWait,
            String viewTopic) {
        this.viewTopic = viewTopic;
        this.waiters = waiters;
        this.maxWait = maxWait;
        this.storedResults = storedResults;
        this.streams = streams;
        this.self = self;
        this.windowSize = windowSize;
        this.forwarder = forwarder;
        this.metrics = metrics;
    }

    /**
     * The all-time aggregate of {@code key}; empty if no job of that scope was seen.
     *
     * @param forwarded the request was forwarded by another instance: answer locally or fail
     */
    public Optional<JobStatsView> totals(StatsKey key, boolean forwarded) {
        String storeKey = key.toString();
        KeyQueryMetadata owner = owner(AggregatorTopology.TOTALS_STORE, storeKey);
        if (!owner.activeHost().equals(self)) {
            return forward(forwarded, owner, "/v1/stats/totals?scope=" + encode(storeKey), JobStatsView.class);
        }
        ReadOnlyKeyValueStore<String, StatsAggregate> store =
                store(AggregatorTopology.TOTALS_STORE, QueryableStoreTypes.keyValueStore(), owner.partition());
        return read(() -> Optional.ofNullable(store.get(storeKey)).map(a -> view(key, a, null)));
    }

    /**
     * Every all-time aggregate, from all instances (or only this one's, if {@code localOnly}), sorted by key.
     */
    public List<JobStatsView> allTotals(boolean localOnly) {
        requireRunning();
        Map<String, JobStatsView> byKey = new TreeMap<>();
        ReadOnlyKeyValueStore<String, StatsAggregate> store =
                store(AggregatorTopology.TOTALS_STORE, QueryableStoreTypes.keyValueStore(), null);
        read(() -> {
            try (KeyValueIterator<String, StatsAggregate> it = store.all()) {
                while (it.hasNext()) {
                    KeyValue<String, StatsAggregate> entry = it.next();
                    byKey.put(entry.key, view(StatsKey.parse(entry.key), entry.value, null));
                }
            }
            return null;
        });
        if (!localOnly) {
            for (StreamsMetadata instance : streams.streamsMetadataForStore(AggregatorTopology.TOTALS_STORE)) {
                if (instance.hostInfo().equals(self)) {
                    continue;
                }
                metrics.forwarded();
                forwarder.get(instance.hostInfo(), "/v1/stats/totals/all", TotalsList.class)
                        .ifPresent(list -> list.totals().forEach(v -> byKey.putIfAbsent(v.key(), v)));
            }
        }
        return List.copyOf(byKey.values());
    }

    /**
     * The windows of {@code key} that overlap [{@code from}, {@code to}], oldest first.
     *
     * @param forwarded the request was forwarded by another instance: answer locally or fail
     */
    public List<JobStatsView> windows(StatsKey key, Instant from, Instant to, boolean forwarded) {
        String storeKey = key.toString();
        KeyQueryMetadata owner = owner(AggregatorTopology.WINDOWS_STORE, storeKey);
        if (!owner.activeHost().equals(self)) {
            String path = "/v1/stats/windows?scope=" + encode(storeKey) + "&from=" + from.toEpochMilli() + "&to="
                    + to.toEpochMilli();
            return forward(forwarded, owner, path, WindowsList.class).map(WindowsList::windows).orElse(List.of());
        }
        ReadOnlyWindowStore<String, StatsAggregate> store =
                store(AggregatorTopology.WINDOWS_STORE, QueryableStoreTypes.windowStore(), owner.partition());
        // windows overlapping [from, to] start in (from - size, to]
        Instant earliest = from.minus(windowSize).plusMillis(1);
        Instant fetchFrom = earliest.isBefore(Instant.EPOCH) ? Instant.EPOCH : earliest;
        return read(() -> {
            List<JobStatsView> windows = new ArrayList<>();
            try (WindowStoreIterator<StatsAggregate> it = store.fetch(storeKey, fetchFrom, to)) {
                while (it.hasNext()) {
                    KeyValue<Long, StatsAggregate> entry = it.next();
                    windows.add(view(key, entry.value, entry.key));
                }
            }
            return windows;
        });
    }

    /**
     * The first terminal result of {@code jobId}; empty if unknown (or older than the dedup retention).
     *
     * @param forwarded the request was forwarded by another instance: answer locally or fail
     */
    public Optional<JobResultView> jobResult(String jobId, boolean forwarded) {
        KeyQueryMetadata owner = owner(AggregatorTopology.RESULTS_STORE, jobId);
        if (!owner.activeHost().equals(self)) {
            return forward(forwarded, owner, "/v1/jobs/" + encodePathSegment(jobId) + "/result", JobResultView.class);
        }
        ReadOnlyKeyValueStore<String, byte[]> store =
                store(AggregatorTopology.RESULTS_STORE, QueryableStoreTypes.keyValueStore(), owner.partition());
        return read(() -> Optional.ofNullable(store.get(jobId))
                .map(bytes -> storedResults.deserialize(AggregatorTopology.RESULTS_STORE, bytes))
                .map(JobResultView::from));
    }

    /**
     * The view of {@code jobId}, answered at once if it is already past {@code after} (or terminal, without
     * {@code after}); otherwise once the view processor reports a change that is, or at the end of {@code wait}
     * (capped by the configured maximum) with the view as it then is. Empty if the job is unknown at the end.
     *
     * @param after answer as soon as the view's version exceeds it; null: as soon as the job is terminal
     * @param forwarded the request was forwarded by another instance: answer locally or fail
     */
    public Optional<JobView> jobView(String jobId, Duration wait, @Nullable Long after, boolean forwarded) {
        Duration capped = wait.compareTo(maxWait) > 0 ? maxWait : wait.isNegative() ? Duration.ZERO : wait;
        KeyQueryMetadata owner = owner(AggregatorTopology.JOB_VIEW_STORE, jobId);
        if (!owner.activeHost().equals(self)) {
            String path = "/v1/jobs/" + encodePathSegment(jobId) + "?wait=" + capped.toMillis() + "ms"
                    + (after == null ? "" : "&after=" + after);
            if (forwarded) {
                return forward(true, owner, path, JobView.class);
            }
            metrics.forwarded();
            return forwarder.get(owner.activeHost(), path, JobView.class, capped);
        }
        int partition = owner.partition();
        Optional<JobView> view = localView(jobId, partition);
        long deadline = System.nanoTime() + capped.toNanos();
        while (!answers(view, after) && System.nanoTime() < deadline) {
            CompletableFuture<JobView> next = waiters.register(jobId);
            try {
                view = localView(jobId, partition); // a change between the first read and the registration
                if (answers(view, after)) {
                    break;
                }
                view = Optional.of(next.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                view = localView(jobId, partition);
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new QueryUnavailableException("interrupted while waiting for job " + jobId, e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            } finally {
                waiters.remove(jobId, next);
            }
        }
        return view;
    }

    /**
     * A page of a tenant's jobs, newest first: a range scan of the job index on each local partition, and (unless
     * {@code localOnly}) the same query on every other instance, merged by time. A job appears once: its index entry
     * holds its latest state.
     *
     * @param localOnly the request was forwarded by another instance: answer from this instance's partitions only
     */
    public JobPage jobs(JobQuery query, boolean localOnly) {
        requireRunning();
        List<JobSummary> found = new ArrayList<>();
        boolean more = localJobs(query, found);
        if (!localOnly) {
            String path = "/v1/jobs?tenant=" + encode(query.tenant()) + "&since=" + query.sinceMillis() + "&limit="
                    + query.limit() + (query.states().isEmpty() ? "" : "&status=" + encode(String.join(",",
                            new TreeSet<>(query.states())))) + (query.after() == null ? "" : "&cursor=" + query.cursor());
            for (StreamsMetadata instance : streams.streamsMetadataForStore(AggregatorTopology.JOB_INDEX_STORE)) {
                if (instance.hostInfo().equals(self)) {
                    continue;
                }
                metrics.forwarded();
                Optional<JobPage> page = forwarder.get(instance.hostInfo(), path, JobPage.class);
                if (page.isPresent()) {
                    found.addAll(page.get().jobs());
                    more |= page.get().nextCursor() != null;
                }
            }
        }
        found.sort(JobQuery.NEWEST_FIRST);
        Map<String, JobSummary> unique = new LinkedHashMap<>();
        for (JobSummary job : found) {
            unique.putIfAbsent(job.jobId(), job); // a partition that moved between two instances' answers
        }
        List<JobSummary> jobs = new ArrayList<>(unique.values());
        if (jobs.size() > query.limit()) {
            more = true;
            jobs = jobs.subList(0, query.limit());
        }
        return new JobPage(jobs, more && !jobs.isEmpty() ? JobQuery.cursor(jobs.getLast()) : null);
    }

    /** Adds up to {@code limit} matching jobs of each local partition to {@code found}; whether any has more. */
    private boolean localJobs(JobQuery query, List<JobSummary> found) {
        Set<Integer> partitions = new TreeSet<>();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                for (TopicPartition tp : task.topicPartitions()) {
                    if (tp.topic().equals(viewTopic)) {
                        partitions.add(tp.partition());
                    }
                }
            }
        }
        Bytes from = JobIndex.from(query.tenant(), query.after());
        Bytes to = JobIndex.to(query.tenant(), query.sinceMillis());
        boolean more = false;
        for (int partition : partitions) {
            ReadOnlyKeyValueStore<Bytes, byte[]> store =
                    store(AggregatorTopology.JOB_INDEX_STORE, QueryableStoreTypes.keyValueStore(), partition);
            more |= read(() -> {
                int taken = 0;
                try (KeyValueIterator<Bytes, byte[]> it = store.range(from, to)) {
                    while (it.hasNext()) {
                        KeyValue<Bytes, byte[]> entry = it.next();
                        JobSummary job = JobIndex.decode(query.tenant(), JobIndex.positionOf(query.tenant(), entry.key),
                                entry.value);
                        if (!query.accepts(job.state())) {
                            continue;
                        }
                        if (taken == query.limit()) {
                            return true;
                        }
                        found.add(job);
                        taken++;
                    }
                }
                return false;
            });
        }
        return more;
    }

    private static boolean answers(Optional<JobView> view, @Nullable Long after) {
        if (view.isEmpty()) {
            return false;
        }
        return after == null ? view.get().terminal() : view.get().version() > after;
    }

    private Optional<JobView> localView(String jobId, int partition) {
        ReadOnlyKeyValueStore<String, byte[]> store =
                store(AggregatorTopology.JOB_VIEW_STORE, QueryableStoreTypes.keyValueStore(), partition);
        return read(() -> Optional.ofNullable(store.get(jobId)).map(bytes -> StoredViewCodec.decode(jobId, bytes)));
    }

    private JobStatsView view(StatsKey key, StatsAggregate aggregate, Long windowStart) {
        Instant start = windowStart == null ? null : Instant.ofEpochMilli(windowStart);
        Instant end = start == null ? null : start.plus(windowSize);
        return JobStatsView.from(aggregate.toJobStats(key, start, end));
    }

    private <T> Optional<T> forward(boolean forwarded, KeyQueryMetadata owner, String path, Class<T> type) {
        if (forwarded) {
            throw new QueryUnavailableException("ownership is moving (this instance " + self.host() + ":" + self.port()
                    + " was asked as owner but " + owner.activeHost().host() + ":" + owner.activeHost().port()
                    + " owns the key); retry shortly");
        }
        metrics.forwarded();
        return forwarder.get(owner.activeHost(), path, type);
    }

    private KeyQueryMetadata owner(String store, String key) {
        requireRunning();
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, key, KEYS);
        } catch (IllegalStateException e) {
            throw new QueryUnavailableException("the owner of '" + key + "' is not known yet: " + e.getMessage(), e);
        }
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null
                || HostInfo.unavailable().equals(metadata.activeHost())) {
            throw new QueryUnavailableException("the owner of '" + key + "' is not known yet (rebalancing); retry shortly");
        }
        return metadata;
    }

    private void requireRunning() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            throw new QueryUnavailableException("the aggregator is " + state + ", not RUNNING; retry shortly");
        }
    }

    private <T> T store(String name, QueryableStoreType<T> type, Integer partition) {
        StoreQueryParameters<T> parameters = StoreQueryParameters.fromNameAndType(name, type);
        if (partition != null) {
            parameters = parameters.withPartition(partition);
        }
        try {
            return streams.store(parameters);
        } catch (InvalidStateStoreException e) {
            throw new QueryUnavailableException("store " + name + " is not queryable right now (" + e.getMessage()
                    + "); retry shortly", e);
        }
    }

    private static <T> T read(Supplier<T> query) {
        try {
            return query.get();
        } catch (InvalidStateStoreException e) {
            throw new QueryUnavailableException("the store moved while being read (" + e.getMessage() + "); retry shortly", e);
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String encodePathSegment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
