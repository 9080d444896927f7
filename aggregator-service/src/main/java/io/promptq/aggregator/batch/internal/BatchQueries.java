package io.promptq.aggregator.batch.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.promptq.aggregator.QueryUnavailableException;
import io.promptq.aggregator.batch.BatchAggregation;
import io.promptq.aggregator.internal.AggregatorMetrics;
import io.promptq.aggregator.internal.query.Forwarder;
import io.promptq.batch.BatchView;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.TaskMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jspecify.annotations.Nullable;

/**
 * Batches through Kafka Streams' interactive queries: one batch from the instance owning it (forwarded there), a
 * tenant's batches gathered from every instance, and — for the finalizer — a batch's state and lines from the local
 * stores.
 */
public final class BatchQueries implements BatchReader {

    private static final StringSerializer KEYS = new StringSerializer();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final Forwarder forwarder;
    private final AggregatorMetrics metrics;
    private final String batchesTopic;

    public BatchQueries(KafkaStreams streams, HostInfo self, Forwarder forwarder, AggregatorMetrics metrics,
            String batchesTopic) {
        this.streams = streams;
        this.self = self;
        this.forwarder = forwarder;
        this.metrics = metrics;
        this.batchesTopic = batchesTopic;
    }

    /**
     * The batch {@code batchId} of {@code tenant} (any tenant when null), from the owning instance.
     *
     * @param forwarded the request was forwarded by another instance: answer locally or fail
     */
    public Optional<JsonNode> batch(String batchId, @Nullable String tenant, boolean forwarded) {
        requireRunning();
        KeyQueryMetadata owner = owner(batchId);
        if (!owner.activeHost().equals(self)) {
            if (forwarded) {
                throw new QueryUnavailableException("ownership of batch " + batchId + " is moving; retry shortly");
            }
            metrics.forwarded();
            return forwarder.get(owner.activeHost(), "/v1/batches/" + encode(batchId)
                    + (tenant == null ? "" : "?tenant=" + encode(tenant)), JsonNode.class);
        }
        ReadOnlyKeyValueStore<String, byte[]> states = store(BatchAggregation.STATE_STORE, owner.partition());
        return read(() -> Optional.ofNullable(states.get(batchId)).map(BatchState::decode)
                .filter(state -> state.created() && (tenant == null || state.tenant().equals(tenant)))
                .map(state -> (JsonNode) state.view(batchId).toJson()));
    }

    /**
     * A page of {@code tenant}'s batches, newest first, after the batch {@code after}: the local partitions' and
     * (unless {@code localOnly}) every other instance's, merged.
     */
    public ObjectNode list(String tenant, @Nullable String after, int limit, boolean localOnly) {
        requireRunning();
        List<JsonNode> found = new ArrayList<>();
        boolean more = local(tenant, after, limit, found);
        if (!localOnly) {
            String path = "/v1/batches?tenant=" + encode(tenant) + "&limit=" + limit
                    + (after == null ? "" : "&after=" + encode(after));
            for (StreamsMetadata instance : streams.streamsMetadataForStore(BatchAggregation.INDEX_STORE)) {
                if (instance.hostInfo().equals(self)) {
                    continue;
                }
                metrics.forwarded();
                Optional<JsonNode> page = forwarder.get(instance.hostInfo(), path, JsonNode.class);
                if (page.isPresent()) {
                    page.get().path("data").forEach(found::add);
                    more |= page.get().path("has_more").asBoolean(false);
                }
            }
        }
        found.sort(Comparator.comparing((JsonNode b) -> b.path("id").asText()).reversed());
        Map<String, JsonNode> unique = new LinkedHashMap<>();
        for (JsonNode batch : found) {
            unique.putIfAbsent(batch.path("id").asText(), batch);
        }
        List<JsonNode> page = new ArrayList<>(unique.values());
        if (page.size() > limit) {
            more = true;
            page = page.subList(0, limit);
        }
        ObjectNode list = JsonNodeFactory.instance.objectNode();
        list.put("object", "list");
        ArrayNode data = list.putArray("data");
        page.forEach(data::add);
        if (page.isEmpty()) {
            list.putNull("first_id");
            list.putNull("last_id");
        } else {
            list.put("first_id", page.getFirst().path("id").asText());
            list.put("last_id", page.getLast().path("id").asText());
        }
        list.put("has_more", more);
        return list;
    }

