package io.promptq.aggregator;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.metrics.Metrics;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the aggregator as a process: reads the environment, starts {@link AggregatorService}, closes it on
 * SIGTERM and exits non-zero if the configuration is bad (2), the start-up fails or Kafka Streams fails (1).
 */
public final class AggregatorMain {

    private static final Logger log = LoggerFactory.getLogger(AggregatorMain.class);

    private AggregatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        AggregatorConfig config;
        try {
            config = AggregatorConfig.from(ConfigSource.fromEnvironment());
        } catch (ConfigException e) {
            log.error("Invalid configuration: {}", e.getMessage());
            System.exit(2);
            return;
        }
        AggregatorService service;
        try {
            service = AggregatorService.start(config,
                    Metrics.prometheus("aggregator", config.applicationId() + "@" + config.advertisedHost()));
        } catch (RuntimeException e) {
            log.error("The aggregator could not start: {}", e.toString(), e);
            System.exit(1);
            return;
        }
        Thread hook = Thread.ofPlatform().name("aggregator-shutdown").unstarted(service::close);
        Runtime.getRuntime().addShutdownHook(hook);
        KafkaStreams.State end;
        try {
            end = service.terminated().get();
        } catch (ExecutionException e) {
            end = KafkaStreams.State.ERROR;
        }
        if (end == KafkaStreams.State.ERROR) {
            log.error("Kafka Streams failed; exiting");
            service.close();
            System.exit(1);
        }
    }
}
