package io.promptq.kafka.internal;

import io.promptq.kafka.TopicProvisioner;
import io.promptq.kafka.TopicProvisioningException;
import io.promptq.kafka.TopicSpec;
import io.promptq.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TopicProvisioner} over an {@link Admin} client: list the topics, create the missing ones, then wait until every
 * partition has a leader in the metadata <em>and</em> that leader answers ListOffsets. Leaders in the metadata
 * are not enough: the broker creates its local replicas a moment later, and an idempotent producer that meets
 * NOT_LEADER_OR_FOLLOWER on its first batch can end up stuck on OutOfOrderSequenceException (Kafka 4.3.1).
 */
public final class AdminTopicProvisioner implements TopicProvisioner {

    private static final Logger log = LoggerFactory.getLogger(AdminTopicProvisioner.class);

    private final Admin admin;
    private final Backoff backoff;
    private final Duration timeout;

    public AdminTopicProvisioner(Admin admin, Backoff backoff) {
        this.admin = Objects.requireNonNull(admin, "admin");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.timeout = backoff.maxElapsed().orElseThrow(() ->
                new IllegalArgumentException("the backoff of a topic provisioner needs a maxElapsed deadline"));
    }

    @Override
    public Set<String> ensure(Collection<TopicSpec> topics) {
        Map<String, TopicSpec> byName = byName(topics);
        if (byName.isEmpty()) {
            return Set.of();
        }
        Backoff.Attempts attempts = backoff.start();
        try {
            Set<String> created = create(byName, attempts);
            awaitServed(List.copyOf(byName.keySet()), attempts);
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TopicProvisioningException(List.copyOf(byName.keySet()),
                    "interrupted while provisioning topics " + byName.keySet(), e);
        }
    }

    /**
     * Creates the topics that do not exist yet. Existing topics are not asked for at all, so a principal
     * without CREATE permission works as long as its topics exist.
     */
    private Set<String> create(Map<String, TopicSpec> specs, Backoff.Attempts attempts) throws InterruptedException {
        Map<String, TopicSpec> pending = new LinkedHashMap<>(specs);
        Set<String> created = new LinkedHashSet<>();
        Throwable last = null;
        while (true) {
            long requestMs = requestTimeoutMs(attempts);
            try {
                pending.keySet().removeAll(admin.listTopics(new ListTopicsOptions().timeoutMs((int) requestMs)).names()
                        .get(requestMs, TimeUnit.MILLISECONDS));
                if (pending.isEmpty()) {
                    return created;
                }
                last = createPending(pending, created, requestMs);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (!retriable(cause)) {
                    throw new TopicProvisioningException(List.copyOf(pending.keySet()),
                            "cannot list topics to create " + pending.keySet() + ": " + cause, cause);
                }
                last = cause;
            } catch (TimeoutException e) {
                last = e;
            }
            if (pending.isEmpty()) {
                return created;
            }
            Optional<Duration> wait = attempts.next();
            if (wait.isEmpty()) {
                throw new TopicProvisioningException(List.copyOf(pending.keySet()), "topics " + pending.keySet()
                        + " not created within " + timeout.toMillis() + " ms: " + last, last);
            }
            log.debug("Cannot create topics {} yet ({}); trying again in {} ms", pending.keySet(), last,
                    wait.get().toMillis());
            attempts.sleep(wait.get());
        }
    }

