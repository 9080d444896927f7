package io.promptq.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a topic should look like when promptq creates it: its name, partitions, replication factor and
 * topic-level configuration ({@code cleanup.policy}, {@code retention.ms}, ...). Immutable; the
 * {@link TopicProvisioner} creates it if missing and leaves an existing topic as it is.
 *
 * @param name the topic's name
 * @param partitions partitions, at least 1
 * @param replication replication factor; empty: the broker's {@code default.replication.factor}
 * @param configs topic-level configuration ({@link org.apache.kafka.common.config.TopicConfig} keys); the
 *     broker's defaults apply to every key not set here
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
}
