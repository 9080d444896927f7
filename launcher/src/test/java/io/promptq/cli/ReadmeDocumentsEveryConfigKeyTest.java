package io.promptq.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the configuration reference in the root README.md true: every environment key the main sources of any
 * module read must appear there. Full keys must appear as whole tokens ({@code PROMPTQ_AGGREGATOR_WINDOW} is not
 * documented by {@code PROMPTQ_AGGREGATOR_WINDOW_RETENTION}); pass-through prefixes such as
 * {@code PROMPTQ_KAFKA_} must appear in the {@code PROMPTQ_KAFKA_<PROPERTY>} form.
 */
class ReadmeDocumentsEveryConfigKeyTest {

    /** The test runs in {@code launcher/}; the modules are its siblings. */
    private static final Path ROOT = Path.of("..");

    /** A string literal that is exactly a key or a key prefix: {@code "PROMPTQ_HTTP_PORT"}, {@code "PROMPTQ_KAFKA_"}. */
    private static final Pattern KEY_LITERAL = Pattern.compile("\"(PROMPTQ_[A-Z0-9_]+)\"");
    /** A picocli default read from the environment: {@code "${env:PROMPTQ_TOKEN}"}, {@code "${env:PROMPTQ_X:-default}"}. */
    private static final Pattern PICOCLI_ENV = Pattern.compile("\\$\\{env:(PROMPTQ_[A-Z0-9_]+)");
    /** A shell or logback variable: {@code ${PROMPTQ_JAVA_OPTS:-}}, {@code $PROMPTQ_X}. */
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(PROMPTQ_[A-Z0-9_]+)");
    /** A key mentioned in the README, taken whole. */
    private static final Pattern README_TOKEN = Pattern.compile("PROMPTQ_[A-Z0-9_]+");

    @Test
    void everyConfigurationKeyInTheCodeIsDocumentedInTheReadme() throws IOException {
        Set<String> keys = keysReadByTheCode(ROOT);
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        Set<String> documented = new TreeSet<>();
        README_TOKEN.matcher(readme).results().forEach(m -> documented.add(m.group()));

        List<String> missing = new ArrayList<>();
        for (String key : keys) {
            boolean prefix = key.endsWith("_");
            if (prefix ? !readme.contains(key + "<") : !documented.contains(key)) {
                missing.add(prefix ? key + "<PROPERTY>" : key);
            }
        }

        assertThat(keys).as("keys found in the sources (is the working directory launcher/?)")
                .contains("PROMPTQ_KAFKA_BOOTSTRAP_SERVERS", "PROMPTQ_KAFKA_");
        assertThat(missing)
                .withFailMessage("%d configuration key(s) read by the code are missing from the configuration reference"
                        + " in README.md (## Configuration):%n  %s", missing.size(), String.join("\n  ", missing))
                .isEmpty();
    }

    /** Every key in {@code <module>/src/main/java/**.java}, plus those of the {@code promptq} script and main resources. */
    static Set<String> keysReadByTheCode(Path root) throws IOException {
        Set<String> keys = new TreeSet<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(Files::isDirectory).sorted().toList()) {
                for (Path file : files(module.resolve("src/main/java"), ".java")) {
                    String source = Files.readString(file, StandardCharsets.UTF_8);
                    collect(KEY_LITERAL, source, keys);
                    collect(PICOCLI_ENV, source, keys);
                }
                for (Path file : files(module.resolve("src/main/resources"), "")) {
                    if (file.toString().endsWith(".xml") || file.toString().endsWith(".properties")) {
                        collectVariables(Files.readString(file, StandardCharsets.UTF_8), keys);
                    }
                }
            }
        }
        Path script = root.resolve("promptq");
        if (Files.isRegularFile(script)) {
            collectVariables(Files.readString(script, StandardCharsets.UTF_8), keys);
        }
        return keys;
    }

    private static List<Path> files(Path dir, String suffix) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void collect(Pattern pattern, String text, Set<String> keys) {
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            keys.add(m.group(1));
        }
    }

    /** Variables only in non-comment lines, so that a comment naming a key by example does not count. */
    private static void collectVariables(String text, Set<String> keys) {
        for (String line : text.lines().toList()) {
            if (!line.strip().startsWith("#")) {
                collect(VARIABLE, line, keys);
            }
        }
    }
}
