package io.promptq.cli;

import io.promptq.batch.BatchConfig;
import io.promptq.files.FilesConfig;
import static org.assertj.core.api.Assertions.assertThat;

import io.promptq.aggregator.AggregatorConfig;
import io.promptq.aggregator.webhook.WebhookConfig;
import io.promptq.client.ClientConfig;
import io.promptq.client.JobIdKey;
import io.promptq.client.StatusApiConfig;
import io.promptq.client.ValidationRules;
import io.promptq.config.ConfigException;
import io.promptq.config.ConfigKey;
import io.promptq.http.OpsServer;
import io.promptq.kafka.KafkaSettings;
import io.promptq.llm.LlmConfig;
import io.promptq.llm.ResilienceConfig;
import io.promptq.producer.config.ProducerServiceConfig;
import io.promptq.topic.Idempotency;
import io.promptq.topic.JobLifecycle;
import io.promptq.topic.SchemaRegistryKeys;
import io.promptq.topic.TopicNames;
import io.promptq.webhook.WebhookTargets;
import io.promptq.worker.WorkerConfig;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the tables of the README's "## Configuration" section and the declared {@link ConfigKey}s in step:
 * every key a configuration declares is in a table with the code's default, and every {@code PROMPTQ_*} key in
 * a table is declared by a configuration, is a pass-through prefix, or is one of the documented exceptions read
 * outside the configurations. Defaults are compared by parsing the README's value with the key itself, so
 * {@code 60s} and {@code 1m} or {@code 50} and {@code 50.0} count as the same. The configuration tables of the
 * module READMEs are held to the same defaults.
 */
class ReadmeConfigTablesMatchTheKeysTest {

    /** The test runs in {@code launcher/}. */
    private static final Path README = Path.of("..", "README.md");

    /** Every class that declares configuration keys. */
    private static final List<Class<?>> CONFIGS = List.of(KafkaSettings.class, SchemaRegistryKeys.class,
            TopicNames.class, Idempotency.class, JobLifecycle.class, ProducerServiceConfig.class, ClientConfig.class, StatusApiConfig.class, ValidationRules.class,
            WorkerConfig.class, LlmConfig.class, ResilienceConfig.class, AggregatorConfig.class, WebhookTargets.class,
            WebhookConfig.class, JobIdKey.class, OpsServer.class, FilesConfig.class, BatchConfig.class);

    /** Prefixes of pass-through keys, documented as {@code PREFIX<PROPERTY>}. */
    private static final List<String> PASS_THROUGH_PREFIXES = List.of(KafkaSettings.PREFIX, SchemaRegistryKeys.SSL_PREFIX);

    /** Keys in the tables that no configuration declares, and where they are read instead. */
    private static final Map<String, String> READ_ELSEWHERE = Map.of(
            "PROMPTQ_JAVA_OPTS", "the promptq launcher script",
            "PROMPTQ_LOG_DIR", "the launcher's logback.xml",
            "PROMPTQ_AGGREGATOR_URL", "picocli default of promptq stats --aggregator-url",
            "PROMPTQ_AGGREGATOR_TOKEN", "picocli default of promptq stats --token",
            "PROMPTQ_TOKEN", "picocli default of promptq submit --token",
            "PROMPTQ_APICURIO_HOME", "local-cluster, to find the registry jar",
            "PROMPTQ_CACHE_DIR", "local-cluster, its cache directory",
            "PROMPTQ_IT_CLUSTER", "testkit, the cluster of the *IT tests");

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`(PROMPTQ_[A-Z0-9_<>]+)`\\s*\\|([^|]*)\\|.*$", Pattern.MULTILINE);
    private static final Pattern CODE = Pattern.compile("`([^`]*)`");

