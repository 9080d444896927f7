package io.promptq.aggregator.deadletters.internal;

import io.promptq.aggregator.QueryUnavailableException;
import io.promptq.aggregator.deadletters.DeadLetterCounts;
import io.promptq.aggregator.deadletters.DeadLetterFilter;
import io.promptq.aggregator.deadletters.DeadLetterIndex;
import io.promptq.aggregator.deadletters.DeadLetterPage;
import io.promptq.aggregator.deadletters.DeadLetterSummary;
import io.promptq.aggregator.internal.query.Forwarder;
import io.promptq.schema.DeadLetterMark;
import io.promptq.schema.DeadLetterMarkType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.jspecify.annotations.Nullable;

/**
 * Pages of the dead-letter index. Each instance scans its own partitions' summary stores merged into one newest-first
 * order, from just after the cursor, and stops at the page's limit or after examining its share of the scan limit;
 * the instance asked gathers the others' pages ({@link Forwarder}) and keeps only what lies before the earliest point
 * any of them stopped at, so the next cursor never skips a summary and never repeats one.
 */
public final class IndexQueries {

    private static final Comparator<Bytes> KEY_ORDER = Comparator.naturalOrder();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final Forwarder forwarder;
    private final String deadLetterTopic;
    private final int scanLimit;
    private final String marksTopic;
    private final Deserializer<DeadLetterMark> marks;

    /**
     * @param deadLetterTopic the jobs' dead-letter topic (its partitions are the stores' partitions)
     * @param scanLimit the most summaries one request examines over all instances
     * @param marksTopic the marks topic, whose records {@code marks} decodes
     */
    public IndexQueries(KafkaStreams streams, HostInfo self, Forwarder forwarder, String deadLetterTopic, int scanLimit,
            String marksTopic, Deserializer<DeadLetterMark> marks) {
        this.streams = streams;
        this.self = self;
        this.forwarder = forwarder;
        this.deadLetterTopic = deadLetterTopic;
        this.scanLimit = scanLimit;
        this.marksTopic = marksTopic;
        this.marks = marks;
    }

    /** The operator's mark of dead letter {@code id} (REDRIVEN or PURGED), or null. */
    public @Nullable String markOf(String id) {
        return markOf(markStore(), id);
    }

    /** The operator's mark of dead letter {@code id} as written, or null. */
    public @Nullable DeadLetterMark mark(String id) {
        byte[] encoded = markStore().get(id);
        return encoded == null ? null : marks.deserialize(marksTopic, encoded);
    }

    private @Nullable String markOf(ReadOnlyKeyValueStore<String, byte[]> store, String id) {
        byte[] encoded = store.get(id);
        if (encoded == null) {
            return null;
        }
        DeadLetterMarkType mark = marks.deserialize(marksTopic, encoded).getMark();
        return mark == DeadLetterMarkType.UNKNOWN ? null : mark.name();
    }