    /** Adds up to {@code limit} batches of each local partition to {@code found}; whether any partition has more. */
    private boolean local(String tenant, @Nullable String after, int limit, List<JsonNode> found) {
        Set<Integer> partitions = new TreeSet<>();
        for (ThreadMetadata thread : streams.metadataForLocalThreads()) {
            for (TaskMetadata task : thread.activeTasks()) {
                for (TopicPartition tp : task.topicPartitions()) {
                    if (tp.topic().equals(batchesTopic)) {
                        partitions.add(tp.partition());
                    }
                }
            }
        }
        Bytes from = after == null ? BatchKeys.tenantStart(tenant) : BatchKeys.tenantEntry(tenant, after);
        Bytes to = BatchKeys.tenantEnd(tenant);
        boolean more = false;
        for (int partition : partitions) {
            ReadOnlyKeyValueStore<Bytes, byte[]> index = store(BatchAggregation.INDEX_STORE, partition);
            ReadOnlyKeyValueStore<String, byte[]> states = store(BatchAggregation.STATE_STORE, partition);
            more |= read(() -> {
                int taken = 0;
                try (KeyValueIterator<Bytes, byte[]> it = index.range(from, to)) {
                    while (it.hasNext()) {
                        String batchId = BatchKeys.batchIdOfTenantEntry(it.next().key);
                        if (batchId.equals(after)) {
                            continue;
                        }
                        byte[] stored = states.get(batchId);
                        if (stored == null) {
                            continue;
                        }
                        if (taken == limit) {
                            return true;
                        }
                        BatchView view = BatchState.decode(stored).view(batchId);
                        found.add(view.toJson());
                        taken++;
                    }
                }
                return false;
            });
        }
        return more;
    }

    @Override
    public Optional<BatchState> state(String batchId) {
        int partition = localPartition(batchId);
        ReadOnlyKeyValueStore<String, byte[]> states = localStore(BatchAggregation.STATE_STORE, partition);
        try {
            return Optional.ofNullable(states.get(batchId)).map(BatchState::decode);
        } catch (InvalidStateStoreException e) {
            throw new StoreMovedException("the store of batch " + batchId + " moved", e);
        }
    }

    @Override
    public void lines(String batchId, LineVisitor visitor) throws IOException {
        int partition = localPartition(batchId);
        ReadOnlyKeyValueStore<Bytes, byte[]> lines = localStore(BatchAggregation.LINES_STORE, partition);
        try (KeyValueIterator<Bytes, byte[]> it = lines.range(BatchKeys.firstLine(batchId), BatchKeys.lastLine(batchId))) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> entry = it.next();
                visitor.visit(entry.value);
            }
        } catch (InvalidStateStoreException e) {
            throw new StoreMovedException("the store of batch " + batchId + " moved", e);
        }
    }

    /** The partition of {@code batchId}, if this instance is its active owner. */
    private int localPartition(String batchId) {
        KeyQueryMetadata owner;
        try {
            owner = streams.queryMetadataForKey(BatchAggregation.STATE_STORE, batchId, KEYS);
        } catch (IllegalStateException e) {
            throw new QueryUnavailableException("the owner of batch " + batchId + " is not known yet", e);
        }
        if (owner == null || KeyQueryMetadata.NOT_AVAILABLE.equals(owner) || owner.activeHost() == null) {
            throw new QueryUnavailableException("the owner of batch " + batchId + " is not known yet");
        }
        if (!owner.activeHost().equals(self)) {
            throw new StoreMovedException("batch " + batchId + " is owned by " + owner.activeHost(), null);
        }
        return owner.partition();
    }

    private <K> ReadOnlyKeyValueStore<K, byte[]> localStore(String name, int partition) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, byte[]>keyValueStore())
                    .withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw new StoreMovedException("store " + name + " is not queryable here: " + e.getMessage(), e);
        }
    }

    private KeyQueryMetadata owner(String batchId) {
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(BatchAggregation.STATE_STORE, batchId, KEYS);
        } catch (IllegalStateException e) {
            throw new QueryUnavailableException("the owner of '" + batchId + "' is not known yet: " + e.getMessage(), e);
        }
        if (metadata == null || KeyQueryMetadata.NOT_AVAILABLE.equals(metadata) || metadata.activeHost() == null
                || HostInfo.unavailable().equals(metadata.activeHost())) {
            throw new QueryUnavailableException("the owner of '" + batchId + "' is not known yet (rebalancing); retry shortly");
        }
        return metadata;
    }

    private <K> ReadOnlyKeyValueStore<K, byte[]> store(String name, int partition) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, byte[]>keyValueStore())
                    .withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw new QueryUnavailableException("store " + name + " is not queryable right now (" + e.getMessage()
                    + "); retry shortly", e);
        }
    }

    private void requireRunning() {
        if (streams.state() != KafkaStreams.State.RUNNING) {
            throw new QueryUnavailableException("the aggregator is " + streams.state() + ", not RUNNING; retry shortly");
        }
    }

    private static <T> T read(java.util.function.Supplier<T> query) {
        try {
            return query.get();
        } catch (InvalidStateStoreException e) {
            throw new QueryUnavailableException("the store moved while being read (" + e.getMessage() + "); retry shortly", e);
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
