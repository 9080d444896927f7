package io.promptq.local;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

import org.jspecify.annotations.Nullable;

/**
 * Removes directory trees: the data directories of the local broker and registry, and the state directories
 * of the launcher's stacks. The one recursive deletion of promptq (the registry child's {@code
 * ParentWatchdog} keeps its own, because it must run with nothing but the JDK on its class path).
 */
public final class Directories {

    private Directories() {
    }

    /**
     * Deletes a directory tree (or a single file), best effort: files that vanish meanwhile are fine, and a
     * file that cannot be deleted does not stop the others.
     *
     * @param root the tree to delete; {@code null} or a missing path is already deleted
     * @return {@code false} if something could not be deleted
     */
    public static boolean deleteRecursively(@Nullable Path root) {
        if (root == null || !Files.exists(root)) {
            return true;
        }
        boolean[] ok = {true};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    if (!(exc instanceof NoSuchFileException)) {
                        ok[0] = false;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
                    delete(dir);
                    return FileVisitResult.CONTINUE;
                }

                private void delete(Path path) {
                    try {
                        Files.deleteIfExists(path);
                    } catch (IOException e) {
                        ok[0] = false;
                    }
                }
            });
        } catch (IOException e) {
            return false;
        }
        return ok[0];
    }
}
