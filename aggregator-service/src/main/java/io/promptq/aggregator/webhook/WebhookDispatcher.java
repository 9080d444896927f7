package io.promptq.aggregator.webhook;

import io.micrometer.core.instrument.MeterRegistry;
import io.promptq.aggregator.webhook.internal.Deliveries;
import io.promptq.aggregator.webhook.internal.DispatchLoop;
import io.promptq.kafka.KafkaSettings;
import io.promptq.schema.JobResult;
import io.promptq.topic.Topics;
import io.promptq.webhook.WebhookTargets;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs every terminal result that names a callback URL to that URL. It reads the results topic on its own consumer
 * group ({@code <application id>-webhooks}) and threads, apart from the Kafka Streams app, so receivers never slow
 * job processing or the statistics. Deliveries run concurrently (at most {@link WebhookConfig#concurrency()} at
 * once); a result's offset is committed only after its delivery succeeded or it was written to the callback
 * dead-letter topic ({@link Topics#webhookDeadLetters()}, headers {@value #ERROR_HEADER}, {@value #ATTEMPTS_HEADER}
 * and {@value #URL_HEADER}).
 *
 * <p>Delivery is at least once: a crash or rebalance after a POST and before its commit sends it again, and so does a
 * second result of the same job (which workers avoid but the results topic does not forbid). Every attempt carries
 * the same {@code webhook-id} (the job id), so receivers deduplicate by it; the dispatcher keeps no dedup state of its
 * own beyond that.
 */
public final class WebhookDispatcher implements AutoCloseable {

    /** Counter of results whose delivery ended, tagged {@code outcome} = delivered, dead_lettered or refused. */
    public static final String DELIVERIES_METER = "promptq.webhooks.deliveries";
    /** Timer of single POST attempts, tagged {@code result} = success or failure. */
    public static final String LATENCY_METER = "promptq.webhooks.latency";
    /** Dead-letter header: the last attempt's error. */
    public static final String ERROR_HEADER = "promptq.webhook.error";
    /** Dead-letter header: how many attempts were made (decimal). */
    public static final String ATTEMPTS_HEADER = "promptq.webhook.attempts";
    /** Dead-letter header: the callback URL. */
    public static final String URL_HEADER = "promptq.webhook.url";
    /** Appended to the aggregator's application id to name the dispatcher's consumer group. */
    public static final String GROUP_SUFFIX = "-webhooks";

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final DispatchLoop loop;
    private final Thread thread;
    private final Deliveries deliveries;
    private final HttpClient http;
    private final Producer<String, JobResult> producer;

    private WebhookDispatcher(DispatchLoop loop, Thread thread, Deliveries deliveries, HttpClient http,
            Producer<String, JobResult> producer) {
        this.loop = loop;
        this.thread = thread;
        this.deliveries = deliveries;
        this.http = http;
        this.producer = producer;
    }

    /**
     * Starts the dispatcher on the results topic of {@code topics}.
     *
     * @param applicationId the aggregator's application id; the group is that plus {@value #GROUP_SUFFIX}
     * @throws IllegalArgumentException if webhooks are off in {@code config}
     */
    public static WebhookDispatcher start(WebhookConfig config, KafkaSettings kafka, String applicationId,
            Topics topics, MeterRegistry metrics, Clock clock) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("webhooks are off: " + WebhookTargets.ALLOWED_URLS
                    + " is empty");
        }
        String group = applicationId + GROUP_SUFFIX;
        KafkaProducer<String, JobResult> producer = new KafkaProducer<>(kafka.producerConfig(group + "-dlq"),
                topics.webhookDeadLetters().keySerializer(), topics.webhookDeadLetters().valueSerializer());
        HttpClient http = HttpClient.newBuilder()
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("promptq-webhook-", 0).factory()))
                .build();
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("promptq-webhook-retries").daemon().factory());
        Deliveries deliveries = new Deliveries(config, http, scheduler, producer, topics.webhookDeadLetters().name(),
                metrics, clock);
        KafkaConsumer<String, JobResult> consumer = new KafkaConsumer<>(kafka.consumerConfig(group, group),
                topics.results().keyDeserializer(), topics.results().valueDeserializer());
        DispatchLoop loop = new DispatchLoop(consumer, topics.results().name(), deliveries, config.concurrency());
        Thread thread = Thread.ofPlatform().name("promptq-webhook-poll").start(loop);
        log.info("Webhook dispatcher started: {} -> callbacks on {} (group {}, {} attempts, concurrency {}), dead letters to {}",
                topics.results().name(), config.targets().allowedUrls(), group, config.maxAttempts(),
                config.concurrency(), topics.webhookDeadLetters().name());
        return new WebhookDispatcher(loop, thread, deliveries, http, producer);
    }

    /** Whether the poll loop is still running (false after a fatal error or {@link #close()}). */
    public boolean running() {
        return thread.isAlive();
    }

    /**
     * Stops polling, commits the offsets of finished deliveries and stops; deliveries in progress are abandoned and
     * sent again after a restart.
     */
    @Override
    public void close() {
        loop.stop();
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deliveries.close();
        http.shutdownNow();
        producer.close(CLOSE_TIMEOUT);
    }
}
