package io.promptq.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A {@code main} class run in a JVM of its own, for tests that need a real process to kill: a service that must
 * survive {@code kill -9} of a replica cannot be tested with threads in the test's JVM, because a thread cannot be
 * stopped without running {@code finally} blocks and shutdown hooks.
 *
 * <p>The child runs the test JVM's own {@code java} with the test's class path (passed in an argument file, so its
 * length does not matter), the given environment added to the test's, and its stdout and stderr appended to a log
 * file. {@link #kill()} sends SIGKILL ({@link Process#destroyForcibly()} does on Linux and macOS: the child gets no
 * chance to run anything, its exit status is 137); {@link #stop(Duration)} sends SIGTERM (graceful: shutdown
 * hooks run) and falls back to SIGKILL after the grace. A child never outlives the test JVM: {@link #close()} kills
 * it, and so does a shutdown hook if the test JVM exits first.
 */
public final class JvmProcess implements AutoCloseable {

    /** Exit status of a JVM killed with SIGKILL (128 + 9). */
    public static final int SIGKILL_EXIT = 137;
    /** Exit status of a JVM stopped by SIGTERM that did not choose its own (128 + 15). */
    public static final int SIGTERM_EXIT = 143;

    private static final Duration KILL_WAIT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final Path logFile;
    private final Thread reaper;

    private JvmProcess(String name, Process process, Path logFile) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.reaper = new Thread(process::destroyForcibly, "kill-" + name);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** A builder for a child JVM running {@code mainClass}. */
    public static Builder builder(String mainClass) {
        return new Builder(mainClass);
    }

    /** The name given when it was built (in log messages and thread names). */
    public String name() {
        return name;
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** The file its stdout and stderr go to. */
    public Path logFile() {
        return logFile;
    }

    /** Whether the child is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the child has logged so far. */
    public String log() {
        try {
            return Files.exists(logFile) ? new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + logFile, e);
        }
    }

    /**
     * Waits until the child's log contains {@code text}, e.g. a service's "started" line.
     *
     * @throws AssertionError if the child exits first or the text does not appear within {@code timeout}
     */
    public void awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with status " + process.exitValue() + " before logging '" + text
                        + "'; see " + logFile);
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(name + " did not log '" + text + "' within " + timeout + "; see " + logFile);
            }
            Thread.sleep(50);
        }
    }

    /**
     * SIGKILL: the child stops at once, without shutdown hooks, finally blocks or a last flush. Returns its exit
     * status once it is gone ({@value #SIGKILL_EXIT} unless it had already exited).
     */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " (pid " + pid() + ") still runs " + KILL_WAIT + " after SIGKILL");
        }
        return process.exitValue();
    }

    /**
     * SIGTERM, then SIGKILL if the child has not exited within {@code grace}. Returns its exit status: its own after
     * a graceful stop ({@value #SIGTERM_EXIT} if it chose none), {@value #SIGKILL_EXIT} if it had to be killed.
     */
    public int stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            return process.exitValue();
        }
        return kill();
    }

    /** Writes {@code line} and a newline to the child's standard input (built with {@link Builder#stdin()}). */
    public void sendLine(String line) throws IOException {
        process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().flush();
    }

    /** Kills the child if it still runs; the test JVM's shutdown hook for it is removed. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                kill();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    @Override
    public String toString() {
        return "JvmProcess[" + name + ", pid " + process.pid() + (process.isAlive() ? ", running" : ", exited") + "]";
    }

    /** Builds and starts a {@link JvmProcess}. */
    public static final class Builder {
        private final String mainClass;
        private String name;
        private String classPath = System.getProperty("java.class.path");
        private final List<String> jvmArgs = new ArrayList<>();
        private final List<String> args = new ArrayList<>();
        private final Map<String, String> env = new HashMap<>();
        private Path logFile;
        private boolean stdin;

        private Builder(String mainClass) {
            this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
            this.name = mainClass.substring(mainClass.lastIndexOf('.') + 1);
            this.logFile = Path.of("target", name + "-" + UniqueNames.suffix() + ".log");
        }

        /** Name in messages and the default log file name (default: the main class's simple name). */
        public Builder name(String value) {
            name = Objects.requireNonNull(value, "name");
            return this;
        }

        /** The class path (default: the test JVM's, {@code java.class.path}). */
        public Builder classPath(String value) {
            classPath = Objects.requireNonNull(value, "classPath");
            return this;
        }

        /** JVM options such as {@code -Xmx256m}, in order. */
        public Builder jvmArgs(String... values) {
            jvmArgs.addAll(List.of(values));
            return this;
        }

        /** Arguments of {@code main}, in order. */
        public Builder args(String... values) {
            args.addAll(List.of(values));
            return this;
        }

        /** Environment variables added to (and overriding) the test JVM's. */
        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        /** Keeps the child's standard input open for {@link JvmProcess#sendLine(String)} (default: at its end). */
        public Builder stdin() {
            stdin = true;
            return this;
        }

        /** Where stdout and stderr go, appended (default: {@code target/<name>-<suffix>.log}). */
        public Builder logFile(Path value) {
            logFile = Objects.requireNonNull(value, "logFile");
            return this;
        }

        /**
         * Starts the child; returns at once (wait for it with {@link JvmProcess#awaitLog}).
         *
         * @throws UncheckedIOException if the log or argument file cannot be written or the JVM cannot start
         */
        public JvmProcess start() {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            try {
                Path parent = logFile.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Path argFile = parent.resolve(logFile.getFileName() + ".args");
                Files.writeString(argFile, "-cp\n" + quote(classPath) + "\n", StandardCharsets.UTF_8);
                List<String> command = new ArrayList<>();
                command.add(java.toString());
                command.addAll(jvmArgs);
                command.add("@" + argFile);
                command.add(mainClass);
                command.addAll(args);
                ProcessBuilder builder = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
                builder.environment().putAll(env);
                Process process = builder.start();
                if (!stdin) {
                    process.getOutputStream().close(); // the child's stdin is at its end
                }
                return new JvmProcess(name, process, logFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name + " (" + mainClass + ")", e);
            }
        }

        /** A java argument-file token: quoted, with backslashes and quotes escaped. */
        private static String quote(String value) {
            return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}
