package io.promptq.cli.internal;

import io.promptq.config.ConfigException;
import io.promptq.config.ConfigSource;
import io.promptq.llm.LlmConfig;
import io.promptq.worker.WorkerConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options shared by the commands that start a local stack ({@code demo}, {@code up}). */
public final class StackOptions {

    /** Which provider the workers call. */
    public enum Provider { SIMULATED, OPENAI }

    @Option(names = "--workers", defaultValue = "3", description = "Worker instances in the consumer group (default: ${DEFAULT-VALUE}).")
    public int workers;

    @Option(names = "--concurrency", defaultValue = "10", description = "Jobs in flight per partition, per worker (default: ${DEFAULT-VALUE}).")
    public int concurrency;

    @Option(names = "--partitions", defaultValue = "6", description = "Partitions of the jobs and retry topics (default: ${DEFAULT-VALUE}).")
    public int partitions;

    @Option(names = "--failure-rate", defaultValue = "0.2", description = "Simulated transient failures per attempt (default: ${DEFAULT-VALUE}).")
    public double failureRate;

    @Option(names = "--permanent-rate", defaultValue = "0.01", description = "Simulated permanent failures per attempt (default: ${DEFAULT-VALUE}).")
    public double permanentRate;

    @Option(names = "--latency", defaultValue = "uniform:100ms-500ms",
            description = "Simulated latency: fixed:200ms, uniform:100ms-500ms or lognormal:median=300ms,p99=2s (default: ${DEFAULT-VALUE}).")
    public String latency;

    @Option(names = "--retry-delays", defaultValue = "1s,2s,4s", description = "Delay of each retry tier (default: ${DEFAULT-VALUE}).")
    public String retryDelays;

    @Option(names = "--max-attempts", defaultValue = "5", description = "Attempts before a job is dead-lettered (default: ${DEFAULT-VALUE}).")
    public int maxAttempts;

    @Option(names = "--provider", defaultValue = "simulated", description = "simulated or openai (any OpenAI-compatible endpoint).")
    public Provider provider;

    @Option(names = "--base-url", description = "OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 (with --provider openai).")
    public String baseUrl;

    @Option(names = "--model", defaultValue = "mock-1", description = "Model the jobs ask for (default: ${DEFAULT-VALUE}).")
    public String model;

    /** The option behind each configuration key these options set, for error messages. */
    private static final Map<String, String> OPTION_OF_KEY = Map.of(
            WorkerConfig.PARTITION_CONCURRENCY.name(), "--concurrency",
            WorkerConfig.MAX_IN_FLIGHT.name(), "--concurrency",
            WorkerConfig.RETRY_DELAYS.name(), "--retry-delays",
            WorkerConfig.MAX_ATTEMPTS.name(), "--max-attempts",
            LlmConfig.SIM_LATENCY.name(), "--latency",
            LlmConfig.SIM_TRANSIENT_RATE.name(), "--failure-rate",
            LlmConfig.SIM_PERMANENT_RATE.name(), "--permanent-rate",
            LlmConfig.OPENAI_BASE_URL.name(), "--base-url");

    /** The configuration entries these options stand for. */
    public Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put(WorkerConfig.PARTITION_CONCURRENCY.name(), Integer.toString(concurrency));
        env.put(WorkerConfig.MAX_IN_FLIGHT.name(), Integer.toString(Math.max(concurrency * partitions, 1)));
        env.put(WorkerConfig.RETRY_DELAYS.name(), retryDelays);
        env.put(WorkerConfig.MAX_ATTEMPTS.name(), Integer.toString(maxAttempts));
        env.put(LlmConfig.PROVIDER.name(), provider.name().toLowerCase(Locale.ROOT));
        env.put(LlmConfig.SIM_LATENCY.name(), latency);
        env.put(LlmConfig.SIM_TRANSIENT_RATE.name(), Double.toString(failureRate));
        env.put(LlmConfig.SIM_PERMANENT_RATE.name(), Double.toString(permanentRate));
        if (baseUrl != null) {
            env.put(LlmConfig.OPENAI_BASE_URL.name(), baseUrl);
        }
        return env;
    }

    /** Checks the options by building the configurations they feed; a bad one names the option. */
    public LocalStack.Options toStackOptions(boolean producer, int producerPort, int aggregatorPort, boolean workerHttp) {
        if (workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, but was " + workers);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--partitions must be at least 1, but was " + partitions);
        }
        Map<String, String> env = env();
        try {
            ConfigSource config = ConfigSource.of(env);
            WorkerConfig.from(config);
            LlmConfig.from(config);
        } catch (ConfigException e) {
            String option = OPTION_OF_KEY.getOrDefault(e.key(), e.key());
            throw new IllegalArgumentException("invalid " + option + ": "
                    + e.getMessage().substring(e.getMessage().indexOf(": ") + 2), e);
        }
        return new LocalStack.Options(workers, partitions, env, producer, producerPort, aggregatorPort, workerHttp);
    }

    public String describeProvider() {
        return provider == Provider.SIMULATED
                ? String.format(Locale.ROOT, "simulated %s, %.0f%% transient + %.0f%% permanent failures",
                        latency, failureRate * 100, permanentRate * 100)
                : "openai at " + (baseUrl == null ? "the default base URL" : baseUrl) + ", model " + model;
    }

    /** Parses a CLI duration like {@code 5m}, naming the option when it is malformed. */
    public static Duration parseDuration(String option, String text) {
        try {
            return ConfigSource.of(Map.of(option, text)).duration(option, Duration.ZERO, Duration.ZERO, Duration.ofDays(1));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