    /**
     * One CreateTopics request for {@code pending}; removes the topics that now exist from it (adding those this
     * request created to {@code created}) and returns the last transient failure, if any.
     */
    private Throwable createPending(Map<String, TopicSpec> pending, Set<String> created, long requestMs)
            throws InterruptedException, ExecutionException, TimeoutException {
        Throwable last = null;
        int brokers = pending.values().stream().allMatch(TopicSpec::isExplicit) ? 1
                : admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) requestMs)).nodes()
                        .get(requestMs, TimeUnit.MILLISECONDS).size();
        List<NewTopic> newTopics = new ArrayList<>();
        for (TopicSpec spec : pending.values()) {
            try {
                newTopics.add(toNewTopic(spec.explicitFor(brokers)));
            } catch (IllegalArgumentException e) {
                throw new TopicProvisioningException(List.of(spec.name()), "cannot create topic " + spec.name()
                        + ": " + e.getMessage(), e);
            }
        }
        Map<String, KafkaFuture<Void>> results = admin.createTopics(newTopics,
                new CreateTopicsOptions().timeoutMs((int) requestMs)).values();
        for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
            String name = result.getKey();
            Throwable failure = outcome(result.getValue(), requestMs);
            if (failure == null) {
                TopicSpec spec = pending.remove(name);
                created.add(name);
                TopicSpec explicit = spec.explicitFor(brokers);
                log.info("Created topic {} ({} partitions, replication {}, {})", name, explicit.partitions(),
                        explicit.replication().orElseThrow(), explicit.configs());
            } else if (failure instanceof TopicExistsException) {
                pending.remove(name);
                log.debug("Topic {} was created concurrently", name);
            } else if (retriable(failure)) {
                last = failure;
            } else {
                throw new TopicProvisioningException(List.of(name), "cannot create topic " + name + ": " + failure,
                        failure);
            }
        }
        return last;
    }

    private void awaitServed(List<String> names, Backoff.Attempts attempts) throws InterruptedException {
        Object last = null;
        while (true) {
            long requestMs = requestTimeoutMs(attempts);
            try {
                Map<String, TopicDescription> described = admin.describeTopics(names,
                        new DescribeTopicsOptions().timeoutMs((int) requestMs)).allTopicNames()
                        .get(requestMs, TimeUnit.MILLISECONDS);
                Optional<String> leaderless = firstPartitionWithoutLeader(described.values());
                if (leaderless.isEmpty()) {
                    admin.listOffsets(latestOffsets(described.values()), new ListOffsetsOptions().timeoutMs((int) requestMs))
                            .all().get(requestMs, TimeUnit.MILLISECONDS);
                    return;
                }
                last = leaderless.get() + " has no leader";
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (!retriable(cause)) {
                    throw new TopicProvisioningException(names, "cannot describe topics " + names + ": " + cause, cause);
                }
                last = cause; // metadata not propagated, or replicas not created yet
            } catch (TimeoutException e) {
                last = e;
            }
            Optional<Duration> wait = attempts.next();
            if (wait.isEmpty()) {
                throw new TopicProvisioningException(names, "topics " + names + " are not served within "
                        + timeout.toMillis() + " ms: " + last, last instanceof Throwable t ? t : null);
            }
            attempts.sleep(wait.get());
        }
    }

    /** What the broker answered for one topic: {@code null} on success, else the failure. */
    private static @Nullable Throwable outcome(KafkaFuture<Void> future, long timeoutMs) throws InterruptedException {
        try {
            future.get(timeoutMs, TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (TimeoutException e) {
            return e;
        }
    }

    /** The time left before the deadline, at least 1 ms, for one admin request. */
    private long requestTimeoutMs(Backoff.Attempts attempts) {
        return Math.max(1, timeout.minus(attempts.elapsed()).toMillis());
    }

    /** The spec as an admin request (an {@link TopicSpec#explicitFor explicit} spec, in {@link #ensure}). */
    static NewTopic toNewTopic(TopicSpec spec) {
        return new NewTopic(spec.name(), Optional.of(spec.partitions()), spec.replication()).configs(spec.configs());
    }

    /**
     * Whether provisioning may succeed later: timeouts and Kafka's retriable errors (broker unreachable,
     * unknown topic while metadata propagates, no leader yet), as opposed to refusals.
     */
    static boolean retriable(Throwable failure) {
        return failure instanceof RetriableException || failure instanceof TimeoutException;
    }

    /** The first partition (as {@code topic-partition}) that has no leader yet, if any. */
    static Optional<String> firstPartitionWithoutLeader(Collection<TopicDescription> descriptions) {
        for (TopicDescription d : descriptions) {
            for (var p : d.partitions()) {
                if (p.leader() == null || p.leader().isEmpty()) {
                    return Optional.of(d.name() + "-" + p.partition());
                }
            }
        }
        return Optional.empty();
    }

    private static Map<TopicPartition, OffsetSpec> latestOffsets(Collection<TopicDescription> descriptions) {
        Map<TopicPartition, OffsetSpec> offsets = new HashMap<>();
        for (TopicDescription d : descriptions) {
            d.partitions().forEach(p -> offsets.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
        }
        return offsets;
    }

    private static Map<String, TopicSpec> byName(Collection<TopicSpec> topics) {
        Map<String, TopicSpec> byName = new LinkedHashMap<>();
        for (TopicSpec spec : topics) {
            TopicSpec previous = byName.putIfAbsent(spec.name(), spec);
            if (previous != null && !previous.equals(spec)) {
                throw new IllegalArgumentException("topic " + spec.name() + " is listed twice, differently: "
                        + previous + " and " + spec);
            }
        }
        return byName;
    }

    @Override
    public String toString() {
        return "AdminTopicProvisioner[timeout=" + timeout + "]";
    }
}
