package io.promptq.aggregator;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.lifecycle.Signals;
import io.promptq.metrics.Metrics;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the aggregator as a process: reads the environment, starts {@link AggregatorService}, closes it on
 * SIGTERM or SIGINT and exits with status 0 after that clean shutdown (as every promptq service does), or non-zero
 * if the configuration is bad (2), the start-up fails or Kafka Streams fails (1).
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
        // Before start-up, so that a SIGTERM arriving while the service starts still stops it cleanly (exit 0).
        CountDownLatch stop = new CountDownLatch(1);
        boolean signals = Signals.onTerminate(stop::countDown);
        AggregatorService service;
        try {
            service = AggregatorService.start(config,
                    Metrics.prometheus("aggregator", config.applicationId() + "@" + config.advertisedHost()));
        } catch (RuntimeException e) {
            log.error("The aggregator could not start: {}", e.toString(), e);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("aggregator-shutdown").unstarted(() -> {
            stop.countDown();
            service.close();
        }));
        if (!signals) {
            log.info("Signal handlers unavailable: SIGTERM stops the aggregator through the shutdown hook");
        }
        service.terminated().whenComplete((state, error) -> stop.countDown());
        stop.await();
        boolean failed = service.terminated().isDone() && endState(service) == KafkaStreams.State.ERROR;
        service.close();
        if (failed) {
            log.error("Kafka Streams failed; exiting");
            System.exit(1);
        }
        System.exit(0);
    }

    private static KafkaStreams.State endState(AggregatorService service) throws InterruptedException {
        try {
            return service.terminated().get();
        } catch (ExecutionException e) {
            return KafkaStreams.State.ERROR;
        }
    }
}
