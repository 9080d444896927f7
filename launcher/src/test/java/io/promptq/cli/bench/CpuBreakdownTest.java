package io.promptq.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuBreakdownTest {

    @Test
    void threadsAreAttributedToComponentsByName() {
        assertThat(CpuBreakdown.componentOf("bench-a1b2c3.noop.aggregator-9758e558-StreamThread-1")).isEqualTo("aggregator");
        assertThat(CpuBreakdown.componentOf("kafka-producer-network-thread | bench-a1b2c3.noop.aggregator-9758-StreamThread-1-producer"))
                .isEqualTo("aggregator");
        assertThat(CpuBreakdown.componentOf("promptq-worker-poll-noop-worker-1")).isEqualTo("worker");
        assertThat(CpuBreakdown.componentOf("ForkJoinPool-1-worker-2")).isEqualTo("worker");
        assertThat(CpuBreakdown.componentOf("kafka-producer-network-thread | noop-worker-1-producer")).isEqualTo("worker");
        assertThat(CpuBreakdown.componentOf("consumer_background_thread")).isEqualTo("worker");
        assertThat(CpuBreakdown.componentOf("main")).isEqualTo("client");
        assertThat(CpuBreakdown.componentOf("kafka-producer-network-thread | bench-a1b2c3.noop.client")).isEqualTo("client");
        assertThat(CpuBreakdown.componentOf("promptq-bench-results")).isEqualTo("bench");
        assertThat(CpuBreakdown.componentOf("data-plane-kafka-request-handler-3")).isEqualTo("broker");
    }

    @Test
    void unattributedProcessCpuIsTheJvmsAndComponentsAreSortedLargestFirst() {
        Map<String, Long> threads = Map.of(
                "promptq-worker-poll-w1", 1_000_000_000L,
                "ForkJoinPool-1-worker-1", 1_000_000_000L,
                "data-plane-kafka-request-handler-0", 3_000_000_000L);
        CpuBreakdown b = CpuBreakdown.of(threads, 6_000_000_000L, 10_000);
        assertThat(b.perThousand().keySet()).containsExactly("broker", "worker", "jvm");
        assertThat(b.perThousand().get("broker")).isCloseTo(0.3, within(1e-12));
        assertThat(b.perThousand().get("worker")).isCloseTo(0.2, within(1e-12));
        assertThat(b.perThousand().get("jvm")).isCloseTo(0.1, within(1e-12));
        assertThat(b.describe()).isEqualTo("broker 0.300, worker 0.200, jvm 0.100");
    }
}