    @Test
    void everyDeclaredKeyIsInTheReadmeWithTheCodesDefaultAndEveryReadmeKeyIsDeclared() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);

        List<String> problems = problems(configurationSection(readme), declaredKeys());

        assertThat(problems)
                .withFailMessage("README.md (## Configuration) and the declared configuration keys disagree:%n  %s",
                        String.join("\n  ", problems))
                .isEmpty();
    }

    @Test
    void aWrongDefaultAndAnUndeclaredKeyAreReportedWithKeyAndBothValues() {
        String tables = """
                | Key | Default | Meaning |
                |---|---|---|
                | `PROMPTQ_WORKER_MAX_IN_FLIGHT` | `99` | most jobs in flight |
                | `PROMPTQ_WORKER_NO_SUCH_KEY` | `1` | nothing |
                """;
        Map<String, List<Declared>> declared = Map.of(WorkerConfig.MAX_IN_FLIGHT.name(),
                List.of(new Declared(WorkerConfig.class, WorkerConfig.MAX_IN_FLIGHT)));

        assertThat(problems(tables, declared)).containsExactly(
                "PROMPTQ_WORKER_MAX_IN_FLIGHT (WorkerConfig): the README's default is `99` but the code's is `100`",
                "PROMPTQ_WORKER_NO_SUCH_KEY: in the README but declared by no configuration");
    }

    /**
     * Given a module README (e.g. {@code aggregator-service/README.md}) with its own configuration table,
     * then every declared key it lists shows the code's default; it need not list every key.
     */
    @Test
    void everyModuleReadmeShowsTheCodesDefaultOfTheKeysItLists() throws IOException {
        Map<String, List<Declared>> declared = declaredKeys();
        List<String> problems = new ArrayList<>();
        try (Stream<Path> modules = Files.list(README.getParent())) {
            for (Path moduleReadme : modules.map(m -> m.resolve("README.md")).filter(Files::isRegularFile).sorted().toList()) {
                String text = Files.readString(moduleReadme, StandardCharsets.UTF_8);
                wrongDefaults(defaultCells(text), declared)
                        .forEach(p -> problems.add(README.getParent().relativize(moduleReadme) + ": " + p));
            }
        }

        assertThat(problems)
                .withFailMessage("module READMEs and the declared configuration keys disagree:%n  %s",
                        String.join("\n  ", problems))
                .isEmpty();
    }

    static List<String> problems(String tables, Map<String, List<Declared>> declared) {
        Map<String, List<String>> defaultCells = defaultCells(tables);
        List<String> problems = new ArrayList<>();
        declared.forEach((name, declarations) -> {
            if (!defaultCells.containsKey(name)) {
                declarations.forEach(d -> problems.add(name + " (" + d.owner().getSimpleName() + "): declared but not in the README"));
            }
        });
        problems.addAll(wrongDefaults(defaultCells, declared));
        for (String name : defaultCells.keySet()) {
            if (!declared.containsKey(name) && !READ_ELSEWHERE.containsKey(name) && !isPassThrough(name)) {
                problems.add(name + ": in the README but declared by no configuration");
            }
        }
        return problems;
    }

    /** The default cells of a text's {@code | `PROMPTQ_…` | default | … |} rows, by key name. */
    private static Map<String, List<String>> defaultCells(String tables) {
        Map<String, List<String>> defaultCells = new LinkedHashMap<>();
        Matcher row = ROW.matcher(tables);
        while (row.find()) {
            defaultCells.computeIfAbsent(row.group(1), k -> new ArrayList<>()).add(row.group(2).trim());
        }
        return defaultCells;
    }

    /** A problem for every cell of a declared key that does not name the key's default. */
    private static List<String> wrongDefaults(Map<String, List<String>> defaultCells, Map<String, List<Declared>> declared) {
        List<String> problems = new ArrayList<>();
        declared.forEach((name, declarations) -> {
            for (Declared d : declarations) {
                for (String cell : defaultCells.getOrDefault(name, List.of())) {
                    if (!documentsDefault(d.key(), cell)) {
                        problems.add(name + " (" + d.owner().getSimpleName() + "): the README's default is " + cell
                                + " but the code's is `" + d.formattedDefault() + "`");
                    }
                }
            }
        });
        return problems;
    }

    /** Whether a table's default cell names the key's default; keys without a fixed default are not compared. */
    private static <T> boolean documentsDefault(ConfigKey<T> key, String cell) {
        Optional<T> expected = key.defaultValue();
        if (expected.isEmpty()) {
            return true;
        }
        if (key.format(expected.get()).isEmpty()) {
            String lower = cell.toLowerCase(Locale.ROOT);
            return lower.startsWith("empty") || lower.startsWith("unset");
        }
        Matcher code = CODE.matcher(cell);
        while (code.find()) {
            String value = code.group(1).replace("<java.io.tmpdir>", System.getProperty("java.io.tmpdir"));
            try {
                if (key.parse(value).equals(expected.get())) {
                    return true;
                }
            } catch (ConfigException e) {
                // another service's value in a shared row, or prose: try the next one
            }
        }
        return false;
    }

    private static boolean isPassThrough(String name) {
        return name.endsWith("<PROPERTY>") && PASS_THROUGH_PREFIXES.stream().anyMatch(name::startsWith);
    }

    private static String configurationSection(String readme) {
        int start = readme.indexOf("\n## Configuration");
        assertThat(start).as("README.md has a ## Configuration section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        return end < 0 ? readme.substring(start) : readme.substring(start, end);
    }

    /** The public {@code ConfigKey} constants of {@link #CONFIGS}, by key name. */
    private static Map<String, List<Declared>> declaredKeys() {
        Map<String, List<Declared>> declared = new LinkedHashMap<>();
        for (Class<?> config : CONFIGS) {
            for (Field field : config.getFields()) {
                if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigKey.class) {
                    ConfigKey<?> key;
                    try {
                        key = (ConfigKey<?>) field.get(null);
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                    declared.computeIfAbsent(key.name(), k -> new ArrayList<>()).add(new Declared(config, key));
                }
            }
        }
        assertThat(declared).as("keys declared by the configurations").containsKeys(
                WorkerConfig.MAX_IN_FLIGHT.name(), KafkaSettings.BOOTSTRAP_SERVERS.name());
        return declared;
    }

    record Declared(Class<?> owner, ConfigKey<?> key) {
        @SuppressWarnings("unchecked")
        String formattedDefault() {
            ConfigKey<Object> k = (ConfigKey<Object>) key;
            return k.defaultValue().map(k::format).orElse("");
        }
    }
}
