package io.promptq.cli.internal.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service ({@code worker}, {@code producer}, {@code aggregator}) as a child JVM running the launcher's own main
 * with the given environment, logging to a file; it can be SIGKILLed or SIGTERMed and reports its exit status.
 */
final class ServiceJvm {

    private final String name;
    private final Process process;
    private final Path log;

    private ServiceJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static ServiceJvm start(String name, String command, Map<String, String> env, Path logDir) {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = logDir.resolve(name + ".log");
        try {
            Files.createDirectories(logDir);
            Path argFile = logDir.resolve(name + ".args");
            String cp = System.getProperty("java.class.path");
            Files.writeString(argFile, "-cp\n\"" + cp.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n");
            List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED", "@" + argFile,
                    "io.promptq.cli.PromptqCli", command));
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            Process process = builder.start();
            process.getOutputStream().close();
            return new ServiceJvm(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    String name() {
        return name;
    }

    /** Waits until the log contains {@code text}; false on timeout or if the process died. */
    boolean awaitLog(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Files.exists(log) && Files.readString(log).contains(text)) {
                    return true;
                }
            } catch (IOException | UncheckedIOException e) {
                // being written: read again
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(200);
        }
        return false;
    }

    /** SIGKILL; returns the exit status. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor();
    }

    /** SIGTERM, then waits up to {@code grace} (SIGKILL after); returns the exit status. */
    int stop(Duration grace) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
        return process.waitFor();
    }

    void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
