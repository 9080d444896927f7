package io.promptq.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import io.promptq.local.internal.ApicurioDistribution;
import io.promptq.local.internal.ApicurioLauncher;
import io.promptq.local.internal.FreePorts;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real schema registry for local runs and tests: Apicurio Registry (in-memory storage) as a
 * child process on 127.0.0.1, serving the Confluent Schema Registry REST API at {@link #url()}.
 *
 * <p>Confluent's own registry is not available from Maven Central; Apicurio's Confluent-compatible
 * API ({@code /apis/ccompat/v7}) is. The distribution is found as described in
 * {@code ApicurioDistribution} (normally {@code local-cluster/target/apicurio}, override with
 * {@code PROMPTQ_APICURIO_HOME} or {@code -Dpromptq.apicurio.home}).
 *
 * <p>The process is stopped by {@link #close()}, by a JVM shutdown hook (SIGTERM, Ctrl-C) and, if the
 * parent JVM is killed outright, by a watchdog inside the child. Its output goes to {@link #logFile()};
 * a failed start-up quotes the end of that log.
 */
public final class LocalSchemaRegistry implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalSchemaRegistry.class);

    /** Path of the Confluent-compatible API under the registry's base URL. */
    public static final String CONFLUENT_API_PATH = "/apis/ccompat/v7";

    private static final int MAX_START_ATTEMPTS = 3;
    private static final int LOG_TAIL_LINES = 40;
    private static final int GRACEFUL_STOP_SECONDS = 15;
    private static final Duration GRACEFUL_STOP = Duration.ofSeconds(GRACEFUL_STOP_SECONDS);

    private final Config config;
    private final Process process;
    private final ApicurioLauncher launcher;
    private final int port;
    private final Path workDir;
    private final Duration startupTime;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalSchemaRegistry(Config config, Process process, ApicurioLauncher launcher, int port, Path workDir,
                                Duration startupTime, Thread shutdownHook) {
        this.config = config;
        this.process = process;
        this.launcher = launcher;
        this.port = port;
        this.workDir = workDir;
        this.startupTime = startupTime;
        this.shutdownHook = shutdownHook;
    }

    /** Starts a registry with the {@linkplain Config#defaults() default configuration}. */
    public static LocalSchemaRegistry start() {
        return start(Config.defaults());
    }

    /**
     * Starts the registry, waits until {@code GET /apis/ccompat/v7/subjects} answers 200 and sets the
     * {@linkplain Config#compatibility() compatibility level} through {@code PUT /apis/ccompat/v7/config}.
     *
     * @throws LocalClusterException if the distribution is missing or the registry does not become
     *     ready within {@link Config#startupTimeout()}; the message ends with the registry's log
     */
    public static LocalSchemaRegistry start(Config config) {
        Objects.requireNonNull(config, "config");
        long started = System.nanoTime();
        ApicurioDistribution distribution;
        try {
            distribution = ApicurioDistribution.locate(config.apicurioHome());
        } catch (IllegalStateException e) {
            throw new LocalClusterException(e.getMessage(), e);
        }
        Path workDir;
        try {
            workDir = Files.createTempDirectory("promptq-registry-");
        } catch (IOException e) {
            throw new LocalClusterException("cannot create a temporary directory for the schema registry", e);
        }
        if (config.port() > 0 && !FreePorts.isFree(config.port())) {
            Directories.deleteRecursively(workDir);
            throw new LocalClusterException("schema registry cannot use port " + config.port() + " on "
                    + FreePorts.LOOPBACK_HOST + ": it is in use");
        }
        for (int attempt = 1; ; attempt++) {
            int port = config.port() > 0 ? config.port() : FreePorts.next();
            Path log = workDir.resolve("registry.log");
            ApicurioLauncher launcher = ApicurioLauncher.prepare(distribution, port, workDir, config.jvmOptions(),
                    config.registryProperties(), config.classDataSharing());
            Process process;
            try {
                process = new ProcessBuilder(launcher.command())
                        .directory(workDir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
            } catch (IOException e) {
                Directories.deleteRecursively(workDir);
                throw new LocalClusterException("cannot start the schema registry: " + String.join(" ", launcher.command()), e);
            }
            Thread hook = Thread.ofPlatform().name("promptq-registry-shutdown").unstarted(() -> stop(process, launcher));
            Runtime.getRuntime().addShutdownHook(hook);
            String failure = awaitReady(process, port, config.startupTimeout());
            if (failure == null) {
                failure = publishCompatibility(port, config.compatibility());
            }
            if (failure == null) {
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                LOG.info("Schema registry (Apicurio {}, pid {}) ready at http://{}:{}{} in {} ms{}", distribution.version(),
                        process.pid(), FreePorts.LOOPBACK_HOST, port, CONFLUENT_API_PATH, took.toMillis(),
                        launcher.recordsArchive() ? " (cold: recording a class-data-sharing archive for faster starts)" : "");
                return new LocalSchemaRegistry(config, process, launcher, port, workDir, took, hook);
            }
            stop(process, launcher);
            removeHook(hook);
            String tail = tail(log);
            boolean portTaken = tail.contains("Address already in use") || tail.contains("Port already bound");
            if (portTaken && config.port() == 0 && attempt < MAX_START_ATTEMPTS) {
                LOG.warn("Schema registry could not bind port {} (attempt {}/{}), retrying with a new port", port, attempt,
                        MAX_START_ATTEMPTS);
                continue;
            }
            Directories.deleteRecursively(workDir);
            throw new LocalClusterException("schema registry (Apicurio " + distribution.version() + ") on port " + port
                    + " did not start: " + failure + "\ncommand: " + String.join(" ", launcher.command())
                    + "\n--- last lines of " + log + " ---\n" + tail);
        }
    }

    /** Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:40123/apis/ccompat/v7}. */
    public String url() {
        return baseUrl() + CONFLUENT_API_PATH;
    }

    /** Base URL of the server, e.g. {@code http://127.0.0.1:40123}. */
    public String baseUrl() {
        return "http://" + FreePorts.LOOPBACK_HOST + ":" + port;
    }

    /** HTTP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The child process (for liveness checks). */
    public ProcessHandle process() {
        return process.toHandle();
    }

    /** The registry's console output; deleted by {@link #close()}. */
    public Path logFile() {
        return workDir.resolve("registry.log");
    }

    /** How long {@link #start(Config)} took until the API answered. */
    public Duration startupTime() {
        return startupTime;
    }

    /** The configuration this registry was started with. */
    public Config config() {
        return config;
    }

    /**
     * Stops the process (SIGTERM, then SIGKILL after {@value #GRACEFUL_STOP_SECONDS} s), waits until it
     * is gone and deletes its temporary directory. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long t0 = System.nanoTime();
        stop(process, launcher);
        removeHook(shutdownHook);
        Directories.deleteRecursively(workDir);
        LOG.info("Schema registry stopped in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    @Override
    public String toString() {
        return "LocalSchemaRegistry[" + url() + ", pid " + process.pid() + "]";
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException jvmIsShuttingDown) {
            // called during JVM shutdown: the hook is running or has run
        }
    }

    /** Stops the process tree; safe to call twice and from a shutdown hook. */
    private static void stop(Process process, ApicurioLauncher launcher) {
        List<ProcessHandle> descendants = process.descendants().toList();
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(GRACEFUL_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warn("Schema registry pid {} ignored SIGTERM for {} s, killing it", process.pid(), GRACEFUL_STOP.toSeconds());
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        for (ProcessHandle child : descendants) {
            child.destroyForcibly();
        }
        if (!process.isAlive()) {
            launcher.publishArchive();
        }
    }

    /** Polls the API until it answers 200; returns null when ready, else why not. */
    private static @Nullable String awaitReady(Process process, int port, Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://" + FreePorts.LOOPBACK_HOST + ":" + port + CONFLUENT_API_PATH + "/subjects"))
                .timeout(Duration.ofSeconds(2))
                .GET()
                .build();
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        try {
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    return "the process exited with status " + process.exitValue();
                }
                try {
                    HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
                    if (response.statusCode() == 200) {
                        return null;
                    }
                    last = "HTTP " + response.statusCode();
                } catch (IOException e) {
                    last = e.toString();
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while waiting";
        } finally {
            http.close();
        }
        return "not ready within " + timeout.toSeconds() + " s (last poll: " + last + ")";
    }

    /**
     * Stores the global compatibility rule through the Confluent API. Apicurio enforces the level given
     * as a system property but its {@code GET /config} answers NONE until the rule is stored, and
     * Confluent clients that compare the two (e.g. {@code @kafkajs/confluent-schema-registry}) then
     * refuse to register. Returns null when stored, else why not.
     */
    private static @Nullable String publishCompatibility(int port, String compatibility) {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://" + FreePorts.LOOPBACK_HOST + ":" + port + CONFLUENT_API_PATH + "/config"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/vnd.schemaregistry.v1+json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"compatibility\":\"" + compatibility + "\"}"))
                .build();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200) {
                return null;
            }
            return "PUT " + CONFLUENT_API_PATH + "/config with compatibility " + compatibility + " answered HTTP "
                    + response.statusCode() + ": " + response.body();
        } catch (IOException e) {
            return "PUT " + CONFLUENT_API_PATH + "/config with compatibility " + compatibility + " failed: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while setting the compatibility level";
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * Immutable configuration of a {@link LocalSchemaRegistry}; create with {@link #builder()} or use
     * {@link #defaults()}.
     */
    public static final class Config {

        /** Compatibility rule applied to every subject, as Confluent's default. */
        public static final String DEFAULT_COMPATIBILITY = "BACKWARD";
        /** JVM flags of the child: small heap, C1 only (measured: start-up 3.7 s to 2.2 s), serial GC. */
        public static final List<String> DEFAULT_JVM_OPTIONS =
                List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        /** Registry property of its storage database (Quarkus datasource). */
        public static final String JDBC_URL_PROPERTY = "quarkus.datasource.jdbc.url";
        /** Cold starts of Apicurio were measured at up to 25 s on a busy machine. */
        public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(90);

        private static final Config DEFAULTS = builder().build();

        private final Optional<Path> apicurioHome;
        private final String compatibility;
        private final List<String> jvmOptions;
        private final Map<String, String> extraProperties;
        private final Duration startupTimeout;
        private final boolean classDataSharing;
        private final int port;

        private Config(Builder b) {
            this.port = b.port;
            this.apicurioHome = b.apicurioHome;
            this.compatibility = b.compatibility;
            this.jvmOptions = List.copyOf(b.jvmOptions);
            this.extraProperties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.extraProperties));
            this.startupTimeout = b.startupTimeout;
            this.classDataSharing = b.classDataSharing;
        }

        /** BACKWARD compatibility, default JVM flags, class-data sharing on, distribution searched. */
        public static Config defaults() {
            return DEFAULTS;
        }

        public static Builder builder() {
            return new Builder();
        }

        /** The Apicurio directory, if set explicitly (else it is searched). */
        public Optional<Path> apicurioHome() {
            return apicurioHome;
        }

        /**
         * Global compatibility rule, passed as {@code registry.rules.global.compatibility} and stored
         * through the Confluent API so {@code GET /config} reports it too.
         */
        public String compatibility() {
            return compatibility;
        }

        /** JVM flags of the child process. */
        public List<String> jvmOptions() {
            return jvmOptions;
        }

        /** Extra Apicurio/Quarkus settings passed as system properties (read-only). */
        public Map<String, String> extraProperties() {
            return extraProperties;
        }

        /** Limit for the registry to answer after launch. */
        public Duration startupTimeout() {
            return startupTimeout;
        }

        /** Whether an AppCDS archive is recorded once and used afterwards. */
        public boolean classDataSharing() {
            return classDataSharing;
        }

        /** Fixed HTTP port, or 0 for a free port chosen at start-up (the default). */
        public int port() {
            return port;
        }

        /** Every system property handed to the registry, compatibility rule included. */
        Map<String, String> registryProperties() {
            Map<String, String> all = new LinkedHashMap<>();
            all.put("registry.rules.global.compatibility", compatibility);
            all.putAll(extraProperties);
            return all;
        }

        /** Builder for {@link Config}; each setter checks its value. */
        public static final class Builder {
            private Optional<Path> apicurioHome = Optional.empty();
            private String compatibility = DEFAULT_COMPATIBILITY;
            private final List<String> jvmOptions = new ArrayList<>(DEFAULT_JVM_OPTIONS);
            private final Map<String, String> extraProperties = new LinkedHashMap<>();
            private Duration startupTimeout = DEFAULT_STARTUP_TIMEOUT;
            private boolean classDataSharing = true;
            private int port;

            private Builder() {
            }

            /**
             * A fixed HTTP port on 127.0.0.1, e.g. 8081 for a long-running local stack; 0 (default)
             * picks a free port. A fixed port that is taken fails the start.
             */
            public Builder port(int port) {
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("port must be 0 (free port) or between 1 and 65535, but was " + port);
                }
                this.port = port;
                return this;
            }

            /** Use this unpacked Apicurio distribution instead of searching for one. */
            public Builder apicurioHome(Path home) {
                this.apicurioHome = Optional.of(Objects.requireNonNull(home, "apicurioHome"));
                return this;
            }

            /** Global compatibility rule: NONE, BACKWARD, FORWARD, FULL or a *_TRANSITIVE variant. */
            public Builder compatibility(String level) {
                List<String> allowed = List.of("NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD",
                        "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE");
                if (level == null || !allowed.contains(level)) {
                    throw new IllegalArgumentException("compatibility must be one of " + allowed + ", but was " + level);
                }
                this.compatibility = level;
                return this;
            }

            /** Replaces the JVM flags of the child process. */
            public Builder jvmOptions(List<String> options) {
                this.jvmOptions.clear();
                this.jvmOptions.addAll(Objects.requireNonNull(options, "jvmOptions"));
                return this;
            }

            /** An extra Apicurio/Quarkus setting, e.g. {@code registry.ccompat.max-subjects}. */
            public Builder property(String key, String value) {
                if (key == null || key.isBlank()) {
                    throw new IllegalArgumentException("property key must not be blank, but was '" + key + "'");
                }
                this.extraProperties.put(key, Objects.requireNonNull(value, "value of " + key));
                return this;
            }

            /** Limit for start-up, positive. */
            public Builder startupTimeout(Duration timeout) {
                if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                    throw new IllegalArgumentException("startupTimeout must be positive, but was " + timeout);
                }
                this.startupTimeout = timeout;
                return this;
            }

            /**
             * Keeps the schemas in an H2 database file under {@code dir} instead of in memory, so every schema id
             * already written in topics still resolves after a restart on the same directory. Apicurio 2.6's
             * storage is H2 (in memory by default); only its JDBC URL changes.
             */
            public Builder storageDir(Path dir) {
                Path db = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize().resolve("registry");
                return property(JDBC_URL_PROPERTY, "jdbc:h2:file:" + db);
            }

            /** Record and use an AppCDS archive (default true; start-up about 2x faster once recorded). */
            public Builder classDataSharing(boolean enabled) {
                this.classDataSharing = enabled;
                return this;
            }

            public Config build() {
                return new Config(this);
            }
        }
    }
}
