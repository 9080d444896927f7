package io.promptq.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        WorkerConfig c = WorkerConfig.from(ConfigSource.empty());

        assertThat(c.groupId()).isEqualTo("promptq-workers");
        assertThat(c.workerId()).matches("[a-z0-9.-]+-[0-9a-f]{6}");
        assertThat(c.partitionConcurrency()).isEqualTo(10);
        assertThat(c.maxInFlight()).isEqualTo(100);
        assertThat(c.maxAttempts()).isEqualTo(5);
        assertThat(c.retryDelays()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5));
        assertThat(c.localRetries()).isZero();
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(75));
        assertThat(c.rebalanceStuckAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.groupProtocol()).isEqualTo(WorkerConfig.GroupProtocol.CLASSIC);
        assertThat(c.groupAssignor()).isEqualTo("range");
        assertThat(c.bufferPerPartition()).isEqualTo(50);
        assertThat(c.revokeTimeout()).isEqualTo(Duration.ofSeconds(75));
        assertThat(c.createTopics()).isTrue();
        assertThat(c.topicPartitions()).isEqualTo(6);
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.httpPort()).isEqualTo(8082);
        assertThat(c.resilience().callTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void jobStatesArePublishedUnlessSwitchedOffAndTheLifecycleTopicsKeepTheSharedRetention() {
        assertThat(WorkerConfig.from(ConfigSource.empty()).publishStates()).isTrue();
        assertThat(WorkerConfig.from(ConfigSource.empty()).jobStatusRetention()).isEqualTo(Duration.ofDays(7));
        WorkerConfig off = WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.PUBLISH_STATES.name(), "false",
                "PROMPTQ_JOB_STATUS_RETENTION", "2d")));

        assertThat(off.publishStates()).isFalse();
        assertThat(off.jobStatusRetention()).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void defaultRevokeTimeoutAndShutdownGraceLetAProviderCallInFlightFinishAndCommit() {
        WorkerConfig c = WorkerConfig.from(ConfigSource.empty());
        Duration call = c.resilience().callTimeout();

        assertThat(c.revokeTimeout()).isGreaterThanOrEqualTo(call.plusSeconds(10));
        assertThat(c.shutdownGrace()).isGreaterThanOrEqualTo(call.plusSeconds(10));
        assertThat(c.revokeTimeout().toMillis()).isLessThan(WorkerConfig.maxPollIntervalMs(c.kafka()));
    }

    @Test
    void revokeTimeoutNotBelowMaxPollIntervalFailsAtStartNamingBothKeys() {
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of(
                        "PROMPTQ_KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "60000"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(WorkerConfig.REVOKE_TIMEOUT.name())
                .hasMessageContaining("PROMPTQ_KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS")
                .hasMessageContaining("60000 ms");
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of(
                        WorkerConfig.REVOKE_TIMEOUT.name(), "30s", "PROMPTQ_KAFKA_MAX_POLL_INTERVAL_MS", "30000"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(WorkerConfig.REVOKE_TIMEOUT.name());
        assertThat(WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.REVOKE_TIMEOUT.name(), "30s",
                "PROMPTQ_KAFKA_CONSUMER_MAX_POLL_INTERVAL_MS", "60000"))).revokeTimeout())
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void readsEveryKey() {
        WorkerConfig c = WorkerConfig.from(ConfigSource.of(Map.ofEntries(
                Map.entry(WorkerConfig.GROUP_ID.name(), "g"),
                Map.entry(WorkerConfig.WORKER_ID.name(), "w-1"),
                Map.entry(WorkerConfig.PARTITION_CONCURRENCY.name(), "3"),
                Map.entry(WorkerConfig.MAX_IN_FLIGHT.name(), "7"),
                Map.entry(WorkerConfig.BUFFER_PER_PARTITION.name(), "9"),
                Map.entry(WorkerConfig.MAX_ATTEMPTS.name(), "2"),
                Map.entry(WorkerConfig.RETRY_DELAYS.name(), "1s,2s,4s"),
                Map.entry(WorkerConfig.LOCAL_RETRIES.name(), "1"),
                Map.entry(WorkerConfig.REVOKE_TIMEOUT.name(), "3s"),
                Map.entry(WorkerConfig.SHUTDOWN_GRACE.name(), "5s"),
                Map.entry(WorkerConfig.REBALANCE_STUCK_AFTER.name(), "90s"),
                Map.entry(WorkerConfig.GROUP_PROTOCOL.name(), "classic"),
                Map.entry(WorkerConfig.CREATE_TOPICS.name(), "false"),
                Map.entry(WorkerConfig.TOPIC_PARTITIONS.name(), "12"),
                Map.entry(WorkerConfig.HTTP_PORT.name(), "0"))));

        assertThat(c.groupId()).isEqualTo("g");
        assertThat(c.rebalanceStuckAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.workerId()).isEqualTo("w-1");
        assertThat(c.partitionConcurrency()).isEqualTo(3);
        assertThat(c.maxInFlight()).isEqualTo(7);
        assertThat(c.bufferPerPartition()).isEqualTo(9);
        assertThat(c.maxAttempts()).isEqualTo(2);
        assertThat(c.retryDelays()).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(c.localRetries()).isEqualTo(1);
        assertThat(c.revokeTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.groupProtocol()).isEqualTo(WorkerConfig.GroupProtocol.CLASSIC);
        assertThat(c.createTopics()).isFalse();
        assertThat(c.topicPartitions()).isEqualTo(12);
        assertThat(c.httpPort()).isZero();
    }

    @Test
    void badValueIsRefusedNamingTheKeyAndTheValue() {
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.PARTITION_CONCURRENCY.name(), "0"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(WorkerConfig.PARTITION_CONCURRENCY.name()).hasMessageContaining("'0'");
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.MAX_ATTEMPTS.name(), "many"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(WorkerConfig.MAX_ATTEMPTS.name());
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.SHUTDOWN_GRACE.name(), "soon"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(WorkerConfig.SHUTDOWN_GRACE.name());
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.GROUP_PROTOCOL.name(), "eager"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(WorkerConfig.GROUP_PROTOCOL.name());
    }

    @Test
    void revokeTimeoutStaysBelowThePollIntervalSoTheWorkerIsNotEvicted() {
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.REVOKE_TIMEOUT.name(), "5m"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(WorkerConfig.REVOKE_TIMEOUT.name()).hasMessageContaining("'5m'");
        assertThat(WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.REVOKE_TIMEOUT.name(), "4m"))).revokeTimeout())
                .isEqualTo(WorkerConfig.MAX_REVOKE_TIMEOUT);
    }

    @Test
    void decreasingRetryDelaysAreRefused() {
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.RETRY_DELAYS.name(), "30s,5s"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(WorkerConfig.RETRY_DELAYS.name()).hasMessageContaining("30s,5s");
    }

    @Test
    void badKeysOfOtherModulesAlsoStopTheStart() {
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of("PROMPTQ_LLM_CALL_TIMEOUT", "-1s"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PROMPTQ_LLM_CALL_TIMEOUT");
    }

    @Test
    void consumerUsesCooperativeStickyByDefaultAndKip848WhenAsked() {
        Map<String, Object> classic = io.promptq.worker.internal.WorkerRuntime.consumerConfig(WorkerConfig.from(ConfigSource.empty()));
        assertThat(classic).containsEntry("group.protocol", "classic")
                .containsEntry("partition.assignment.strategy",
                        org.apache.kafka.clients.consumer.CooperativeStickyAssignor.class.getName())
                .containsEntry("enable.auto.commit", false)
                .containsEntry("fetch.max.wait.ms", 20);
        Map<String, Object> kip848 = io.promptq.worker.internal.WorkerRuntime.consumerConfig(
                WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.GROUP_PROTOCOL.name(), "consumer"))));
        assertThat(kip848).containsEntry("group.protocol", "consumer").containsEntry("group.remote.assignor", "range")
                .doesNotContainKey("partition.assignment.strategy");
    }

    @Test
    void classicConsumerDetectsAKilledWorkerWithinTenSecondsByDefaultAndThePassThroughStillWins() {
        Map<String, Object> classic = io.promptq.worker.internal.WorkerRuntime.consumerConfig(WorkerConfig.from(ConfigSource.empty()));
        assertThat(classic).containsEntry("session.timeout.ms", 10_000).containsEntry("heartbeat.interval.ms", 3_000);

        Map<String, Object> overridden = io.promptq.worker.internal.WorkerRuntime.consumerConfig(WorkerConfig.from(
                ConfigSource.of(Map.of("PROMPTQ_KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "30000"))));
        assertThat(String.valueOf(overridden.get("session.timeout.ms"))).isEqualTo("30000");

        Map<String, Object> kip848 = io.promptq.worker.internal.WorkerRuntime.consumerConfig(
                WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.GROUP_PROTOCOL.name(), "consumer"))));
        assertThat(kip848).as("the broker owns them under KIP-848").doesNotContainKeys("session.timeout.ms",
                "heartbeat.interval.ms");
    }

    @Test
    void toBuilderChangesOnlyWhatIsSet() {
        WorkerConfig defaults = WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.WORKER_ID.name(), "w-1")));

        WorkerConfig changed = defaults.toBuilder().maxInFlight(5).build();

        assertThat(changed.maxInFlight()).isEqualTo(5);
        assertThat(changed.toBuilder().maxInFlight(defaults.maxInFlight()).build()).isEqualTo(defaults);
    }

    @Test
    void builtValuesAreCheckedAgainstTheSameKeysAsReadOnes() {
        assertThatThrownBy(() -> WorkerConfig.builder().partitionConcurrency(0).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage(WorkerConfig.PARTITION_CONCURRENCY.name() + ": invalid value '0', must be between 1 and 1000000");
        assertThatThrownBy(() -> WorkerConfig.builder().topicReplication(0).build())
                .isInstanceOf(ConfigException.class).hasMessageContaining(WorkerConfig.TOPIC_REPLICATION.name());
        assertThatThrownBy(() -> WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.TOPIC_REPLICATION.name(), "0"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(WorkerConfig.TOPIC_REPLICATION.name());
    }

    @Test
    void minInSyncReplicasOfCreatedTopicsDefaultsToTheClusterBasedValueAndMayNotExceedTheReplication() {
        assertThat(WorkerConfig.builder().build().topicMinInSyncReplicas()).isEqualTo(-1);
        assertThat(WorkerConfig.from(ConfigSource.of(Map.of(WorkerConfig.TOPIC_REPLICATION.name(), "3",
                WorkerConfig.TOPIC_MIN_INSYNC_REPLICAS.name(), "2"))).topicMinInSyncReplicas()).isEqualTo(2);
        assertThatThrownBy(() -> WorkerConfig.builder().topicReplication(2).topicMinInSyncReplicas(3).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(WorkerConfig.TOPIC_MIN_INSYNC_REPLICAS.name());
        assertThatThrownBy(() -> WorkerConfig.builder().topicMinInSyncReplicas(0).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(WorkerConfig.TOPIC_MIN_INSYNC_REPLICAS.name());
    }

    @Test
    void theLongestRetryDelayIsTheLastTierOrTheRetryAfterCapWhicheverIsLonger() {
        WorkerConfig defaults = WorkerConfig.builder().build();

        assertThat(defaults.toBuilder().retryDelays(List.of(Duration.ofSeconds(5), Duration.ofHours(2))).build()
                .longestRetryDelay()).isEqualTo(Duration.ofHours(2));
        assertThat(defaults.toBuilder().retryDelays(List.of(Duration.ofSeconds(5))).build().longestRetryDelay())
                .isEqualTo(defaults.resilience().maxRetryAfter());
    }
}
