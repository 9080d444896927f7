package io.promptq.aggregator.webhook.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.promptq.aggregator.JobResultView;
import io.promptq.aggregator.internal.query.QueryApiJson;
import io.promptq.aggregator.webhook.WebhookConfig;
import io.promptq.aggregator.webhook.WebhookDispatcher;
import io.promptq.aggregator.webhook.WebhookSignature;
import io.promptq.retry.Backoff;
import io.promptq.schema.JobResult;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one result to its callback: each attempt a signed POST with a fresh timestamp and the same
 * {@code webhook-id}; a 2xx answer ends it, anything else (another status, a redirect, a timeout, a refused
 * connection) is retried after the backoff's delay until the attempt budget is spent; then the result goes to the
 * callback dead-letter topic with the last error and the attempt count in headers. Nothing blocks a thread: the
 * HTTP client is asynchronous and waits are scheduled. The caller's {@code onDone} runs once per result, after the
 * delivery or the dead-letter write was acknowledged. Thread-safe.
 */
public final class Deliveries implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Deliveries.class);
    private static final String USER_AGENT = "promptq-webhooks/1";
    private static final int MAX_ERROR_LENGTH = 512;

    private final WebhookConfig config;
    private final WebhookSignature signature;
    private final Backoff backoff;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Producer<String, JobResult> deadLetters;
    private final String deadLetterTopic;
    private final Clock clock;
    private final Counter delivered;
    private final Counter deadLettered;
    private final Counter refused;
    private final Timer succeededAttempts;
    private final Timer failedAttempts;

    public Deliveries(WebhookConfig config, HttpClient http, ScheduledExecutorService scheduler,
            Producer<String, JobResult> deadLetters, String deadLetterTopic, MeterRegistry metrics, Clock clock) {
        this.config = config;
        this.signature = WebhookSignature.of(Objects.requireNonNull(config.secret(), "secret"));
        this.backoff = config.backoff();
        this.http = http;
        this.scheduler = scheduler;
        this.deadLetters = deadLetters;
        this.deadLetterTopic = deadLetterTopic;
        this.clock = clock;
        this.delivered = outcome(metrics, "delivered");
        this.deadLettered = outcome(metrics, "dead_lettered");
        this.refused = outcome(metrics, "refused");
        this.succeededAttempts = Timer.builder(WebhookDispatcher.LATENCY_METER).tag("result", "success")
                .description("Duration of one webhook POST until its response").register(metrics);
        this.failedAttempts = Timer.builder(WebhookDispatcher.LATENCY_METER).tag("result", "failure")
                .description("Duration of one webhook POST until its response").register(metrics);
    }

    private static Counter outcome(MeterRegistry metrics, String outcome) {
        return Counter.builder(WebhookDispatcher.DELIVERIES_METER).tag("outcome", outcome)
                .description("Results whose webhook delivery ended, by outcome").register(metrics);
    }

    /** Starts delivering {@code result} to its callback URL; {@code onDone} runs once when it is over. */
    public void start(JobResult result, String url, Runnable onDone) {
        Attempt state = new Attempt(result, url, onDone);
        String refusal = config.targets().refusal(url);
        if (refusal != null) {
            refused.increment();
            log.warn("Webhook of job {} not called: its callbackUrl {}", result.getJobId(), refusal);
            deadLetter(state, "callbackUrl " + refusal);
            return;
        }
        try {
            state.body = QueryApiJson.MAPPER.writeValueAsBytes(JobResultView.from(result));
            state.uri = URI.create(url);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            deadLetter(state, "cannot build the request: " + e.getMessage());
            return;
        }
        attempt(state);
    }

    private void attempt(Attempt state) {
        String jobId = state.result.getJobId();
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(state.uri)
                .timeout(config.requestTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", USER_AGENT)
                .header(WebhookSignature.ID_HEADER, jobId)
                .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(timestamp))
                .header(WebhookSignature.SIGNATURE_HEADER, signature.sign(jobId, timestamp, state.body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(state.body))
                .build();
        state.attempts++;
        long started = System.nanoTime();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            long nanos = System.nanoTime() - started;
            if (error == null && response.statusCode() / 100 == 2) {
                succeededAttempts.record(nanos, TimeUnit.NANOSECONDS);
                delivered.increment();
                log.debug("Webhook of job {} delivered on attempt {}", jobId, state.attempts);
                state.onDone.run();
                return;
            }
            failedAttempts.record(nanos, TimeUnit.NANOSECONDS);
            state.lastError = error == null ? "HTTP " + response.statusCode() : describe(error);
            if (state.attempts >= config.maxAttempts()) {
                log.warn("Webhook of job {} failed {} times (last: {}); moving it to {}", jobId, state.attempts,
                        state.lastError, deadLetterTopic);
                deadLetter(state, state.lastError);
            } else {
                Duration wait = backoff.delay(state.attempts);
                log.debug("Webhook of job {} attempt {} failed ({}); next in {}", jobId, state.attempts,
                        state.lastError, wait);
                schedule(() -> attempt(state), wait);
            }
        });
    }

    private void deadLetter(Attempt state, String error) {
        ProducerRecord<String, JobResult> record =
                new ProducerRecord<>(deadLetterTopic, state.result.getJobId(), state.result);
        record.headers()
                .add(WebhookDispatcher.ERROR_HEADER, truncate(error).getBytes(StandardCharsets.UTF_8))
                .add(WebhookDispatcher.ATTEMPTS_HEADER,
                        Integer.toString(state.attempts).getBytes(StandardCharsets.UTF_8))
                .add(WebhookDispatcher.URL_HEADER, truncate(state.url).getBytes(StandardCharsets.UTF_8));
        try {
            deadLetters.send(record, (metadata, e) -> {
                if (e == null) {
                    if (state.attempts > 0) {
                        deadLettered.increment();
                    }
                    state.onDone.run();
                } else {
                    log.warn("Writing the failed webhook of job {} to {} failed; trying again", state.result.getJobId(),
                            deadLetterTopic, e);
                    schedule(() -> deadLetter(state, error), config.backoffMax());
                }
            });
        } catch (RuntimeException e) {
            log.warn("Writing the failed webhook of job {} to {} failed; trying again", state.result.getJobId(),
                    deadLetterTopic, e);
            schedule(() -> deadLetter(state, error), config.backoffMax());
        }
    }

    private void schedule(Runnable task, Duration wait) {
        if (!scheduler.isShutdown()) {
            scheduler.schedule(task, wait.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private static String describe(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null
                ? error.getCause() : error;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static String truncate(String text) {
        return text.length() <= MAX_ERROR_LENGTH ? text : text.substring(0, MAX_ERROR_LENGTH);
    }

    /** Stops scheduling further attempts; results not finished are delivered again after a restart. */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    /** The progress of one result's delivery; touched by one thread at a time (attempts are sequential). */
    private static final class Attempt {
        private final JobResult result;
        private final String url;
        private final Runnable onDone;
        private byte @Nullable [] body;
        private @Nullable URI uri;
        private int attempts;
        private String lastError = "";

        Attempt(JobResult result, String url, Runnable onDone) {
            this.result = result;
            this.url = url;
            this.onDone = onDone;
        }
    }
}
