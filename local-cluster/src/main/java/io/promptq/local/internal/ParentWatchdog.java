package io.promptq.local.internal;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Entry point of a child process (the schema registry, a Kafka node): starts a daemon thread that ends the process
 * when its parent JVM is gone, then runs the real main class. Shutdown hooks of the parent cover
 * SIGTERM and Ctrl-C; this covers a parent killed with SIGKILL, so no registry is left behind.
 *
 * <p>Runs inside the child JVM with only the JDK and the registry on the class path: it must use
 * nothing but the JDK and stay a single class file (it is copied into a small jar).
 *
 * <p>Arguments: {@code <main class> [args of the main class...]}.
 */
public final class ParentWatchdog {

    private static final long CHECK_INTERVAL_MILLIS = 1_000;

    /** System property naming the child's temporary directory, deleted when the parent is gone. */
    public static final String WORK_DIR_PROPERTY = "promptq.registry.workdir";

    private ParentWatchdog() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 1) {
            throw new IllegalArgumentException("usage: ParentWatchdog <main class> [args...]");
        }
        ProcessHandle.current().parent().ifPresent(parent -> {
            Thread watcher = new Thread(() -> watch(parent), "promptq-parent-watchdog");
            watcher.setDaemon(true);
            watcher.start();
        });
        try {
            Class.forName(args[0]).getMethod("main", String[].class)
                    .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void watch(ProcessHandle parent) {
        // isAlive() compares the start time too, so a recycled pid does not count as the parent.
        while (parent.isAlive()) {
            try {
                Thread.sleep(CHECK_INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
        System.err.println("promptq: parent process " + parent.pid() + " is gone, stopping");
        deleteWorkDirectory();
        System.exit(0);
    }

    /**
     * Removes the temporary directory the parent would have removed (best effort). A deliberate copy of
     * {@code io.promptq.local.Directories#deleteRecursively}: this class runs alone in the registry child, with
     * nothing but the JDK on its class path.
     */
    private static void deleteWorkDirectory() {
        String dir = System.getProperty(WORK_DIR_PROPERTY);
        if (dir == null || dir.isBlank()) {
            return;
        }
        try (Stream<Path> tree = Files.walk(Path.of(dir))) {
            tree.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | RuntimeException e) {
            // best effort: the temporary directory is left behind
        }
    }
}
