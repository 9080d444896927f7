package io.promptq.aggregator.webhook;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import io.promptq.config.ConfigSource;
import io.promptq.config.Durations;
import io.promptq.retry.Backoff;
import io.promptq.webhook.WebhookTargets;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The webhook dispatcher's settings. Webhooks are on when {@link WebhookTargets#ALLOWED_URLS} lists a prefix; then
 * the secret is required. Immutable; checked on construction; the secret never appears in {@link #toString()} or a
 * message.
 *
 * @param targets the allow-list every callback is checked against again before it is called
 *     ({@code PROMPTQ_WEBHOOK_ALLOWED_URLS}, {@code PROMPTQ_WEBHOOK_TENANT_URLS})
 * @param secret the signing secret, {@code whsec_} followed by the base64 of at least 16 random bytes (the prefix is
 *     optional); null only while webhooks are off ({@link #SECRET})
 * @param maxAttempts delivery attempts of one result before it goes to the callback dead-letter topic
 *     ({@link #MAX_ATTEMPTS}, default {@value #DEFAULT_MAX_ATTEMPTS})
 * @param connectTimeout TCP/TLS connect timeout of one attempt ({@link #CONNECT_TIMEOUT}, default 5s)
 * @param requestTimeout the longest one attempt may take until the response headers ({@link #REQUEST_TIMEOUT},
 *     default 10s)
 * @param backoffInitial the wait after the first failed attempt, doubled after each further one, full jitter
 *     ({@link #BACKOFF_INITIAL}, default 1s)
 * @param backoffMax the longest wait between attempts ({@link #BACKOFF_MAX}, default 5m)
 * @param concurrency the most results being delivered (or waiting for their next attempt) at once
 *     ({@link #CONCURRENCY}, default {@value #DEFAULT_CONCURRENCY})
 */
public record WebhookConfig(WebhookTargets targets, @Nullable String secret, int maxAttempts, Duration connectTimeout,
        Duration requestTimeout, Duration backoffInitial, Duration backoffMax, int concurrency) {

    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofSeconds(1);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);
    public static final int DEFAULT_CONCURRENCY = 64;

    /** Env key: the signing secret ({@code whsec_<base64>}); required when webhooks are on. */
    public static final ConfigKey<String> SECRET = ConfigKey.text("PROMPTQ_WEBHOOK_SECRET")
            .and(WebhookSignature::isValidSecret, "must be whsec_ followed by the base64 of at least 16 bytes")
            .secret();
    /** Env key: delivery attempts of one result before it is dead-lettered. */
    public static final ConfigKey<Integer> MAX_ATTEMPTS =
            ConfigKey.integer("PROMPTQ_WEBHOOK_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, 1, 100);
    /** Env key: connect timeout of one delivery attempt. */
    public static final ConfigKey<Duration> CONNECT_TIMEOUT = ConfigKey.duration("PROMPTQ_WEBHOOK_CONNECT_TIMEOUT",
            DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(1));
    /** Env key: the longest one delivery attempt may wait for the response. */
    public static final ConfigKey<Duration> REQUEST_TIMEOUT = ConfigKey.duration("PROMPTQ_WEBHOOK_REQUEST_TIMEOUT",
            DEFAULT_REQUEST_TIMEOUT, Duration.ofMillis(100), Duration.ofMinutes(5));
    /** Env key: the wait after the first failed attempt (doubling, full jitter). */
    public static final ConfigKey<Duration> BACKOFF_INITIAL = ConfigKey.duration("PROMPTQ_WEBHOOK_BACKOFF_INITIAL",
            DEFAULT_BACKOFF_INITIAL, Duration.ofMillis(1), Duration.ofHours(1));
    /** Env key: the longest wait between two attempts. */
    public static final ConfigKey<Duration> BACKOFF_MAX = ConfigKey.duration("PROMPTQ_WEBHOOK_BACKOFF_MAX",
            DEFAULT_BACKOFF_MAX, Duration.ofMillis(1), Duration.ofHours(24));
    /** Env key: the most results in delivery at once. */
    public static final ConfigKey<Integer> CONCURRENCY =
            ConfigKey.integer("PROMPTQ_WEBHOOK_CONCURRENCY", DEFAULT_CONCURRENCY, 1, 10_000);

    public WebhookConfig {
        Objects.requireNonNull(targets, "targets");
        if (secret != null) {
            SECRET.check(secret);
        } else if (targets.enabled()) {
            throw new ConfigException(SECRET.name(), "is required when " + WebhookTargets.ALLOWED_URLS + " is set");
        }
        MAX_ATTEMPTS.check(maxAttempts);
        CONNECT_TIMEOUT.check(connectTimeout);
        REQUEST_TIMEOUT.check(requestTimeout);
        BACKOFF_INITIAL.check(backoffInitial);
        BACKOFF_MAX.check(backoffMax);
        CONCURRENCY.check(concurrency);
        if (backoffMax.compareTo(backoffInitial) < 0) {
            throw ConfigException.invalid(BACKOFF_MAX.name(), Durations.format(backoffMax),
                    "must be at least " + BACKOFF_INITIAL + " (" + Durations.format(backoffInitial) + ")");
        }
    }

    /** Webhooks off. */
    public static WebhookConfig disabled() {
        return new WebhookConfig(WebhookTargets.none(), null, DEFAULT_MAX_ATTEMPTS, DEFAULT_CONNECT_TIMEOUT,
                DEFAULT_REQUEST_TIMEOUT, DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX, DEFAULT_CONCURRENCY);
    }

    /** Reads every key; the secret only when webhooks are on. */
    public static WebhookConfig from(ConfigSource config) {
        WebhookTargets targets = WebhookTargets.from(config);
        return new WebhookConfig(targets, targets.enabled() ? SECRET.read(config) : null,
                MAX_ATTEMPTS.read(config), CONNECT_TIMEOUT.read(config), REQUEST_TIMEOUT.read(config),
                BACKOFF_INITIAL.read(config), BACKOFF_MAX.read(config), CONCURRENCY.read(config));
    }

    /** Whether the dispatcher runs. */
    public boolean enabled() {
        return targets.enabled();
    }

    /** The wait schedule between attempts: exponential from the initial wait to the max, full jitter. */
    public Backoff backoff() {
        return Backoff.exponential(backoffInitial, backoffMax).fullJitter().build();
    }

    /** A copy with other targets and secret (tests). */
    public WebhookConfig withTargets(WebhookTargets value, @Nullable String secretValue) {
        return new WebhookConfig(value, secretValue, maxAttempts, connectTimeout, requestTimeout, backoffInitial,
                backoffMax, concurrency);
    }

    /** A copy with another attempt budget and backoff (tests). */
    public WebhookConfig withRetries(int attempts, Duration initial, Duration max) {
        return new WebhookConfig(targets, secret, attempts, connectTimeout, requestTimeout, initial, max, concurrency);
    }

    @Override
    public String toString() {
        return "WebhookConfig[targets=" + targets + ", secret=" + (secret == null ? "none" : "[hidden]")
                + ", maxAttempts=" + maxAttempts + ", connectTimeout=" + connectTimeout + ", requestTimeout="
                + requestTimeout + ", backoffInitial=" + backoffInitial + ", backoffMax=" + backoffMax
                + ", concurrency=" + concurrency + "]";
    }
}
