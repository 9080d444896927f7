package io.promptq.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.config.TopicConfig;

/**
 * What a topic should look like when promptq creates it: its name, partitions, replication factor and
 * topic-level configuration ({@code cleanup.policy}, {@code retention.ms}, ...). Immutable; the
 * {@link TopicProvisioner} creates it if missing and leaves an existing topic as it is.
 *
 * <p>Durability is never left to the broker's defaults: the provisioner creates the topic with the spec
 * {@link #explicitFor made explicit} for the cluster's size, so an unset replication factor becomes
 * {@code min(3, brokers)} and an unset {@code min.insync.replicas} becomes {@code min(2, replication)} (a
 * single-broker cluster gets 1/1).
 *
 * @param name the topic's name
 * @param partitions partitions, at least 1
 * @param replication replication factor; empty: {@link #defaultReplication min(3, brokers)} at creation
 * @param configs topic-level configuration ({@link TopicConfig} keys); an unset
 *     {@code min.insync.replicas} is {@link #defaultMinInSyncReplicas min(2, replication)} at creation, the
 *     broker's defaults apply to every other key not set here
 */
public record TopicSpec(String name, int partitions, Optional<Short> replication, Map<String, String> configs) {

    public TopicSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions of topic " + name + " must be at least 1, but was "
                    + partitions);
        }
        Objects.requireNonNull(replication, "replication");
        replication.ifPresent(r -> {
            if (r < 1) {
                throw new IllegalArgumentException("replication of topic " + name + " must be at least 1, but was " + r);
            }
        });
        configs = Map.copyOf(configs);
    }

    /** Most replicas a topic gets by default: survives two broker losses, more only costs disk and traffic. */
    public static final int DEFAULT_MAX_REPLICATION = 3;
    /** Most in-sync replicas required by default: an acknowledged write survives one broker loss. */
    public static final int DEFAULT_MAX_MIN_IN_SYNC_REPLICAS = 2;

    /** A topic with the broker's default configuration. */
    public static TopicSpec of(String name, int partitions, Optional<Short> replication) {
        return new TopicSpec(name, partitions, replication, Map.of());
    }

    /** A copy with {@code key} set to {@code value} in its topic-level configuration. */
    public TopicSpec withConfig(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(configs);
        copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return new TopicSpec(name, partitions, replication, copy);
    }

    /** The default replication factor on a cluster of {@code brokers}: {@code min(3, brokers)}. */
    public static short defaultReplication(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("brokers must be at least 1, but was " + brokers);
        }
        return (short) Math.min(DEFAULT_MAX_REPLICATION, brokers);
    }

    /** The default {@code min.insync.replicas} of a topic with {@code replication} replicas: {@code min(2, replication)}. */
    public static int defaultMinInSyncReplicas(int replication) {
        return Math.min(DEFAULT_MAX_MIN_IN_SYNC_REPLICAS, replication);
    }

    /** Whether the replication factor and {@code min.insync.replicas} are both set. */
    public boolean isExplicit() {
        return replication.isPresent() && configs.containsKey(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
    }

    /**
     * This spec with its replication factor and {@code min.insync.replicas} set for a cluster of {@code brokers}:
     * the values it has are kept, the missing ones get their defaults.
     *
     * @throws IllegalArgumentException if {@code min.insync.replicas} is not a number between 1 and the
     *     replication factor
     */
    public TopicSpec explicitFor(int brokers) {
        short rf = replication.orElseGet(() -> defaultReplication(brokers));
        String set = configs.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
        int minInSync;
        try {
            minInSync = set == null ? defaultMinInSyncReplicas(rf) : Integer.parseInt(set.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("min.insync.replicas of topic " + name + " must be a number, but was "
                    + set, e);
        }
        if (minInSync < 1 || minInSync > rf) {
            throw new IllegalArgumentException("min.insync.replicas of topic " + name
                    + " must be between 1 and its replication factor " + rf + ", but was " + minInSync);
        }
        return new TopicSpec(name, partitions, Optional.of(rf), configs)
                .withConfig(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(minInSync));
    }
}
