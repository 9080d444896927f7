package io.promptq.worker.kafka.internal;

import java.time.Duration;
import java.util.List;

/**
 * Builds {@link LoopSettings} for tests: fast defaults (topic {@code jobs} with one retry tier
 * {@code jobs.retry.1}, K = 10, cap 10, buffer 50, 50 ms polls, 20 ms commit interval, transactions, 5 s revoke timeout and
 * shutdown grace, 1 s close timeout), each changed by a fluent setter.
 *
 * <pre>{@code
 * LoopSettings settings = TestLoopSettings.defaults().partitionConcurrency(2).maxInFlight(3).build();
 * }</pre>
 */
final class TestLoopSettings {

    static final String JOBS = "jobs";
    static final String RETRY = "jobs.retry.1";

    private String jobsTopic = JOBS;
    private List<String> retryTopics = List.of(RETRY);
    private int partitionConcurrency = 10;
    private int maxInFlight = 10;
    private int bufferPerPartition = 50;
    private int maxUncommitted = 10_000;
    private Duration pollTimeout = Duration.ofMillis(50);
    private Duration commitInterval = Duration.ofMillis(20);
    private boolean transactions = true;
    private int offsetMetadataMaxChars = 4096;
    private Duration revokeTimeout = Duration.ofSeconds(5);
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private Duration closeTimeout = Duration.ofSeconds(1);

    private TestLoopSettings() {}

    static TestLoopSettings defaults() {
        return new TestLoopSettings();
    }

    TestLoopSettings jobsTopic(String jobsTopic) {
        this.jobsTopic = jobsTopic;
        return this;
    }

    TestLoopSettings retryTopics(List<String> retryTopics) {
        this.retryTopics = retryTopics;
        return this;
    }

    TestLoopSettings partitionConcurrency(int partitionConcurrency) {
        this.partitionConcurrency = partitionConcurrency;
        return this;
    }

    TestLoopSettings maxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
        return this;
    }

    TestLoopSettings bufferPerPartition(int bufferPerPartition) {
        this.bufferPerPartition = bufferPerPartition;
        return this;
    }

    TestLoopSettings maxUncommitted(int maxUncommitted) {
        this.maxUncommitted = maxUncommitted;
        return this;
    }

    TestLoopSettings pollTimeout(Duration pollTimeout) {
        this.pollTimeout = pollTimeout;
        return this;
    }

    TestLoopSettings commitInterval(Duration commitInterval) {
        this.commitInterval = commitInterval;
        return this;
    }

    TestLoopSettings offsetMetadataMaxChars(int offsetMetadataMaxChars) {
        this.offsetMetadataMaxChars = offsetMetadataMaxChars;
        return this;
    }

    TestLoopSettings transactions(boolean transactions) {
        this.transactions = transactions;
        return this;
    }

    TestLoopSettings revokeTimeout(Duration revokeTimeout) {
        this.revokeTimeout = revokeTimeout;
        return this;
    }

    TestLoopSettings shutdownGrace(Duration shutdownGrace) {
        this.shutdownGrace = shutdownGrace;
        return this;
    }

    TestLoopSettings closeTimeout(Duration closeTimeout) {
        this.closeTimeout = closeTimeout;
        return this;
    }

    LoopSettings build() {
        return new LoopSettings(jobsTopic, retryTopics, partitionConcurrency, maxInFlight, bufferPerPartition,
                maxUncommitted, pollTimeout, commitInterval, transactions, offsetMetadataMaxChars,
                revokeTimeout, shutdownGrace, closeTimeout);
    }
}
