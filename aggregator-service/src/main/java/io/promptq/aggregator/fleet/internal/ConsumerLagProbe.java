package io.promptq.aggregator.fleet.internal;

import io.promptq.aggregator.fleet.Overview;
import io.promptq.aggregator.fleet.PartitionLag;
import io.promptq.topic.TopicNames;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workers' consumer lag per partition of the jobs topic and of every retry tier ({@code <retryPrefix>.<n>}, found
 * by listing the topics), through the Admin client, refreshed at most every {@link #MAX_AGE} (concurrent console
 * requests share one refresh), and a history of the jobs topic's end offsets, one sample per refresh, for the rate of
 * submissions. Lag = last stable offset minus committed offset, see {@link PartitionLag}.
 */
public final class ConsumerLagProbe implements AutoCloseable {

    /** How long an answer is reused. */
    public static final Duration MAX_AGE = Duration.ofSeconds(2);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Logger log = LoggerFactory.getLogger(ConsumerLagProbe.class);

    private final Admin admin;
    private final String group;
    private final String jobsTopic;
    private final Pattern retryTier;
    private final Clock clock;
    private final Deque<Overview.Sample> samples = new ArrayDeque<>();
    private List<PartitionLag> lag = List.of();
    private boolean refreshed;
    private long refreshedAt;

    public ConsumerLagProbe(Admin admin, String group, TopicNames names, Clock clock) {
        this.admin = admin;
        this.group = group;
        this.jobsTopic = names.jobs();
        this.retryTier = Pattern.compile(Pattern.quote(names.retryPrefix()) + "\\.[0-9]+");
        this.clock = clock;
    }

    /** The lag per partition, by topic and partition, at most {@link #MAX_AGE} old. */
    public synchronized List<PartitionLag> lag() throws Exception {
        refresh();
        return lag;
    }

    /** The jobs topic's end offsets sampled at each refresh within the last {@link Overview#PERIOD}, oldest first. */
    public synchronized List<Overview.Sample> samples() throws Exception {
        refresh();
        return List.copyOf(samples);
    }

    private void refresh() throws Exception {
        long now = clock.millis();
        if (refreshed && now - refreshedAt < MAX_AGE.toMillis()) {
            return;
        }
        List<String> topics = new ArrayList<>();
        for (String name : admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            if (name.equals(jobsTopic) || retryTier.matcher(name).matches()) {
                topics.add(name);
            }
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .values()) {
            d.partitions().forEach(p -> {
                latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest());
                earliest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.earliest());
            });
        }
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ListOffsetsOptions readCommitted = new ListOffsetsOptions(IsolationLevel.READ_COMMITTED);
        Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest, readCommitted).all()
                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Set<TopicPartition> uncommitted = new java.util.HashSet<>(latest.keySet());
        committed.forEach((tp, offset) -> {
            if (offset != null) {
                uncommitted.remove(tp);
            }
        });
        earliest.keySet().retainAll(uncommitted);
        Map<TopicPartition, ListOffsetsResultInfo> starts = earliest.isEmpty() ? Map.of()
                : admin.listOffsets(earliest, readCommitted).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        List<PartitionLag> fresh = new ArrayList<>(ends.size());
        long jobsEnd = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> e : ends.entrySet()) {
            TopicPartition tp = e.getKey();
            long end = e.getValue().offset();
            OffsetAndMetadata c = committed.get(tp);
            long from = c != null ? c.offset() : starts.containsKey(tp) ? starts.get(tp).offset() : 0;
            fresh.add(new PartitionLag(group, tp.topic(), tp.partition(), Math.max(0, end - from)));
            if (tp.topic().equals(jobsTopic)) {
                jobsEnd += end;
            }
        }
        fresh.sort(Comparator.comparing(PartitionLag::topic).thenComparingInt(PartitionLag::partition));
        lag = List.copyOf(fresh);
        refreshedAt = now;
        refreshed = true;
        samples.addLast(new Overview.Sample(now, jobsEnd));
        while (!samples.isEmpty() && samples.peekFirst().at() < now - Overview.PERIOD.toMillis()) {
            samples.removeFirst();
        }
        log.debug("Lag of {} refreshed: {}", group, lag);
    }

    @Override
    public void close() {
        admin.close(TIMEOUT);
    }
}
