package io.promptq.cli.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.aggregator.AggregatorConfig;
import io.promptq.llm.LlmConfig;
import io.promptq.topic.TopicNames;
import io.promptq.topic.TopicSpecs;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/**
 * The local stack creates the topics before any service does; they must still look as the services would create
 * them (before, the windows topic got the broker's defaults instead of the aggregator's retention).
 */
class LocalStackTopicsIT {

    @Test
    void topicsCreatedByTheStackHaveTheConfigurationTheAggregatorWouldGiveThem() throws Exception {
        Duration retention = Duration.ofHours(3);
        LocalStack.Options options = new LocalStack.Options(1, 2,
                Map.of(AggregatorConfig.WINDOW_RETENTION.name(), "3h", LlmConfig.SIM_LATENCY.name(), "fixed:10ms"),
                false, 0, 0, false);
        try (LocalStack stack = LocalStack.start(options, Optional.empty(), line -> { })) {
            TopicNames names = stack.topics().names();
            assertThat(AggregatorConfig.from(stack.config()).windowRetention()).isEqualTo(retention);
            TopicSpecs aggregatorWould = TopicSpecs.of(names, 2);

            Config windows = config(stack, names.windows());
            assertThat(windows.get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(aggregatorWould.windows(retention).configs().get(TopicConfig.CLEANUP_POLICY_CONFIG))
                    .isEqualTo("compact,delete");
            assertThat(windows.get(TopicConfig.RETENTION_MS_CONFIG).value())
                    .isEqualTo(Long.toString(retention.toMillis()));
            assertThat(config(stack, names.totals()).get(TopicConfig.CLEANUP_POLICY_CONFIG).value())
                    .isEqualTo(TopicConfig.CLEANUP_POLICY_COMPACT);
            assertThat(stack.cluster().admin().describeTopics(List.of(names.windows())).allTopicNames().get()
                    .get(names.windows()).partitions()).hasSize(2);
        }
    }

    private static Config config(LocalStack stack, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return stack.cluster().admin().describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
