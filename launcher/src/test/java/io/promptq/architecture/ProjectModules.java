package io.promptq.architecture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The modules of the root {@code pom.xml} and the package roots their main sources use, read from the source tree
 * (Java package declarations and the namespaces of Avro schemas, whose classes are generated). A package root is
 * {@code io.promptq.<first segment>}: {@code io.promptq.worker.kafka.internal} belongs to the root
 * {@code io.promptq.worker}. Each root must belong to one module, so a root names its module.
 */
final class ProjectModules {

    /** The tests run in {@code launcher/}; the root of the project is its parent. */
    static final Path ROOT = Path.of("..");

    private static final String BASE = "io.promptq.";
    private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
    private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
    private static final Pattern AVRO_NAMESPACE = Pattern.compile("\"namespace\"\\s*:\\s*\"([\\w.]+)\"");

    private final Map<String, SortedSet<String>> rootsByModule;
    private final Map<String, List<String>> modulesByRoot;

    private ProjectModules(Map<String, SortedSet<String>> rootsByModule) {
        this.rootsByModule = rootsByModule;
        Map<String, List<String>> byRoot = new TreeMap<>();
        rootsByModule.forEach((module, roots) ->
                roots.forEach(root -> byRoot.computeIfAbsent(root, r -> new ArrayList<>()).add(module)));
        this.modulesByRoot = byRoot;
    }

    /** Reads the modules of {@code root/pom.xml} and their main sources. */
    static ProjectModules read(Path root) {
        try {
            String pom = Files.readString(root.resolve("pom.xml"), StandardCharsets.UTF_8);
            Map<String, SortedSet<String>> rootsByModule = new LinkedHashMap<>();
            Matcher m = MODULE.matcher(pom);
            while (m.find()) {
                String module = m.group(1).trim();
                rootsByModule.put(module, packageRoots(root.resolve(module)));
            }
            return new ProjectModules(rootsByModule);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The modules in the order of the root pom. */
    List<String> modules() {
        return List.copyOf(rootsByModule.keySet());
    }

    /** The package roots of a module's main sources ({@code io.promptq.worker}), sorted. */
    SortedSet<String> packageRoots(String module) {
        return Collections.unmodifiableSortedSet(rootsByModule.getOrDefault(module, new TreeSet<>()));
    }

    /** Package roots that more than one module uses, with those modules. */
    Map<String, List<String>> sharedRoots() {
        Map<String, List<String>> shared = new TreeMap<>();
        modulesByRoot.forEach((root, modules) -> {
            if (modules.size() > 1) {
                shared.put(root, modules);
            }
        });
        return shared;
    }

    /** The module whose main sources hold {@code packageName}, if it is a promptq package. */
    Optional<String> moduleOf(String packageName) {
        String root = packageRoot(packageName);
        List<String> modules = root == null ? null : modulesByRoot.get(root);
        return modules == null || modules.isEmpty() ? Optional.empty() : Optional.of(modules.get(0));
    }

    /** {@code io.promptq.worker} for {@code io.promptq.worker.kafka.internal}; {@code null} outside io.promptq. */
    static String packageRoot(String packageName) {
        if (!packageName.startsWith(BASE)) {
            return null;
        }
        int end = packageName.indexOf('.', BASE.length());
        return end < 0 ? packageName : packageName.substring(0, end);
    }

    private static SortedSet<String> packageRoots(Path module) throws IOException {
        SortedSet<String> roots = new TreeSet<>();
        for (Path file : files(module.resolve("src/main/java"), ".java")) {
            addRoot(PACKAGE, Files.readString(file, StandardCharsets.UTF_8), roots);
        }
        for (Path file : files(module.resolve("src/main/avro"), ".avsc")) {
            addRoot(AVRO_NAMESPACE, Files.readString(file, StandardCharsets.UTF_8), roots);
        }
        return roots;
    }

    private static void addRoot(Pattern declaration, String source, SortedSet<String> roots) {
        Matcher m = declaration.matcher(source);
        if (m.find()) {
            String root = packageRoot(m.group(1));
            if (root != null) {
                roots.add(root);
            }
        }
    }

    private static List<Path> files(Path dir, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(suffix)).sorted().toList();
        }
    }
}
