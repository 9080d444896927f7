package io.promptq.producer;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.lifecycle.Signals;
import io.promptq.metrics.Metrics;
import io.promptq.producer.config.ProducerServiceConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the producer service alone: reads {@link ProducerServiceConfig} from the environment, starts the
 * service and closes it gracefully on SIGTERM or SIGINT, then exits with status 0 (as every promptq service does
 * after a clean shutdown). Exits with status 2 on a bad configuration.
 */
public final class ProducerMain {

    private static final Logger log = LoggerFactory.getLogger(ProducerMain.class);

    private ProducerMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProducerServiceConfig config;
        try {
            config = ProducerServiceConfig.from(ConfigSource.fromEnvironment());
        } catch (ConfigException e) {
            log.error("Invalid configuration: {}", e.getMessage());
            System.exit(2);
            return;
        }
        // Before start-up, so that a SIGTERM arriving while the service starts still stops it cleanly (exit 0).
        CountDownLatch stop = new CountDownLatch(1);
        boolean signals = Signals.onTerminate(stop::countDown);
        PrometheusMeterRegistry registry = Metrics.prometheus("producer", instance());
        ProducerService service = ProducerService.start(config, registry);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("promptq-producer-shutdown").unstarted(() -> {
            stop.countDown();
            service.close();
        }));
        if (!signals) {
            log.info("Signal handlers unavailable: SIGTERM stops the producer through the shutdown hook");
        }
        stop.await();
        service.close();
        System.exit(0);
    }

    private static String instance() {
        try {
            return InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        } catch (UnknownHostException e) {
            return "pid-" + ProcessHandle.current().pid();
        }
    }
}
