package io.promptq.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Keeps the "## Modules" table of the root README.md true: it lists every module of the root pom, and the package
 * roots it gives a module are the ones that module's main sources use (written {@code io.promptq.worker} or
 * {@code io.promptq.{config,http}}).
 */
class ReadmeModuleTableTest {

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|([^|]*)\\|");
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");

    private final ProjectModules modules = ProjectModules.read(ProjectModules.ROOT);

    @Test
    void tableListsEveryModuleOfTheRootPom() throws IOException {
        Map<String, SortedSet<String>> table = moduleTable();

        assertThat(table.keySet()).as("modules in the README's module table")
                .containsExactlyInAnyOrderElementsOf(modules.modules());
    }

    @Test
    void tableNamesThePackageRootsEachModuleUses() throws IOException {
        Map<String, SortedSet<String>> table = moduleTable();

        List<String> wrong = new ArrayList<>();
        for (String module : modules.modules()) {
            SortedSet<String> used = modules.packageRoots(module);
            SortedSet<String> documented = table.getOrDefault(module, new TreeSet<>());
            if (!used.equals(documented)) {
                wrong.add(module + ": the table says " + documented + ", its main sources use " + used);
            }
        }
        assertThat(wrong).withFailMessage("README.md ## Modules is out of date:%n  %s", String.join("\n  ", wrong))
                .isEmpty();
    }

    @Test
    void noTwoModulesShareAPackageRoot() {
        assertThat(modules.sharedRoots()).as("package roots used by more than one module (a split package)")
                .isEmpty();
    }

    @Test
    void bracesListSeveralPackagesUnderOneRoot() {
        assertThat(expand("`io.promptq.{config,http}`")).containsExactly("io.promptq.config", "io.promptq.http");
        assertThat(expand("`io.promptq.worker`")).containsExactly("io.promptq.worker");
    }

    /** Module name to the package roots of its row, from the table under "## Modules". */
    private static Map<String, SortedSet<String>> moduleTable() throws IOException {
        String readme = Files.readString(ProjectModules.ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        int start = readme.indexOf("\n## Modules\n");
        assertThat(start).as("README.md has a ## Modules section").isNotNegative();
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);

        Map<String, SortedSet<String>> table = new LinkedHashMap<>();
        for (String line : section.split("\n")) {
            Matcher row = ROW.matcher(line);
            if (row.find()) {
                table.put(row.group(1), expand(row.group(2)));
            }
        }
        return table;
    }

    /** {@code `io.promptq.{a,b}`} to {@code io.promptq.a, io.promptq.b}; several code spans may share a cell. */
    private static SortedSet<String> expand(String cell) {
        SortedSet<String> roots = new TreeSet<>();
        Matcher code = CODE.matcher(cell);
        while (code.find()) {
            String name = code.group(1);
            int open = name.indexOf('{');
            if (open < 0) {
                roots.add(name);
                continue;
            }
            String prefix = name.substring(0, open);
            for (String part : name.substring(open + 1, name.indexOf('}')).split(",")) {
                roots.add(prefix + part.trim());
            }
        }
        return roots;
    }
}
