package io.promptq.worker.processing;

import java.util.Objects;

/**
 * Where a record lives: topic, partition and offset. Used for the record a job was read from and for where the
 * job was first published.
 */
public record Coordinates(String topic, int partition, long offset) {

    public Coordinates {
        Objects.requireNonNull(topic, "topic");
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
