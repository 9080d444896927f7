package io.promptq.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoriesTest {

    @Test
    void deleteRecursivelyRemovesATree(@TempDir Path dir) throws Exception {
        Path tree = dir.resolve("a/b/c");
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("f"), "x");
        assertThat(Directories.deleteRecursively(dir.resolve("a"))).isTrue();
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void missingOrAbsentRootCountsAsDeleted(@TempDir Path dir) {
        assertThat(Directories.deleteRecursively(dir.resolve("never-created"))).isTrue();
        assertThat(Directories.deleteRecursively(null)).isTrue();
    }

    @Test
    void deleteRecursivelyLeavesSiblingsAlone(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("gone/inner"));
        Files.writeString(dir.resolve("kept"), "x");
        assertThat(Directories.deleteRecursively(dir.resolve("gone"))).isTrue();
        assertThat(dir.resolve("kept")).exists();
    }
}