    private ReadOnlyKeyValueStore<String, byte[]> markStore() {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(DeadLetterIndex.MARK_STORE,
                    QueryableStoreTypes.keyValueStore()));
        } catch (InvalidStateStoreException e) {
            throw new QueryUnavailableException("the dead-letter marks are not readable yet (" + e.getMessage()
                    + "); retry shortly", e);
        }
    }

    /** The configured scan limit. */
    public int scanLimit() {
        return scanLimit;
    }

    /**
     * The page after {@code cursor} (null: from the newest) of at most {@code limit} dead letters matching
     * {@code filter}, examining at most {@code scan} summaries in all (capped by the configured limit).
     *
     * @param forwarded the request came from another instance: answer from this instance's stores only
     */
    public DeadLetterPage page(DeadLetterFilter filter, @Nullable Bytes cursor, int limit, int scan, boolean forwarded) {
        requireRunning();
        int budget = Math.min(scan, scanLimit);
        if (forwarded) {
            return localPage(filter, cursor, limit, budget);
        }
        List<StreamsMetadata> others = streams.streamsMetadataForStore(DeadLetterIndex.SUMMARY_STORE).stream()
                .filter(m -> !m.hostInfo().equals(self)).toList();
        int share = Math.max(1, budget / (others.size() + 1));
        List<DeadLetterPage> pages = new ArrayList<>();
        pages.add(localPage(filter, cursor, limit, share));
        for (StreamsMetadata other : others) {
            String path = "/v1/console/dead-letters?" + query(filter, cursor, limit, share);
            pages.add(forwarder.get(other.hostInfo(), path, DeadLetterPage.class).orElseThrow(
                    () -> new QueryUnavailableException("instance " + other.hostInfo() + " has no dead-letter index")));
        }
        return pages.size() == 1 ? pages.getFirst() : merge(pages, limit);
    }

    /** The dead-letter pages of several instances as one: see the class comment. */
    static DeadLetterPage merge(List<DeadLetterPage> pages, int limit) {
        Bytes frontier = null;
        long scanned = 0;
        List<DeadLetterSummary> all = new ArrayList<>();
        Map<String, Long> byReason = new HashMap<>();
        Map<String, Long> byModel = new HashMap<>();
        Map<String, Long> byTenant = new HashMap<>();
        for (DeadLetterPage page : pages) {
            scanned += page.scanned();
            all.addAll(page.items());
            if (page.nextCursor() != null) {
                Bytes stop = IndexKeys.parseCursor(page.nextCursor());
                if (stop != null && (frontier == null || KEY_ORDER.compare(stop, frontier) < 0)) {
                    frontier = stop;
                }
            }
            page.counts().byReason().forEach((k, v) -> byReason.merge(k, v, Long::sum));
            page.counts().byModel().forEach((k, v) -> byModel.merge(k, v, Long::sum));
            page.counts().byTenant().forEach((k, v) -> byTenant.merge(k, v, Long::sum));
        }
        all.sort(Comparator.comparing(IndexQueries::keyOf, KEY_ORDER));
        List<DeadLetterSummary> items = new ArrayList<>(limit);
        for (DeadLetterSummary summary : all) {
            if (items.size() == limit || frontier != null && KEY_ORDER.compare(keyOf(summary), frontier) > 0) {
                break;
            }
            items.add(summary);
        }
        String next = items.size() == limit ? IndexKeys.cursor(keyOf(items.getLast()))
                : frontier == null ? null : IndexKeys.cursor(frontier);
        return new DeadLetterPage(items, next, scanned, new DeadLetterCounts(byReason, byModel, byTenant));
    }

    private DeadLetterPage localPage(DeadLetterFilter filter, @Nullable Bytes cursor, int limit, int budget) {
        List<Integer> partitions = localPartitions();
        Bytes newest = IndexKeys.firstAtOrBefore(filter.until() == null ? Long.MAX_VALUE : filter.until());
        Bytes from = cursor != null && KEY_ORDER.compare(IndexKeys.after(cursor), newest) > 0 ? IndexKeys.after(cursor)
                : newest;
        Bytes to = IndexKeys.lastAtOrAfter(filter.since() == null ? 0 : filter.since());
        Map<String, Long> byReason = new HashMap<>();
        Map<String, Long> byModel = new HashMap<>();
        Map<String, Long> byTenant = new HashMap<>();
        List<DeadLetterSummary> items = new ArrayList<>();
        long scanned = 0;
        Bytes last = null;
        boolean exhausted = true;
        List<KeyValueIterator<Bytes, byte[]>> iterators = new ArrayList<>();
        ReadOnlyKeyValueStore<String, byte[]> markStore = markStore();
        try {
            PriorityQueue<Head> heads = new PriorityQueue<>(Comparator.comparing((Head h) -> h.entry.key, KEY_ORDER));
            if (KEY_ORDER.compare(from, to) <= 0) {
                for (int partition : partitions) {
                    KeyValueIterator<Bytes, byte[]> it = summaryStore(partition).range(from, to);
                    iterators.add(it);
                    if (it.hasNext()) {
                        heads.add(new Head(it, it.next()));
                    }
                }
            }
            while (!heads.isEmpty()) {
                if (items.size() == limit || scanned == budget) {
                    exhausted = false;
                    break;
                }
                Head head = heads.poll();
                KeyValue<Bytes, byte[]> entry = head.entry;
                scanned++;
                last = entry.key;
                DeadLetterSummary summary = SummaryCodec.decode(
                        DeadLetterSummary.id(IndexKeys.partition(entry.key), IndexKeys.offset(entry.key)), entry.value);
                if (filter.matches(summary)) {
                    String mark = markOf(markStore, summary.id());
                    if (!DeadLetterMarkType.PURGED.name().equals(mark)) { // a purge hides it from the pages
                        items.add(mark == null ? summary : summary.withMark(mark));
                    }
                }
                if (head.iterator.hasNext()) {
                    heads.add(new Head(head.iterator, head.iterator.next()));
                }
            }
            for (int partition : partitions) {
                try (KeyValueIterator<String, Long> it = countStore(partition).all()) {
                    while (it.hasNext()) {
                        KeyValue<String, Long> count = it.next();
                        int colon = count.key.indexOf(':');
                        Map<String, Long> target = switch (count.key.substring(0, colon)) {
                            case "reason" -> byReason;
                            case "model" -> byModel;
                            default -> byTenant;
                        };
                        target.merge(count.key.substring(colon + 1), count.value, Long::sum);
                    }
                }
            }
        } catch (InvalidStateStoreException e) {
            throw new QueryUnavailableException("the dead-letter index moved while being read (" + e.getMessage()
                    + "); retry shortly", e);
        } finally {
            iterators.forEach(KeyValueIterator::close);
        }
        String next = exhausted || last == null ? null : IndexKeys.cursor(last);
        return new DeadLetterPage(items, next, scanned, new DeadLetterCounts(byReason, byModel, byTenant));
    }

    private List<Integer> localPartitions() {
        List<Integer> partitions = new ArrayList<>();
        streams.metadataForLocalThreads().forEach(thread -> thread.activeTasks().forEach(task -> {
            for (TopicPartition tp : task.topicPartitions()) {
                if (tp.topic().equals(deadLetterTopic)) {
                    partitions.add(tp.partition());
                }
            }
        }));
        return partitions;
    }

    private ReadOnlyKeyValueStore<Bytes, byte[]> summaryStore(int partition) {
        return store(DeadLetterIndex.SUMMARY_STORE, partition);
    }

    private ReadOnlyKeyValueStore<String, Long> countStore(int partition) {
        return store(DeadLetterIndex.COUNT_STORE, partition);
    }

    private <K, V> ReadOnlyKeyValueStore<K, V> store(String name, int partition) {
        try {
            return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<K, V>keyValueStore())
                    .withPartition(partition));
        } catch (InvalidStateStoreException e) {
            throw new QueryUnavailableException("store " + name + " is not queryable right now (" + e.getMessage()
                    + "); retry shortly", e);
        }
    }

    private void requireRunning() {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING) {
            throw new QueryUnavailableException("the aggregator is " + state + ", not RUNNING; retry shortly");
        }
    }

    private static Bytes keyOf(DeadLetterSummary summary) {
        return IndexKeys.of(summary.at(), summary.partition(), summary.offset());
    }

    private static String query(DeadLetterFilter filter, @Nullable Bytes cursor, int limit, int scan) {
        StringBuilder query = new StringBuilder("limit=").append(limit).append("&scan=").append(scan);
        append(query, "reason", filter.reason());
        append(query, "model", filter.model());
        append(query, "tenant", filter.tenant());
        append(query, "since", filter.since() == null ? null : filter.since().toString());
        append(query, "until", filter.until() == null ? null : filter.until().toString());
        append(query, "cursor", cursor == null ? null : IndexKeys.cursor(cursor));
        return query.toString();
    }

    private static void append(StringBuilder query, String name, @Nullable String value) {
        if (value != null) {
            query.append('&').append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
        }
    }

    private record Head(KeyValueIterator<Bytes, byte[]> iterator, KeyValue<Bytes, byte[]> entry) {}
}
